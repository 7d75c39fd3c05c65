"""Editors on a real server process: they converge through dropped connections and a crash."""

import asyncio
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.collab import ops
from tests.collab.editing import (
    MARKER,
    START_TEXT,
    Typist,
    assert_converged,
    assert_typed_once,
    editors_for,
    type_and_drop,
)
from tests.collab.live import ServerProcess, Team, make_team, server_text, settle, start_statement


def _serve(data_dir: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(data_dir)
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """`accord serve` on a free port with a fresh SQLite data folder, for this test alone."""
    yield from _serve(tmp_path)


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for tests that each keep to a statement of their own."""
    yield from _serve(tmp_path_factory.mktemp("accord-data"))


@pytest.fixture(scope="module")
def team(shared_server: ServerProcess) -> Team:
    """A facilitator and four editors on the shared server."""
    return make_team(shared_server, editors=4)


@pytest.mark.parametrize("seed", [7, 2024, 31337])
def test_eight_live_editors_converge_through_reconnects(
    shared_server: ServerProcess, team: Team, seed: int
) -> None:
    server, rng = shared_server, random.Random(seed)
    statement_id = start_statement(server, team, START_TEXT)
    editors = editors_for(server, team, statement_id, per_person=2)

    async def session() -> None:
        try:
            await asyncio.gather(
                *(type_and_drop(e, random.Random(rng.random()), steps=100) for e in editors)
            )
            await settle(editors)
            for _ in range(50):  # the last broadcasts may still be on their way
                rev, _ = server_text(server, team.facilitator_token, statement_id)
                if all(editor.rev == rev for editor in editors):
                    break
                await asyncio.sleep(0.05)
        finally:
            await asyncio.gather(*(editor.close() for editor in editors))

    asyncio.run(session())
    assert_converged(server, team, statement_id, editors)
    assert sum(len(editor.acks) for editor in editors) > 200  # many changes were concurrent


def test_changes_survive_a_killed_server(server: ServerProcess) -> None:
    team = make_team(server, editors=2)
    statement_id = start_statement(server, team, "")
    editors = editors_for(server, team, statement_id, per_person=3)
    typists = [Typist(editor, n, random.Random(n)) for n, editor in enumerate(editors, 1)]
    acked_before_kill: list[str] = []
    in_flight_at_kill: list[ops.Operation] = []

    async def session() -> None:
        try:
            await asyncio.gather(*(editor.connect() for editor in editors))
            start = time.monotonic()
            typing = asyncio.gather(*(typist.run(start + 3.0) for typist in typists))
            await asyncio.sleep(1.2)
            # Frozen for a moment first, so that changes are surely on their way at the kill.
            server.freeze()
            await asyncio.sleep(0.2)
            await asyncio.to_thread(server.kill)
            in_flight_at_kill.extend(e.inflight for e in editors if e.inflight is not None)
            # What was acknowledged is durable: it must all be there after the crash.
            for editor in editors:
                acked_before_kill.extend(MARKER.findall("".join(editor.acked_inserts)))
            await asyncio.sleep(0.4)  # the typists type on, offline, and keep knocking
            await asyncio.to_thread(server.start)
            await typing
            await settle(editors)
        finally:
            await asyncio.gather(*(editor.close() for editor in editors))

    asyncio.run(session())
    assert server.starts == 2
    assert acked_before_kill, "nothing was acknowledged before the kill"
    assert in_flight_at_kill, "no change was in flight at the kill, so none was resent"
    text = assert_converged(server, team, statement_id, editors)
    assert_typed_once(text, typists, acked_before_kill)
