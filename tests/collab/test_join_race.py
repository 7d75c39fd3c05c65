"""What changes while a socket is opening holds for it too: removed, given another role,
signed out or disabled between the check of who opens the socket and its entry into the
room, a person gets no socket, or one held to the new role; and a removed member's change
read from their socket after the removal is not taken. The tests hold such moments open on
purpose. In one process, the opening socket's read of its sign-in and membership answers,
then waits until the test has made the change. With two worker processes, the test locks
the op log's table, which the socket's entry into its room reads, and makes the change
through the other worker."""

import asyncio
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.collab.connection import Connection
from app.collab.hub import Hub
from app.config import Settings
from app.middleware import SESSION_COOKIE
from app.models.membership import Membership, Role
from app.models.statement import Statement
from app.models.user import User
from app.routers import collab
from app.services import sessions
from tests.collab.live import ServerProcess, bearer, make_team, server_text, start_statement
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
            hub: Hub, room: Any, connection: Connection, raw: str, settings: Settings
        ) -> None:
            handle(hub, room, connection, raw, settings)
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


@pytest.fixture
def workers(workers_database: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two `accord serve` processes on their own ports, sharing the database."""
    pair = [
        ServerProcess(tmp_path / name, settings={"ACCORD_DATABASE_URL": workers_database})
        for name in ("first", "second")
    ]
    try:
        for server in pair:
            server.data_dir.mkdir()
            server.start()
        yield pair[0], pair[1]
    finally:
        for server in pair:
            server.stop()


async def _open(server: ServerProcess, token: str, statement_id: int) -> ClientConnection:
    """A socket whose handshake is over: its sign-in and membership have been read."""
    return await connect(
        f"{server.ws_url}/ws/statements/{statement_id}?client_id={uuid.uuid4().hex}",
        additional_headers={"Authorization": f"Bearer {token}"},
        proxy=None,
        open_timeout=WAIT,
    )


async def _frame(socket: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
    return frame


async def _until(socket: ClientConnection, kind: str, **expected: Any) -> dict[str, Any]:
    """The next frame of `kind` whose fields hold `expected`; others are passed over."""
    while True:
        frame = await _frame(socket)
        if frame["type"] == kind and all(frame.get(k) == v for k, v in expected.items()):
            return frame


async def _close_code(socket: ClientConnection, *, at_once: bool) -> int:
    """The code the server closes the socket with: before any frame, or after any."""
    try:
        while True:
            frame = await _frame(socket)
            assert not at_once, f"the socket got a {frame['type']} frame before it was closed"
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else 1006  # no close frame


async def _role_when_refused(socket: ClientConnection) -> str:
    """As _refused_as_viewer, on a live server."""
    hello = await _frame(socket)
    assert hello["type"] == "hello", hello
    role = hello["role"]
    change = ["Mine: ", len(hello["text"])]
    await socket.send(json.dumps({"type": "op", "base_rev": hello["rev"], "seq": 1, "op": change}))
    while True:
        frame = await _frame(socket)
        if frame["type"] == "event" and frame["name"] == "member.role_changed":
            role = frame["role"]
        assert frame["type"] != "ack", f"a change was acknowledged, the role being {role}: {frame}"
        if frame["type"] == "error":
            assert (frame["code"], frame["seq"]) == ("forbidden", 1), frame
            return str(role)


@pytest.mark.postgres
def test_member_changes_on_one_worker_hold_for_sockets_opening_on_the_other(
    workers: tuple[ServerProcess, ServerProcess], workers_database: str
) -> None:
    first, second = workers
    team = make_team(first, editors=2)
    statement_id = start_statement(first, team, "We agree.")
    bob_token, carol_token = team.editor_tokens
    ids = []
    for token in (bob_token, carol_token):
        with bearer(first, token) as person:
            ids.append(person.get("/api/me").json()["id"])
    members = f"/api/statements/{statement_id}/members"

    async def session() -> None:
        # Bob and Carol have the statement open on the second worker already.
        bob_open, carol_open = [
            await _open(second, t, statement_id) for t in (bob_token, carol_token)
        ]
        for socket in (bob_open, carol_open):
            assert (await _frame(socket))["type"] == "hello"
        with psycopg.connect(workers_database) as held:
            # Until this transaction ends, no socket enters a room: entering reads the op log.
            held.execute("LOCK TABLE operation IN ACCESS EXCLUSIVE MODE")
            try:
                bob_new, carol_new = [
                    await _open(second, t, statement_id) for t in (bob_token, carol_token)
                ]
                with bearer(first, team.facilitator_token) as facilitator:
                    assert facilitator.delete(f"{members}/{ids[0]}").status_code == 204
                    demoted = facilitator.patch(f"{members}/{ids[1]}", json={"role": "viewer"})
                    assert demoted.status_code == 200
                # Both changes have reached the second worker.
                assert await _close_code(bob_open, at_once=False) == 4404
                await _until(carol_open, "event", name="member.role_changed", role="viewer")
            finally:
                held.rollback()
        assert await _close_code(bob_new, at_once=True) == 4404
        assert await _role_when_refused(carol_new) == "viewer"
        await asyncio.gather(carol_open.close(), carol_new.close())

    asyncio.run(session())
    assert server_text(first, team.facilitator_token, statement_id) == (1, "We agree.")
