"""Two server processes on one PostgreSQL database, as two hosts would run: editors on either
converge, presence, events and membership cross between them, a worker that loses its
notice channel catches up, and a killed worker's editors carry on at the other."""

import asyncio
import json
import random
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.collab.fanout import GONE_AFTER
from tests.collab.editing import (
    MARKER,
    START_TEXT,
    Typist,
    assert_converged,
    assert_typed_once,
    editors_for,
    random_edit,
)
from tests.collab.live import (
    LiveEditor,
    ServerProcess,
    Team,
    bearer,
    make_team,
    server_text,
    settle,
    start_statement,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
WAIT = 10.0


async def _until_level(
    editors: list[LiveEditor], server: ServerProcess, team: Team, sid: int
) -> None:
    """Settle, then wait for the last broadcasts to reach everyone."""
    await settle(editors, within=30)
    for _ in range(100):
        rev, _ = server_text(server, team.facilitator_token, sid)
        if all(editor.rev == rev for editor in editors):
            return
        await asyncio.sleep(0.05)


async def _type_and_hop(
    editor: LiveEditor, rng: random.Random, steps: int, addresses: list[str]
) -> None:
    """Edit at random; now and then lose the connection and come back, often to the other
    worker, with changes typed meanwhile still to send."""
    await editor.connect()
    for _ in range(steps):
        await asyncio.sleep(rng.uniform(0, 0.04))
        editor.check()
        if rng.random() < 0.05:
            await editor.drop(abruptly=rng.random() < 0.5)
            for _ in range(rng.randint(0, 3)):
                editor.edit(random_edit(rng, editor.text))
            editor.ws_url = rng.choice(addresses)
            await editor.reconnect()
        else:
            editor.edit(random_edit(rng, editor.text))


@pytest.mark.parametrize("seed", [11, 4242])
def test_editors_split_over_two_workers_converge(
    workers: tuple[ServerProcess, ServerProcess], seed: int
) -> None:
    first, second = workers
    rng = random.Random(seed)
    team = make_team(first, editors=4)
    statement_id = start_statement(first, team, START_TEXT)
    editors = editors_for(first, team, statement_id, per_person=2)
    for editor in editors[1::2]:
        editor.ws_url = second.ws_url
    addresses = [first.ws_url, second.ws_url]

    async def session() -> None:
        try:
            await asyncio.gather(
                *(_type_and_hop(e, random.Random(rng.random()), 80, addresses) for e in editors)
            )
            await _until_level(editors, first, team, statement_id)
        finally:
            await asyncio.gather(*(editor.close() for editor in editors))

    asyncio.run(session())
    text = assert_converged(first, team, statement_id, editors)
    assert server_text(second, team.facilitator_token, statement_id)[1] == text
    # Everyone's typing was taken in: each editor had changes acknowledged. How many of its
    # edits went in each change depends on how busy the machine was, so that is not counted.
    assert all(editor.acks for editor in editors)
    assert text != START_TEXT


async def _open(
    server: ServerProcess, token: str, statement_id: int
) -> tuple[ClientConnection, dict[str, Any]]:
    socket = await connect(
        f"{server.ws_url}/ws/statements/{statement_id}?client_id=tab-{random.randrange(10**9)}",
        additional_headers={"Authorization": f"Bearer {token}"},
        proxy=None,
    )
    hello = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
    assert hello["type"] == "hello"
    return socket, hello


async def _next(
    socket: ClientConnection, kind: str, within: float = WAIT, **expected: Any
) -> dict[str, Any]:
    """The next frame of `kind` whose fields hold `expected`; others are passed over."""
    deadline = time.monotonic() + within
    while True:
        raw = await asyncio.wait_for(socket.recv(), max(0.01, deadline - time.monotonic()))
        frame: dict[str, Any] = json.loads(raw)
        if frame["type"] == kind and all(frame.get(k) == v for k, v in expected.items()):
            return frame


def test_presence_events_and_membership_cross_workers(
    workers: tuple[ServerProcess, ServerProcess],
) -> None:
    first, second = workers
    team = make_team(first, editors=2)
    statement_id = start_statement(first, team, "We agree on partnerships.")
    alice_token, bob_token = team.editor_tokens
    with bearer(first, bob_token) as bob:
        bob_id = bob.get("/api/me").json()["id"]

    async def session() -> None:
        alice, _ = await _open(first, alice_token, statement_id)
        bob, hello = await _open(second, bob_token, statement_id)
        # Bob's worker opened its room and asked who is there: Alice, on the other worker,
        # named in the hello or just after it.
        peers = hello["peers"] or [await _next(bob, "presence")]
        assert [peer["user"]["name"] for peer in peers] == ["Editor 0"]
        bob_seen = await _next(alice, "presence")
        assert bob_seen["user"]["name"] == "Editor 1"
        selection = {"anchor": 3, "head": 9}
        await alice.send(
            json.dumps({"type": "presence", "rev": hello["rev"], "selection": selection})
        )
        moved = await _next(bob, "presence", client_id=peers[0]["client_id"])
        assert moved["selection"] == {"anchor": 3, "head": 9}
        # A comment made through the first worker reaches Bob's page on the second.
        with bearer(first, team.facilitator_token) as facilitator:
            thread = facilitator.post(
                f"/api/statements/{statement_id}/threads",
                json={"start": 3, "end": 9, "rev": hello["rev"], "body": "Which partnerships?"},
            )
            assert thread.status_code == 201, thread.text
            event = await _next(bob, "event", name="comment.created")
            assert event["thread"] == thread.json()["id"]
            # Made a viewer on the first worker: Bob's socket on the second knows at once.
            changed = facilitator.patch(
                f"/api/statements/{statement_id}/members/{bob_id}", json={"role": "viewer"}
            )
            assert changed.status_code == 200, changed.text
            assert (await _next(bob, "event", name="member.role_changed"))["role"] == "viewer"
            await bob.send(
                json.dumps({"type": "op", "base_rev": hello["rev"], "seq": 1, "op": ["Still "]})
            )
            refused = await _next(bob, "error")
            assert refused["code"] == "forbidden"
            # Removed on the first worker: the second closes Bob's socket.
            removed = facilitator.delete(f"/api/statements/{statement_id}/members/{bob_id}")
            assert removed.status_code == 204, removed.text
        with pytest.raises(ConnectionClosed) as closed:
            await _next(bob, "never")
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4404
        gone = await _next(alice, "presence", left=True)
        assert gone["user"]["name"] == "Editor 1"
        await alice.close()

    asyncio.run(session())


def _cut_listeners(url: str) -> int:
    """End every worker's listening connection, as a network fault or a restart would."""
    with psycopg.connect(url, autocommit=True) as db:
        ended = db.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query LIKE 'LISTEN %'"
        ).fetchone()
    return int(ended[0]) if ended else 0


def test_a_worker_that_lost_its_notices_catches_up(
    workers: tuple[ServerProcess, ServerProcess], workers_database: str
) -> None:
    first, second = workers
    team = make_team(first, editors=2)
    statement_id = start_statement(first, team, "")
    writer = LiveEditor(first.ws_url, statement_id, team.editor_tokens[0], "writer")
    watcher = LiveEditor(second.ws_url, statement_id, team.editor_tokens[1], "watcher")
    rng = random.Random(5)

    async def session() -> None:
        try:
            await asyncio.gather(writer.connect(), watcher.connect())
            assert _cut_listeners(workers_database) == 2
            # While the listeners are away, only the first worker's writer types.
            for _ in range(40):
                writer.edit(random_edit(rng, writer.text))
                await asyncio.sleep(0.005)
            await _until_level([writer, watcher], first, team, statement_id)
        finally:
            await asyncio.gather(writer.close(), watcher.close())

    asyncio.run(session())
    assert watcher.text == writer.text
    assert_converged(second, team, statement_id, [writer, watcher])


def test_a_killed_workers_editors_carry_on_at_the_other(
    workers: tuple[ServerProcess, ServerProcess],
) -> None:
    first, second = workers
    team = make_team(first, editors=2)
    statement_id = start_statement(first, team, "")
    editors = editors_for(first, team, statement_id, per_person=3)
    for editor in editors[1::2]:
        editor.ws_url = second.ws_url
    typists = [Typist(editor, n, random.Random(n)) for n, editor in enumerate(editors, 1)]
    acked_before_kill: list[str] = []
    moved: list[LiveEditor] = []

    async def session() -> None:
        try:
            await asyncio.gather(*(editor.connect() for editor in editors))
            start = time.monotonic()
            typing = asyncio.gather(*(typist.run(start + 3.0) for typist in typists))
            await asyncio.sleep(1.2)
            first.freeze()
            await asyncio.sleep(0.2)
            await asyncio.to_thread(first.kill)
            # Its editors find the other worker, as a load balancer would send them there.
            for editor in editors:
                if editor.ws_url == first.ws_url:
                    editor.ws_url = second.ws_url
                    moved.append(editor)
                acked_before_kill.extend(MARKER.findall("".join(editor.acked_inserts)))
            await typing
            await _until_level(editors, second, team, statement_id)
        finally:
            await asyncio.gather(*(editor.close() for editor in editors))

    asyncio.run(session())
    assert moved
    assert acked_before_kill
    text = assert_converged(second, team, statement_id, editors)
    assert_typed_once(text, typists, acked_before_kill)


def test_a_killed_workers_people_leave_the_others_view(
    workers: tuple[ServerProcess, ServerProcess],
) -> None:
    """A worker that dies says no goodbye; the others stop showing its sockets once it has
    been silent for GONE_AFTER seconds."""
    first, second = workers
    team = make_team(first, editors=2)
    statement_id = start_statement(first, team, "")
    alice_token, bob_token = team.editor_tokens

    async def session() -> float:
        alice, _ = await _open(first, alice_token, statement_id)
        bob, hello = await _open(second, bob_token, statement_id)
        peers = hello["peers"] or [await _next(bob, "presence")]
        assert [peer["user"]["name"] for peer in peers] == ["Editor 0"]
        killed = time.monotonic()
        await asyncio.to_thread(first.kill)
        left = await _next(bob, "presence", left=True, within=GONE_AFTER + 10)
        assert left["client_id"] == peers[0]["client_id"]
        waited = time.monotonic() - killed
        # Someone opening the statement now does not see her either.
        carol, carol_hello = await _open(second, alice_token, statement_id)
        assert [peer["user"]["name"] for peer in carol_hello["peers"]] == ["Editor 1"]
        await asyncio.gather(bob.close(), carol.close())
        alice.transport.abort()
        return waited

    waited = asyncio.run(session())
    assert waited < GONE_AFTER + 10


def test_one_address_served_by_two_worker_processes(workers_database: str, tmp_path: Path) -> None:
    """`accord serve --workers 2`: the kernel hands each connection to either process."""
    server = ServerProcess(
        tmp_path, settings={"ACCORD_DATABASE_URL": workers_database, "ACCORD_WORKERS": "2"}
    )
    server.start()
    try:
        team = make_team(server, editors=3)
        statement_id = start_statement(server, team, START_TEXT)
        editors = editors_for(server, team, statement_id, per_person=2)
        rng = random.Random(3)

        async def session() -> None:
            try:
                await asyncio.gather(
                    *(
                        _type_and_hop(e, random.Random(rng.random()), 60, [server.ws_url])
                        for e in editors
                    )
                )
                await _until_level(editors, server, team, statement_id)
            finally:
                await asyncio.gather(*(editor.close() for editor in editors))

        asyncio.run(session())
        assert_converged(server, team, statement_id, editors)
        assert "(2 workers)" in server.log_text()
    finally:
        server.stop()
