"""The schema changes only through migrations, and every migration can be undone."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlmodel import SQLModel

from app import migrate
from app.config import Settings
from app.db import make_engine

SCHEMA = "accord_migration_test"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each kind; PostgreSQL gets a schema of its own."""
    if request.param == "sqlite":
        engine = make_engine(Settings(data_dir=tmp_path))
        yield engine
        engine.dispose()
        return
    url = request.getfixturevalue("postgres_url")
    url = Settings(database_url=url).effective_database_url
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine = create_engine(url, connect_args={"options": f"-c search_path={SCHEMA}"})
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
    admin.dispose()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_upgrade_downgrade_upgrade(empty_engine: Engine) -> None:
    expected = {table.name for table in SQLModel.metadata.sorted_tables}
    migrate.upgrade(empty_engine)
    assert tables(empty_engine) == expected
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    migrate.downgrade(empty_engine, "base")
    assert tables(empty_engine) == set()
    assert migrate.current_revision(empty_engine) is None
    migrate.upgrade(empty_engine)
    assert tables(empty_engine) == expected


def test_migrations_match_models(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_app_refuses_outdated_schema(empty_engine: Engine) -> None:
    with pytest.raises(migrate.SchemaOutOfDate, match="accord db upgrade"):
        migrate.check_current(empty_engine)
