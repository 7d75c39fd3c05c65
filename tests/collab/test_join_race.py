"""What changes while a socket is opening holds for it too: removed, given another role,
signed out or disabled between the check of who opens the socket and its entry into the
room, a person gets no socket, or one held to the new role; and a removed member's change
read from their socket after the removal is not taken. The tests hold such moments open on
purpose: the opening socket's read of its sign-in and membership answers, then waits until
the test has made the change. test_join_race_workers.py does the same across two workers."""

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.collab.connection import Connection
from app.config import Settings
from app.middleware import SESSION_COOKIE
from app.models.membership import Membership, Role
from app.models.statement import Statement
from app.models.user import User
from app.routers import collab
from app.services import sessions
from tests.collab.sockets import Connect, Socket
from tests.factories import ORIGIN, make_invitation, make_user

Room = tuple[Statement, User, User, User]
Read = Callable[[Engine, WebSocket, int], tuple[User | None, Membership | None]]
WAIT = 10.0


@dataclass
class HeldRead:
    """The opening socket's read of who it is: the first answers, then waits for the test."""

    read: Read
    answered: threading.Event = field(default_factory=threading.Event)
    go_on: threading.Event = field(default_factory=threading.Event)
    calls: int = 0

    def __call__(
        self, engine: Engine, websocket: WebSocket, statement_id: int
    ) -> tuple[User | None, Membership | None]:
        found = self.read(engine, websocket, statement_id)
        self.calls += 1
        if self.calls == 1:
            self.answered.set()
            if not self.go_on.wait(WAIT):
                raise TimeoutError("the test never let the socket go on")
        return found


@dataclass
class Opening:
    """A socket whose sign-in and membership were read, held before it joins its room."""

    held: HeldRead
    socket: "Future[Socket]"

    def go_on(self) -> Socket:
        """Let the socket go on to its room; its handshake is over once this returns."""
        self.held.go_on.set()
        return self.socket.result(timeout=WAIT)


@contextmanager
def _held_open(
    client: TestClient, statement: Statement, monkeypatch: pytest.MonkeyPatch, **headers: str
) -> Iterator[Opening]:
    """Start opening a socket, and return once its read of who it is has answered."""
    held = HeldRead(collab._member)
    monkeypatch.setattr(collab, "_member", held)
    path = f"/ws/statements/{statement.id}?client_id={uuid.uuid4().hex}"
    with ThreadPoolExecutor(1) as pool, ExitStack() as sockets:
        # The handshake waits for the read, so it is made in a thread of its own.
        opening = pool.submit(
            sockets.enter_context,
            client.websocket_connect(path, headers={"Origin": ORIGIN, **headers}),
        )
        try:
            assert held.answered.wait(WAIT), "the socket's membership was never read"
            yield Opening(held, opening)
        finally:
            held.go_on.set()
            opening.result(timeout=WAIT)  # entered, so that the stack closes it


def _cookie(session: Session, settings: Settings, user: User) -> str:
    token = sessions.start_session(session=session, settings=settings, user=user)
    session.commit()
    return token


def _as(token: str) -> dict[str, str]:
    return {"Origin": ORIGIN, "Cookie": f"{SESSION_COOKIE}={token}"}


def _closed_at_once(socket: Socket) -> int:
    """The close code of a socket that the server closes before any frame: no hello, so no
    text, no peers and none of the others' edits."""
    try:
        frame = socket.receive_json()
    except WebSocketDisconnect as closed:
        return closed.code
    pytest.fail(f"the socket got a {frame['type']} frame before it was closed: {frame}")


def _until_closed(socket: Socket) -> tuple[list[dict[str, Any]], int]:
    """Every frame the socket gets, and the code the server then closes it with."""
    frames: list[dict[str, Any]] = []
    try:
        while True:
            frames.append(socket.receive_json())
    except WebSocketDisconnect as closed:
        return frames, closed.code


def _type(writer: Socket, hello: dict[str, Any]) -> list[dict[str, Any]]:
    """Someone already there types; every frame they get up to its acknowledgement."""
    change = ["!", len(hello["text"])]
    writer.send_json({"type": "op", "base_rev": hello["rev"], "seq": 1, "op": change})
    frames: list[dict[str, Any]] = []
    while not frames or frames[-1]["type"] != "ack":
        frames.append(writer.receive_json())
        assert frames[-1]["type"] != "error", frames
    return frames


def _refused_as_viewer(socket: Socket) -> str:
    """The role the socket ends up with after its hello, once a change it sends is refused;
    fails if the change is acknowledged."""
    hello = socket.receive_json()
    assert hello["type"] == "hello", hello
    role = hello["role"]
    change = ["Mine: ", len(hello["text"])]
    socket.send_json({"type": "op", "base_rev": hello["rev"], "seq": 1, "op": change})
    while True:
        frame = socket.receive_json()
        if frame["type"] == "event" and frame["name"] == "member.role_changed":
            role = frame["role"]
        assert frame["type"] != "ack", f"a change was acknowledged, the role being {role}: {frame}"
        if frame["type"] == "error":
            assert (frame["code"], frame["seq"]) == ("forbidden", 1), frame
            return str(role)


def test_member_removed_while_their_socket_opens_is_closed(
    connect: Connect,
    client: TestClient,
    room: Room,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    statement, facilitator, editor, _ = room
    as_facilitator = _as(_cookie(session, settings, facilitator))
    as_editor = _as(_cookie(session, settings, editor))
    with (
        connect(facilitator, statement) as (writing, hello),
        _held_open(client, statement, monkeypatch, **as_editor) as opening,
    ):
        removed = client.delete(
            f"/api/statements/{statement.id}/members/{editor.id}", headers=as_facilitator
        )
        assert removed.status_code == 204
        assert _closed_at_once(opening.go_on()) == 4404
        # The others never saw them arrive, and write on.
        frames = _type(writing, hello)
        assert all(f["type"] != "presence" for f in frames), frames


def test_member_demoted_while_their_socket_opens_may_not_edit(
    client: TestClient,
    room: Room,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    statement, facilitator, editor, _ = room
    as_facilitator = _as(_cookie(session, settings, facilitator))
    with _held_open(
        client, statement, monkeypatch, **_as(_cookie(session, settings, editor))
    ) as opening:
        demoted = client.patch(
            f"/api/statements/{statement.id}/members/{editor.id}",
            json={"role": "viewer"},
            headers=as_facilitator,
        )
        assert demoted.status_code == 200
        assert _refused_as_viewer(opening.go_on()) == "viewer"
    text = client.get(f"/api/statements/{statement.id}/text", headers=as_facilitator).json()
    assert text == {"rev": 1, "text": "Hello world"}


def test_member_removed_and_invited_again_while_their_socket_opens_has_the_new_role(
    client: TestClient,
    room: Room,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    statement, facilitator, editor, _ = room
    as_facilitator = _as(_cookie(session, settings, facilitator))
    as_editor = _as(_cookie(session, settings, editor))
    with _held_open(client, statement, monkeypatch, **as_editor) as opening:
        removed = client.delete(
            f"/api/statements/{statement.id}/members/{editor.id}", headers=as_facilitator
        )
        assert removed.status_code == 204
        invitation = make_invitation(session, settings, statement, facilitator, role=Role.viewer)
        joined = client.post(f"/api/invitations/{invitation}/accept", json={}, headers=as_editor)
        assert joined.json()["role"] == "viewer"
        assert _refused_as_viewer(opening.go_on()) == "viewer"


@pytest.mark.parametrize("ending", ["sign out", "token revoked", "account disabled"])
def test_sign_in_ended_while_a_socket_opens_is_closed(
    connect: Connect,
    client: TestClient,
    room: Room,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    ending: str,
) -> None:
    statement, facilitator, editor, _ = room
    administrator = make_user(session)
    administrator.admin = True
    session.add(administrator)
    session.commit()
    as_administrator = _as(_cookie(session, settings, administrator))
    token = _cookie(session, settings, editor)
    script, secret = sessions.create_api_token(session=session, user=editor, name="script")
    session.commit()
    signed_in = {"Authorization": f"Bearer {secret}"} if ending == "token revoked" else _as(token)
    with (
        connect(facilitator, statement) as (writing, hello),
        _held_open(client, statement, monkeypatch, **signed_in) as opening,
    ):
        if ending == "sign out":
            answer = client.delete("/api/session", headers=_as(token))
            assert answer.status_code == 204
        elif ending == "token revoked":
            answer = client.delete(f"/api/tokens/{script.id}", headers=_as(token))
            assert answer.status_code == 204
        else:
            answer = client.patch(
                f"/api/users/{editor.id}", json={"disabled": True}, headers=as_administrator
            )
            assert answer.status_code == 200, answer.text
        assert _closed_at_once(opening.go_on()) == 4401
        frames = _type(writing, hello)
        assert all(f["type"] != "presence" for f in frames), frames


@dataclass
class HeldFrame:
    """A frame of one client id's, read from its socket and held there before it is handled."""

    client_id: str
    read: threading.Event = field(default_factory=threading.Event)
    go_on: threading.Event = field(default_factory=threading.Event)
    handled: threading.Event = field(default_factory=threading.Event)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        keep_to_the_rate, handle = collab._keep_to_the_rate, collab._handle

        async def hold(websocket: WebSocket, connection: Connection, per_second: float) -> bool:
            if connection.client_id == self.client_id and not self.read.is_set():
                self.read.set()
                await asyncio.to_thread(self.go_on.wait, WAIT)
            return await keep_to_the_rate(websocket, connection, per_second)

        def handled(
            hub: Any, audience: Any, connection: Connection, raw: str, settings: Settings
        ) -> None:
            handle(hub, audience, connection, raw, settings)
            if connection.client_id == self.client_id:
                self.handled.set()

        monkeypatch.setattr(collab, "_keep_to_the_rate", hold)
        monkeypatch.setattr(collab, "_handle", handled)


def test_member_removed_while_a_change_of_theirs_is_read_has_it_refused(
    connect: Connect,
    client: TestClient,
    room: Room,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A change read from the socket after the removal was applied is not taken, even
    before the socket is closed."""
    statement, facilitator, editor, _ = room
    as_facilitator = _as(_cookie(session, settings, facilitator))
    held = HeldFrame(uuid.uuid4().hex)
    with (
        connect(facilitator, statement) as (writing, hello),
        connect(editor, statement, client_id=held.client_id) as (removed, _),
    ):
        held.install(monkeypatch)
        removed.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": ["Mine: ", 11]})
        assert held.read.wait(WAIT)
        answer = client.delete(
            f"/api/statements/{statement.id}/members/{editor.id}", headers=as_facilitator
        )
        assert answer.status_code == 204
        held.go_on.set()
        assert held.handled.wait(WAIT)
        # Had the change been taken, it would be revision 2, and this one 3.
        assert _type(writing, hello)[-1] == {"type": "ack", "seq": 1, "rev": 2}
        frames, code = _until_closed(removed)
        assert code == 4404
        assert all(f["type"] != "ack" for f in frames), frames
    text = client.get(f"/api/statements/{statement.id}/text", headers=as_facilitator).json()
    assert text == {"rev": 2, "text": "!Hello world"}
