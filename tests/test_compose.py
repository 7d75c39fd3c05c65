"""docker-compose.yml runs Accord on PostgreSQL: the app waits for a healthy database."""

from pathlib import Path
from typing import Any

import yaml

from app.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def load() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose


def test_compose_wires_postgres_and_app() -> None:
    services = load()["services"]
    postgres, app = services["postgres"], services["app"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    url = app["environment"]["ACCORD_DATABASE_URL"]
    settings = Settings(database_url=url)
    assert not settings.is_sqlite
    assert "@postgres:5432/" in url
    env = postgres["environment"]
    assert url == (
        f"postgresql://{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}"
        f"@postgres:5432/{env['POSTGRES_DB']}"
    )
    command = " ".join(app["command"])
    assert command.index("accord db upgrade") < command.index("accord serve")
    assert "8000:8000" in app["ports"]


def test_dockerfile_installs_what_compose_runs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for needed in ("COPY app", "COPY migrations", "COPY frontend", "alembic.ini", "pip install"):
        assert needed in dockerfile
