import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.middleware import SESSION_COOKIE
from app.models.membership import Role
from app.models.statement import Statement
from app.models.user import User
from app.services import sessions
from tests.collab.live import ServerProcess
from tests.collab.sockets import Connect, Socket
from tests.factories import ORIGIN, add_member, make_statement, make_user


@pytest.fixture
def connect(client: TestClient, session: Session, settings: Settings) -> Connect:
    """Open a socket as a user. Every socket goes through the one started `client`, so all
    of them share the app's event loop, as they do in a real server."""

    @contextmanager
    def open_socket(
        user: User, statement: Statement, client_id: str | None = None, **params: Any
    ) -> Iterator[tuple[Socket, dict[str, Any]]]:
        token = sessions.start_session(session=session, settings=settings, user=user)
        session.commit()
        query = urlencode({"client_id": client_id or uuid.uuid4().hex, **params})
        headers = {"Origin": ORIGIN, "Cookie": f"{SESSION_COOKIE}={token}"}
        with client.websocket_connect(
            f"/ws/statements/{statement.id}?{query}", headers=headers
        ) as socket:
            yield socket, socket.receive_json()

    return open_socket


@pytest.fixture
def room(session: Session, settings: Settings) -> tuple[Statement, User, User, User]:
    facilitator, editor, viewer = make_user(session), make_user(session), make_user(session)
    statement = make_statement(session, settings, facilitator=facilitator, text="Hello world")
    add_member(session, statement, editor, Role.editor)
    add_member(session, statement, viewer, Role.viewer)
    return statement, facilitator, editor, viewer


@pytest.fixture
def workers(workers_database: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two `accord serve` processes on their own ports, sharing the database."""
    pair = []
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        pair.append(ServerProcess(folder, settings={"ACCORD_DATABASE_URL": workers_database}))
    try:
        for server in pair:
            server.start()
        yield pair[0], pair[1]
    finally:
        for server in pair:
            server.stop()
