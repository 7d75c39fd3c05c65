"""Abuse of the live connection: a client flooding frames is throttled and told so, while
the others write on undisturbed, and sockets that come and go leave nothing behind."""

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from websockets.asyncio.client import connect

from app.config import Settings
from app.middleware import SESSION_COOKIE
from app.models.membership import Role
from app.models.statement import Statement
from app.models.user import User
from app.routers import collab as collab_router
from app.routers.collab import RATE_NOTICE_SECONDS
from app.services import sessions
from tests.collab.editing import Typist, assert_typed_once
from tests.collab.live import (
    LiveEditor,
    ServerProcess,
    make_team,
    server_text,
    settle,
    start_statement,
)
from tests.collab.sockets import Connect, receive
from tests.factories import ORIGIN, add_member, make_statement, make_user

RATE = 100  # frames a second one connection may send (bursts of twice that)


@pytest.mark.slow
def test_a_flooding_client_is_throttled_while_the_others_write_on(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, settings={"ACCORD_MAX_FRAMES_PER_SECOND": str(RATE)})
    server.start()
    try:
        team = make_team(server, editors=3)
        statement_id = start_statement(server, team, "")
        flooder_token, *calm_tokens = team.editor_tokens
        editors = [
            LiveEditor(server.ws_url, statement_id, token, f"calm {n}")
            for n, token in enumerate(calm_tokens)
        ]
        typists = [Typist(editor, n, random.Random(n)) for n, editor in enumerate(editors, 1)]
        flood: Counter[str] = Counter()

        async def flooding() -> float:
            """Thousands of changes as fast as they go, replies counted for five seconds;
            return how long the socket was open, closing included."""
            url = f"{server.ws_url}/ws/statements/{statement_id}?client_id=flood"
            headers = {"Authorization": f"Bearer {flooder_token}"}
            loop = asyncio.get_running_loop()
            async with connect(url, additional_headers=headers) as socket:
                hello = json.loads(await socket.recv())
                started = loop.time()
                for seq in range(1, 3001):
                    frame = {"type": "op", "base_rev": hello["rev"], "seq": seq, "op": ["x"]}
                    if hello["text"]:
                        frame["op"] = ["x", len(hello["text"])]
                    await socket.send(json.dumps(frame))
                deadline = started + 5
                while loop.time() < deadline:
                    try:
                        reply = json.loads(await asyncio.wait_for(socket.recv(), 1))
                    except TimeoutError:
                        break
                    flood[reply["type"] if reply["type"] != "error" else reply["code"]] += 1
            # Closing took a while too: the close frame waited behind the unread changes.
            return loop.time() - started

        async def session() -> float:
            try:
                await asyncio.gather(*(editor.connect() for editor in editors))
                until = time.monotonic() + 3.0
                typing = asyncio.gather(*(typist.run(until) for typist in typists))
                open_for = await flooding()
                await typing
                await settle(editors, within=30)
                return open_for
            finally:
                await asyncio.gather(*(editor.close() for editor in editors))

        open_for = asyncio.run(session())
        _, text = server_text(server, team.facilitator_token, statement_id)
    finally:
        server.stop()
    # Told out loud, every few seconds at most; its changes read at the rate (a burst of twice
    # the rate first), none dropped while it listened, the rest never read once it left.
    assert 1 <= flood["rate_limited"] <= 1 + open_for / RATE_NOTICE_SECONDS
    assert 2 * RATE <= flood["ack"] <= text.count("x") <= 2 * RATE + RATE * (open_for + 1)
    # The others' every keystroke arrived, once.
    assert_typed_once(text.replace("x", ""), typists, [])


def test_sockets_that_come_and_go_leave_nothing_behind(
    app: FastAPI, session: Session, settings: Settings
) -> None:
    people = [make_user(session) for _ in range(4)]
    statements = [make_statement(session, settings, facilitator=people[0]) for _ in range(3)]
    for statement in statements:
        for person in people[1:]:
            add_member(session, statement, person, Role.editor)
    cookies = [sessions.start_session(session=session, settings=settings, user=p) for p in people]
    session.commit()
    with TestClient(app, base_url=ORIGIN) as client:
        hub = client.app.state.hub  # type: ignore[attr-defined]
        tasks_before = client.portal.call(_task_count)  # type: ignore[union-attr]
        for _ in range(5):
            with contextlib.ExitStack() as opened:
                for statement in statements:
                    for cookie in cookies:
                        path = f"/ws/statements/{statement.id}?client_id={uuid.uuid4().hex}"
                        headers = {"Origin": ORIGIN, "Cookie": f"{SESSION_COOKIE}={cookie}"}
                        socket = opened.enter_context(
                            client.websocket_connect(path, headers=headers)
                        )
                        assert socket.receive_json()["type"] == "hello"  # in the room by now
                assert len(hub.audiences) == len(statements)
                assert sum(hub.sockets.held.values()) == len(statements) * len(cookies)
        client.portal.call(asyncio.sleep, 0.2)  # type: ignore[union-attr]
        assert hub.audiences == {}
        assert hub.sockets.held == Counter()
        assert client.portal.call(_task_count) <= tasks_before  # type: ignore[union-attr]


async def _task_count() -> int:
    return len(asyncio.all_tasks())


def test_flooding_client_throttled(
    connect: Connect, room: tuple[Statement, User, User, User], settings: Settings
) -> None:
    """Past its rate a client is told so, once, and its frames are read at the rate: none is
    dropped, and nobody else waits for them."""
    statement, facilitator, editor, _ = room
    settings.max_frames_per_second = 10  # a burst of 20 frames, then 10 a second
    with connect(facilitator, statement) as (flood, _), connect(editor, statement) as (calm, _):
        for seq in range(1, 31):
            flood.send_json({"type": "op", "base_rev": 1, "seq": seq, "op": ["x", 11]})
        calm.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [11, "!"]})
        # The calm editor's change goes through at once, ahead of the flood's last ten.
        while (frame := calm.receive_json())["type"] != "ack":
            pass
        assert frame["rev"] <= 22
        acks: list[int] = []
        errors: list[dict[str, Any]] = []
        while len(acks) < 30:
            frame = flood.receive_json()
            if frame["type"] == "ack":
                acks.append(frame["seq"])
            elif frame["type"] == "error":
                errors.append(frame)
        assert [frame["code"] for frame in errors] == ["rate_limited"]
        assert "10 a second" in errors[0]["message"]
        assert acks == list(range(1, 31))


def test_a_socket_whose_sender_failed_still_leaves_its_room(
    connect: Connect,
    app: FastAPI,
    room: tuple[Statement, User, User, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """However sending to a socket fails, its connection leaves the room: nobody is left
    listed as present, and the room closes with its last socket."""

    async def fails(websocket: object, connection: object) -> None:
        raise RuntimeError("Unexpected ASGI message 'websocket.send', after 'websocket.close'.")

    statement, facilitator, editor, _ = room
    hub = app.state.hub
    with connect(facilitator, statement) as (first, _):
        monkeypatch.setattr(collab_router, "_pump_out", fails)
        with connect(editor, statement, client_id="broken"):
            arrived = receive(first, "presence")
            assert arrived["client_id"] == "broken"
        gone = receive(first, "presence")
        assert (gone["client_id"], gone["left"]) == ("broken", True)
    assert hub.audiences == {}
