"""GET /api/health: what a load balancer asks each worker before sending it people."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import create_engine


def test_health_answers_without_signing_in(client: TestClient, app: FastAPI) -> None:
    answer = client.get("/api/health")
    assert answer.status_code == 200
    engine = app.state.engine
    # On PostgreSQL the worker listens to the others; on SQLite it is the only one.
    channel = "listening" if engine.dialect.name == "postgresql" else "none"
    assert answer.json() == {
        "status": "ok",
        "database": engine.dialect.name,
        "workers_channel": channel,
    }


def test_health_says_when_the_database_is_gone(client: TestClient, app: FastAPI) -> None:
    working = app.state.engine
    app.state.engine = create_engine("sqlite:////nonexistent-folder/accord.sqlite3")
    try:
        answer = client.get("/api/health")
    finally:
        app.state.engine = working
    assert answer.status_code == 503
    assert answer.json() == {"detail": "The database does not answer."}
