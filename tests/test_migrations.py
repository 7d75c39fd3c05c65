"""The schema changes only through migrations, and every migration can be undone."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, Table, create_engine, insert, inspect, text
from sqlmodel import Session, SQLModel, select

from app import migrate
from app.config import Settings
from app.db import make_engine
from app.models import (
    AuditEvent,
    Publication,
    PublishedAddress,
    ReviewRound,
    Stance,
    User,
    Version,
)
from app.models.review import StanceKind
from tests.conftest import own_name

SCHEMA = own_name("accord_migration_test")


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


class _Row:
    def __init__(self, row_id: int) -> None:
        self.id = row_id


def _insert(session: Session, name: str, **values: object) -> int:
    """Insert a row into the table as the database has it now; its id."""
    table = Table(name, MetaData(), autoload_with=session.connection())
    key = session.connection().execute(insert(table).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def test_migration_leaves_one_winner_and_keeps_published_addresses(empty_engine: Engine) -> None:
    """A database from before the rules were the database's: two open rounds on one statement,
    two current stances of one person, a published statement. The newest of each stays."""
    migrate.upgrade(empty_engine, "0007")
    day = datetime(2017, 11, 16, 9, tzinfo=UTC)
    with Session(empty_engine) as session:
        fatima = User(name="Fatima", email="fatima@example.org", password_hash="-")
        session.add(fatima)
        session.flush()
        # Rows are written as that revision's tables had them, not through today's models.
        statement = _Row(
            _insert(
                session,
                "statement",
                title="Joint",
                context="",
                slug="joint-statement",
                approval_rule="consent",
                state="drafting",
                created_by=fatima.id,
                created_at=day,
                updated_at=day,
            )
        )
        session.add(
            Version(
                statement_id=statement.id, number=1, name="Final", rev=0, text="", content_hash=""
            )
        )
        rounds = [
            _Row(
                _insert(
                    session,
                    "review_round",
                    statement_id=statement.id,
                    version_number=1,
                    rule="consent",
                    opened_at=day + timedelta(hours=hour),
                    closed_at=closed,
                    approved=True if closed else None,
                )
            )
            for hour, closed in [(0, day + timedelta(hours=1)), (2, None), (3, None)]
        ]
        stances = [
            _Row(
                _insert(
                    session,
                    "stance",
                    round_id=rounds[2].id,
                    user_id=fatima.id,
                    organisation="",
                    kind=kind.value,
                    reason="Say whose knowledge.",
                    recorded_at=day + timedelta(hours=hour),
                )
            )
            for hour, kind in [(4, StanceKind.block), (5, StanceKind.approve)]
        ]
        session.add(
            Publication(
                statement_id=statement.id,
                number=1,
                version_number=1,
                round_id=rounds[0].id,
                title="Joint",
                text="",
                signatories=[],
                abstentions=[],
                published_at=day + timedelta(hours=1),
            )
        )
        session.commit()
        ids = [r.id for r in rounds], [s.id for s in stances], statement.id

    migrate.upgrade(empty_engine)

    (first, older, newest), (earlier, later), statement_id = ids
    with Session(empty_engine) as session:
        kept = {r.id: (r.closed_at, r.approved) for r in session.exec(select(ReviewRound))}
        assert kept[newest] == (None, None)
        assert kept[older] == (day + timedelta(hours=3), False)  # when the newest opened
        assert kept[first] == (day + timedelta(hours=1), True)
        current = {s.id: s.superseded_at for s in session.exec(select(Stance))}
        assert current == {earlier: day + timedelta(hours=5), later: None}
        [event] = session.exec(select(AuditEvent)).all()
        assert (event.kind, event.data["round_id"], event.actor_id) == ("round.closed", older, None)
        [address] = session.exec(select(PublishedAddress)).all()
        assert (address.slug, address.statement_id) == ("joint-statement", statement_id)
        assert address.since == day + timedelta(hours=1)
    migrate.downgrade(empty_engine, "0007")
    migrate.upgrade(empty_engine)
