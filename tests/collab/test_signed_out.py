"""A live socket lasts only as long as what signed it in: signing out, revoking the token or
disabling the account closes it (code 4401), and leaves everyone else's open."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from app.collab import hub as hub_module
from app.config import Settings
from app.middleware import SESSION_COOKIE
from app.models.statement import Statement
from app.models.user import User
from app.services import sessions
from tests.collab.sockets import Socket, receive
from tests.factories import ORIGIN

Room = tuple[Statement, User, User, User]


@contextmanager
def _socket(client: TestClient, statement: Statement, **headers: str) -> Iterator[Socket]:
    path = f"/ws/statements/{statement.id}?client_id={uuid.uuid4().hex}"
    with client.websocket_connect(path, headers={"Origin": ORIGIN, **headers}) as socket:
        assert socket.receive_json()["type"] == "hello"
        yield socket


def _closed_with(socket: Socket) -> int:
    """The close code, once the server closes the socket (frames before it are passed over)."""
    try:
        while True:
            socket.receive_json()
    except WebSocketDisconnect as closed:
        return closed.code


def _still_open(socket: Socket, seq: int, base_rev: int) -> dict[str, Any]:
    socket.send_json({"type": "op", "base_rev": base_rev, "seq": seq, "op": ["!", 11]})
    return receive(socket, "ack")


def test_signing_out_closes_that_sessions_sockets(
    client: TestClient, room: Room, session: Session, settings: Settings
) -> None:
    statement, _, editor, _ = room
    leaving = sessions.start_session(session=session, settings=settings, user=editor)
    staying = sessions.start_session(session=session, settings=settings, user=editor)
    session.commit()
    with (
        _socket(client, statement, Cookie=f"{SESSION_COOKIE}={leaving}") as gone,
        _socket(client, statement, Cookie=f"{SESSION_COOKIE}={staying}") as kept,
    ):
        answer = client.delete(
            "/api/session", headers={"Origin": ORIGIN, "Cookie": f"{SESSION_COOKIE}={leaving}"}
        )
        assert answer.status_code == 204
        assert _closed_with(gone) == 4401
        # The same person's other browser is still signed in, and still writing.
        assert _still_open(kept, 1, 1)["rev"] == 2


def test_revoking_a_token_closes_its_sockets(
    client: TestClient, room: Room, session: Session, settings: Settings
) -> None:
    statement, _, editor, _ = room
    token, secret = sessions.create_api_token(session=session, user=editor, name="script")
    cookie = sessions.start_session(session=session, settings=settings, user=editor)
    session.commit()
    with _socket(client, statement, Authorization=f"Bearer {secret}") as script:
        answer = client.delete(
            f"/api/tokens/{token.id}",
            headers={"Origin": ORIGIN, "Cookie": f"{SESSION_COOKIE}={cookie}"},
        )
        assert answer.status_code == 204
        assert _closed_with(script) == 4401


def test_an_account_disabled_elsewhere_loses_its_sockets(
    app: FastAPI,
    room: Room,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`accord user disable` runs in its own process; the server finds out on its next
    check of the sockets' sign-ins."""
    monkeypatch.setattr(hub_module, "CREDENTIAL_CHECK_SECONDS", 0.1)
    statement, facilitator, editor, _ = room
    editor_cookie = sessions.start_session(session=session, settings=settings, user=editor)
    other_cookie = sessions.start_session(session=session, settings=settings, user=facilitator)
    session.commit()
    with (
        TestClient(app, base_url=ORIGIN) as fresh,
        _socket(fresh, statement, Cookie=f"{SESSION_COOKIE}={editor_cookie}") as disabled,
        _socket(fresh, statement, Cookie=f"{SESSION_COOKIE}={other_cookie}") as other,
    ):
        env = {"ACCORD_DATA_DIR": str(settings.data_dir)}
        if settings.database_url:
            env["ACCORD_DATABASE_URL"] = settings.database_url
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "user", "disable", "--email", editor.email],
            env={**_clean_environment(), **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "signed out everywhere" in done.stdout
        assert _closed_with(disabled) == 4401
        assert _still_open(other, 1, 1)["rev"] == 2
        signed_in = fresh.get("/api/me", headers={"Cookie": f"{SESSION_COOKIE}={editor_cookie}"})
        assert signed_in.status_code == 401


def _clean_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("ACCORD_")}


def test_an_account_disabled_by_an_administrator_loses_its_sockets_at_once(
    client: TestClient, room: Room, session: Session, settings: Settings
) -> None:
    statement, facilitator, editor, _ = room
    facilitator.admin = True
    session.add(facilitator)
    editor_cookie = sessions.start_session(session=session, settings=settings, user=editor)
    admin_cookie = sessions.start_session(session=session, settings=settings, user=facilitator)
    session.commit()
    with (
        _socket(client, statement, Cookie=f"{SESSION_COOKIE}={editor_cookie}") as disabled,
        _socket(client, statement, Cookie=f"{SESSION_COOKIE}={admin_cookie}") as other,
    ):
        answer = client.patch(
            f"/api/users/{editor.id}",
            json={"disabled": True},
            headers={"Origin": ORIGIN, "Cookie": f"{SESSION_COOKIE}={admin_cookie}"},
        )
        assert answer.status_code == 200
        assert _closed_with(disabled) == 4401
        assert _still_open(other, 1, 1)["rev"] == 2


def test_signing_out_everywhere_else_closes_the_other_browsers_sockets(
    client: TestClient, room: Room, session: Session, settings: Settings
) -> None:
    statement, _, editor, _ = room
    here = sessions.start_session(session=session, settings=settings, user=editor)
    laptop = sessions.start_session(session=session, settings=settings, user=editor)
    session.commit()
    with (
        _socket(client, statement, Cookie=f"{SESSION_COOKIE}={laptop}") as gone,
        _socket(client, statement, Cookie=f"{SESSION_COOKIE}={here}") as kept,
    ):
        answer = client.delete(
            "/api/sessions", headers={"Origin": ORIGIN, "Cookie": f"{SESSION_COOKIE}={here}"}
        )
        assert answer.json() == {"ended": 1}
        assert _closed_with(gone) == 4401
        assert _still_open(kept, 1, 1)["rev"] == 2
