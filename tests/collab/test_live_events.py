"""Live events: what happens to a statement reaches every open socket at once."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from app.config import Settings
from app.middleware import SESSION_COOKIE
from app.models.statement import Statement
from app.models.user import User
from app.services import sessions
from tests.collab.sockets import Connect, browser_headers, receive


def test_member_changes_reach_open_sockets(
    connect: Connect,
    client: TestClient,
    room: tuple[Statement, User, User, User],
    session: Session,
    settings: Settings,
) -> None:
    statement, facilitator, editor, _ = room
    token = sessions.start_session(session=session, settings=settings, user=facilitator)
    session.commit()
    as_facilitator = {"Cookie": f"{SESSION_COOKIE}={token}"}
    members = f"/api/statements/{statement.id}/members/{editor.id}"
    with connect(editor, statement) as (socket, _):
        demoted = client.patch(members, json={"role": "viewer"}, headers=as_facilitator)
        assert demoted.status_code == 200
        assert receive(socket, "event") == {
            "type": "event",
            "name": "member.role_changed",
            "role": "viewer",
        }
        socket.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [11, "!"]})
        assert receive(socket, "error")["code"] == "forbidden"
        assert client.delete(members, headers=as_facilitator).status_code == 204
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
        assert closed.value.code == 4404


def test_versions_saved_and_restored_reach_open_pages(
    connect: Connect,
    client: TestClient,
    room: tuple[Statement, User, User, User],
    session: Session,
    settings: Settings,
) -> None:
    statement, facilitator, editor, _ = room
    as_facilitator = browser_headers(session, settings, facilitator)
    versions = f"/api/statements/{statement.id}/versions"
    with connect(editor, statement) as (socket, _):
        saved = client.post(versions, json={"name": "Draft 1"}, headers=as_facilitator)
        assert saved.status_code == 201
        assert receive(socket, "event") == {
            "type": "event",
            "name": "version.saved",
            "version": {"number": 1, "name": "Draft 1"},
        }
        socket.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [11, "!"]})
        assert receive(socket, "ack")["rev"] == 2

        restored = client.post(f"{versions}/1/restore", headers=as_facilitator)
        assert restored.json() == {"rev": 3}
        change = receive(socket, "op")
        assert (change["rev"], change["op"], change["author"]["id"]) == (
            3,
            [11, -1],
            facilitator.id,
        )
        assert receive(socket, "event") == {
            "type": "event",
            "name": "version.restored",
            "version": {"number": 1},
            "rev": 3,
        }
