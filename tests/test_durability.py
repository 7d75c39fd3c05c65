"""Start-up refuses a database that could lose acknowledged changes."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from app.config import Settings
from app.db import DurabilityError, check_durability, make_engine
from app.main import create_app


def test_sqlite_engine_is_durable(tmp_path: Path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path))
    check_durability(engine)
    engine.dispose()


def test_sqlite_without_wal_refused(tmp_path: Path) -> None:
    plain = create_engine(f"sqlite:///{tmp_path}/plain.sqlite3")
    with pytest.raises(DurabilityError, match="WAL"):
        check_durability(plain)
    plain.dispose()


def test_app_refuses_in_memory_database(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, database_url="sqlite://"))
    with pytest.raises(DurabilityError, match="journal mode 'memory'"), TestClient(app):
        pass


def test_postgres_without_synchronous_commit_refused(postgres_url: str) -> None:
    url = Settings(database_url=postgres_url).effective_database_url
    weak = create_engine(url, connect_args={"options": "-c synchronous_commit=off"})
    with pytest.raises(DurabilityError, match="synchronous_commit=off"):
        check_durability(weak)
    weak.dispose()
    strong = make_engine(Settings(database_url=postgres_url))
    check_durability(strong)
    strong.dispose()
