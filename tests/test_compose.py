"""docker-compose.yml runs Accord on PostgreSQL: the app waits for a healthy database, and its
email goes to a mail catcher."""

import re
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient

from app.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def load() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose


def test_compose_wires_postgres_and_two_apps() -> None:
    services = load()["services"]
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    env = postgres["environment"]
    expected_url = (
        f"postgresql://{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}"
        f"@postgres:5432/{env['POSTGRES_DB']}"
    )
    for name in ("app", "app2"):
        app = services[name]
        url = app["environment"]["ACCORD_DATABASE_URL"]
        assert url == expected_url
        assert not Settings(database_url=url).is_sqlite
        assert "/api/health" in " ".join(app["healthcheck"]["test"])
        assert "ports" not in app  # reached through the proxy only
    # The first brings the schema up to date; the second starts once the first is healthy.
    first = " ".join(services["app"]["command"])
    assert first.index("accord db upgrade") < first.index("accord serve")
    assert services["app"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "upgrade" not in " ".join(services["app2"]["command"])
    assert services["app2"]["depends_on"]["app"]["condition"] == "service_healthy"


def test_the_proxy_spreads_people_over_both_apps(client: TestClient) -> None:
    proxy = load()["services"]["proxy"]
    assert "8000:8000" in proxy["ports"]
    mounted = proxy["volumes"][0].split(":")
    caddyfile = (ROOT / mounted[0]).read_text()
    assert "reverse_proxy app:8000 app2:8000" in caddyfile
    health = re.search(r"health_uri (\S+)", caddyfile)
    assert health is not None
    assert client.get(health.group(1)).status_code == 200  # a real route, open to anyone


def test_dockerfile_installs_what_compose_runs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for needed in ("COPY app", "COPY migrations", "COPY frontend", "alembic.ini", "pip install"):
        assert needed in dockerfile


def test_compose_sends_email_to_a_mail_catcher() -> None:
    services = load()["services"]
    mailpit = services["mailpit"]
    assert mailpit["image"].startswith("axllent/mailpit")
    assert "8025:8025" in mailpit["ports"]  # its pages, where people read what was sent
    for name in ("app", "app2"):
        smtp = Settings(smtp_url=services[name]["environment"]["ACCORD_SMTP_URL"]).smtp
        assert smtp is not None
        assert (smtp.host, smtp.port) == ("mailpit", 1025)  # Mailpit's SMTP port
