"""People around one statement, and a server that sends email (to an address nobody answers
at: these tests read the outbox; tests/mail reads what an SMTP server receives)."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.models.membership import Role
from app.models.notification import OutboxMessage
from app.models.statement import Statement
from app.models.user import User
from tests.factories import add_member, make_statement, make_user

TEXT = "# Partnerships\n\nWe value free knowledge. Partners need support.\n"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """Mail on, through a server that is not there: messages wait in the outbox."""
    return settings.model_copy(update={"smtp_url": "smtp://127.0.0.1:9", "public_url": ""})


@dataclass
class Group:
    statement: Statement
    fatima: User  # facilitator
    ben: User  # editor
    rosa: User  # reviewer
    vera: User  # viewer

    @property
    def sid(self) -> int:
        return self.statement.id


@pytest.fixture
def group(session: Session, settings: Settings) -> Group:
    fatima = make_user(session, name="Fatima", organisation="Wikimedia Norway")
    ben = make_user(session, name="Ben Smith", organisation="Wikimedia UK")
    rosa = make_user(session, name="Rosa", organisation="Creative Commons")
    vera = make_user(session, name="Vera", organisation="Wikimedia Ukraine")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    add_member(session, statement, ben, Role.editor)
    add_member(session, statement, rosa, Role.reviewer)
    add_member(session, statement, vera, Role.viewer)
    return Group(statement, fatima, ben, rosa, vera)


def outbox(engine: Engine, to: str | None = None) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if to is not None:
            query = query.where(OutboxMessage.to_address == to)
        return list(session.exec(query).all())


def told(client: TestClient) -> list[dict[str, object]]:
    """The person's notifications as the API lists them, newest first."""
    answer = client.get("/api/notifications")
    assert answer.status_code == 200, answer.text
    data: list[dict[str, object]] = answer.json()["data"]
    return data


Clients = Callable[[User], TestClient]
