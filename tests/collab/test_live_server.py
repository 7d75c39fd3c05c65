"""Editors on a real server process: they converge through dropped connections and a crash."""

import asyncio
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.collab import ops
from tests.collab.live import (
    LiveEditor,
    ServerProcess,
    Team,
    make_team,
    replay,
    server_text,
    settle,
    start_statement,
)

# Astral characters (an emoji, a ZWJ family, a flag, a Fraktur letter), combining marks on
# their own and after a letter, CJK, and a Windows line break.
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
PIECES = ["a", "b", " ", "\n", "word ", "\U0001f600", FAMILY, "\U0001f1f3\U0001f1f4", "\U0001d518"]
PIECES += ["e\u0301", "\u0301", "\u0308\u0323", "\u4e2d\u6587", "\r\n"]
START_TEXT = "Draft \U0001f600 cafe\u0301\n"


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


def random_edit(rng: random.Random, text: str) -> ops.Operation:
    """An insert, a delete or a replacement at a random place, in code points."""
    position = rng.randint(0, len(text))
    roll = rng.random()
    if text and roll < 0.45:
        position = min(position, len(text) - 1)
        length = rng.randint(1, min(6, len(text) - position))
        put = rng.choice(PIECES) if roll < 0.15 else ""  # a replacement, or a plain delete
        return ops.normalise([position, put, -length, len(text) - position - length])
    return ops.normalise([position, rng.choice(PIECES), len(text) - position])


def editors_for(
    server: ServerProcess, team: Team, statement_id: int, per_person: int
) -> list[LiveEditor]:
    """Each editor has `per_person` tabs open, each its own client id."""
    return [
        LiveEditor(server.ws_url, statement_id, token, f"editor {person}, tab {tab}")
        for person, token in enumerate(team.editor_tokens)
        for tab in range(per_person)
    ]


def _first_difference(a: str, b: str) -> str:
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return f"at code point {at}: {a[at - 20 : at + 20]!r} vs {b[at - 20 : at + 20]!r}"


def assert_converged(
    server: ServerProcess, team: Team, statement_id: int, editors: list[LiveEditor]
) -> str:
    """Every editor, the server's text and a replay of the op log agree; return that text."""
    rev, text = server_text(server, team.facilitator_token, statement_id)
    log = server.operation_log(statement_id)
    assert len(log) == rev, f"the server is at revision {rev} but its log holds {len(log)} changes"
    replayed = replay(log)
    assert replayed == text, (
        f"the op log replays to another text, {_first_difference(replayed, text)}"
    )
    for editor in editors:
        assert editor.rev == rev, f"{editor.name} is at revision {editor.rev}, the server at {rev}"
        assert editor.text == text, (
            f"{editor.name} diverged from the server, {_first_difference(editor.text, text)}\n"
            + "\n  ".join(editor.trace)
        )
    sent = Counter((client_id, seq) for _, _, client_id, seq in log if client_id)
    twice = [key for key, count in sent.items() if count > 1]
    assert not twice, f"changes applied more than once (client_id, seq): {twice}"
    for editor in editors:
        for seq, acked_rev in editor.acks.items():
            row = log[acked_rev - 1]
            assert (row[2], row[3]) == (editor.client_id, seq), (
                f"{editor.name}'s seq {seq} was acknowledged as revision {acked_rev}, "
                f"which the log gives to {row[2]} seq {row[3]}"
            )
    return text


async def _type_and_drop(editor: LiveEditor, rng: random.Random, steps: int) -> None:
    """Edit with small random pauses; now and then lose the connection and come back."""
    await editor.connect()
    for _ in range(steps):
        await asyncio.sleep(rng.uniform(0, 0.05))
        editor.check()
        if rng.random() < 0.04:
            # Often right after a change, so that its resend races the original.
            await editor.drop(abruptly=rng.random() < 0.5)
            for _ in range(rng.randint(0, 3)):  # typing on while offline
                editor.edit(random_edit(rng, editor.text))
                await asyncio.sleep(rng.uniform(0, 0.02))
            await editor.reconnect()
        else:
            editor.edit(random_edit(rng, editor.text))


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
                *(_type_and_drop(e, random.Random(rng.random()), steps=100) for e in editors)
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


MARKER = re.compile(r"⟨c\d+·\d+⟩")


class Typist:
    """An editor who inserts numbered markers between existing ones, online or not."""

    def __init__(self, editor: LiveEditor, number: int, rng: random.Random) -> None:
        self.editor = editor
        self.number = number
        self.rng = rng
        self.typed: list[str] = []
        self.reconnecting: asyncio.Task[None] | None = None

    def type_one(self) -> None:
        text = self.editor.text
        # Only between markers, so that no change ever splits another one.
        boundaries = [0] + [m.end() for m in MARKER.finditer(text)]
        position = self.rng.choice(boundaries)
        marker = f"⟨c{self.number}·{len(self.typed) + 1}⟩"
        self.typed.append(marker)
        self.editor.edit(ops.normalise([position, marker, len(text) - position]))

    async def run(self, until: float) -> None:
        while time.monotonic() < until:
            await asyncio.sleep(self.rng.uniform(0, 0.04))
            self.editor.check()
            self.type_one()
            if not self.editor.connected and (
                self.reconnecting is None or self.reconnecting.done()
            ):
                if self.reconnecting is not None:
                    self.reconnecting.result()  # a failure to reconnect fails the test
                self.reconnecting = asyncio.create_task(self.editor.reconnect())
        if self.reconnecting is not None:
            await self.reconnecting


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
    found = Counter(MARKER.findall(text))
    assert "".join(MARKER.findall(text)) == text, "the text holds more than whole markers"
    lost = [m for m in acked_before_kill if found[m] == 0]
    assert not lost, f"acknowledged before the kill, then lost: {lost}"
    typed = [marker for typist in typists for marker in typist.typed]
    missing = [m for m in typed if found[m] == 0]
    assert not missing, f"typed but never applied: {missing}"
    doubled = [m for m, count in found.items() if count > 1]
    assert not doubled, f"applied more than once: {doubled}"
    assert sorted(found) == sorted(typed)
