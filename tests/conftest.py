"""Each test gets its own database: a copy of a migrated SQLite file, or a truncated
PostgreSQL schema when ACCORD_TEST_DATABASE_URL names a PostgreSQL server."""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from app import migrate
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.models.user import User
from tests.factories import client_for

POSTGRES_URL = os.environ.get("ACCORD_TEST_DATABASE_URL", "")
# Under pytest-xdist each worker process runs its share of the tests at the same time as the
# others: what a worker makes on the shared PostgreSQL server carries the worker's name.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def own_name(name: str) -> str:
    """`name` for a database or schema of this test process alone."""
    return f"{name}_{WORKER}" if WORKER else name


def _postgres_reachable(url: str) -> bool:
    engine = make_engine(Settings(database_url=url))
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last: Playwright keeps an event loop running in the main thread
    for the rest of the session, where a later test's asyncio.run would refuse to start."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server tests may use; skips the test where there is none."""
    url = POSTGRES_URL or "postgresql://postgres@127.0.0.1:5432/test"
    if not _postgres_reachable(url):
        pytest.skip(f"no PostgreSQL server answers at {url.split('@')[-1]}")
    return url


def fresh_database(postgres_url: str, name: str) -> str:
    """Make the database `name` afresh on the server of `postgres_url`, bring it to the newest
    schema, and return its URL."""
    with psycopg.connect(postgres_url, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(Settings(database_url=url))
    migrate.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def workers_database(postgres_url: str) -> str:
    """A PostgreSQL database of their own for tests that run several server processes on
    one database: made afresh once per run and brought to the newest schema."""
    return fresh_database(postgres_url, own_name("accord_workers"))


@pytest.fixture(scope="session")
def serve_database(postgres_url: str) -> str:
    """A PostgreSQL database of their own for the tests of `accord serve --workers N`."""
    return fresh_database(postgres_url, own_name("accord_serve"))


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate once per run: a SQLite file to copy, or the PostgreSQL schema to truncate (a
    database of its own for each parallel worker, named after the one given)."""
    if POSTGRES_URL and WORKER:
        yield fresh_database(POSTGRES_URL, own_name(make_url(POSTGRES_URL).database or "test"))
        return
    if POSTGRES_URL:
        settings = Settings(database_url=POSTGRES_URL)
        engine = make_engine(settings)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(engine)
        engine.dispose()
        yield POSTGRES_URL
        return
    folder = tmp_path_factory.mktemp("template")
    settings = Settings(data_dir=folder)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    engine.dispose()  # checkpoints the WAL into the main file
    yield str(folder / "accord.sqlite3")


@pytest.fixture
def settings(template_database: str, tmp_path: Path) -> Settings:
    if POSTGRES_URL:
        return Settings(data_dir=tmp_path, database_url=template_database)
    shutil.copyfile(template_database, tmp_path / "accord.sqlite3")
    return Settings(data_dir=tmp_path)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    yield engine
    if POSTGRES_URL:
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous browser-like client; it also runs the app's start-up and shutdown."""
    with TestClient(
        app, base_url="http://testserver", headers={"Origin": "http://testserver"}
    ) as c:
        yield c


@pytest.fixture
def signed_in(
    app: FastAPI, client: TestClient, session: Session, settings: Settings
) -> Callable[[User], TestClient]:
    """Make a client signed in as a user (the app is already started by `client`)."""

    def make(user: User) -> TestClient:
        return client_for(app, session, settings, user)

    return make
