"""A membership change made through one worker holds for sockets opening on the other: the
test locks the op log's table, which a socket's entry into its room reads, makes the change
through the other worker, and only then lets the sockets in."""

import asyncio
import json
import uuid
from typing import Any

import psycopg
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.collab.live import ServerProcess, bearer, make_team, server_text, start_statement

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WAIT = 10.0


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
    """The role a socket had when its change was refused (never acknowledged)."""
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
