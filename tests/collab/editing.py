"""What the live tests type and how they check the outcome: random edits in tricky Unicode,
typists of numbered markers, and the convergence check against the server and its op log."""

import asyncio
import random
import re
import time
from collections import Counter

from app.collab import ops
from tests.collab.live import LiveEditor, ServerProcess, Team, replay, server_text

# Astral characters (an emoji, a ZWJ family, a flag, a Fraktur letter), combining marks on
# their own and after a letter, CJK, and a Windows line break.
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
PIECES = ["a", "b", " ", "\n", "word ", "\U0001f600", FAMILY, "\U0001f1f3\U0001f1f4", "\U0001d518"]
PIECES += ["e\u0301", "\u0301", "\u0308\u0323", "\u4e2d\u6587", "\r\n"]
START_TEXT = "Draft \U0001f600 cafe\u0301\n"


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


def first_difference(a: str, b: str) -> str:
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
        f"the op log replays to another text, {first_difference(replayed, text)}"
    )
    for editor in editors:
        assert editor.rev == rev, f"{editor.name} is at revision {editor.rev}, the server at {rev}"
        assert editor.text == text, (
            f"{editor.name} diverged from the server, {first_difference(editor.text, text)}\n"
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


async def type_and_drop(editor: LiveEditor, rng: random.Random, steps: int) -> None:
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


def assert_typed_once(text: str, typists: list[Typist], acked_before_kill: list[str]) -> None:
    """Every marker typed is in the text exactly once, those acknowledged before a crash too,
    and nothing else is."""
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
