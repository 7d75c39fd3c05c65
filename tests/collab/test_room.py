"""The room's pipeline: the next batch is sequenced while the previous one is committed."""

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.collab import log
from app.collab.room import Room
from app.config import Settings
from app.services.text import text_at
from tests.collab.pipeline import HeldCommits, next_frame, open_room, seat, until
from tests.factories import make_statement, make_user


async def _two_changes_behind_one_commit(
    engine: Engine, statement_id: int, user_id: int, held: HeldCommits
) -> tuple[Room, list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Alice's change is being committed when Bob's, made on it, is sequenced."""
    audience = await open_room(engine, statement_id)
    room = audience.room
    person = {"id": user_id, "name": "", "organisation": "", "colour": ""}
    alice = await seat(audience, "alice", person)
    bob = await seat(audience, "bob", person)
    watcher = await seat(audience, "watcher", person, can_edit=False)
    audience.offer(alice, 0, 1, ["a"])
    await until(lambda: held.calls == 1)
    audience.offer(bob, 1, 1, [1, "b"])
    await until(lambda: room.rev == 2)
    assert not any(c.outbox.qsize() for c in (alice, bob, watcher))  # nothing is durable yet
    expected = 1 if held.failures else 2  # a refusal each, or an ack and an op each
    held.released.set()
    alice_got = [await next_frame(alice) for _ in range(expected)]
    bob_got = [await next_frame(bob) for _ in range(expected)]
    watcher_got = []
    while not watcher.outbox.empty():
        watcher_got.append(json.loads(watcher.outbox.get_nowait()))
    await room.close()
    return room, alice_got, bob_got, watcher_got


@pytest.mark.parametrize("failures", [0, 1])
def test_commit_room_batch_sequenced_behind_commit(
    session: Session,
    settings: Settings,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    failures: int,
) -> None:
    user = make_user(session)
    statement_id = make_statement(session, settings, facilitator=user).id
    assert user.id is not None
    assert statement_id is not None
    held = HeldCommits(failures)
    monkeypatch.setattr(log, "append_many", held)

    room, alice_got, bob_got, watcher_got = asyncio.run(
        _two_changes_behind_one_commit(engine, statement_id, user.id, held)
    )

    with Session(engine) as check:
        head = text_at(session=check, statement_id=statement_id)
    if failures:
        # Bob's change was made on Alice's: neither is durable, both are to be sent again.
        assert [(f["type"], f.get("code"), f["seq"]) for f in alice_got + bob_got] == [
            ("error", "not_saved", 1),
            ("error", "not_saved", 1),
        ]
        assert watcher_got == []
        assert (head.rev, head.text) == (0, "")
        assert (room.rev, room.document.text, room.durable_rev) == (0, "", 0)
    else:
        # Committed in order, in two commits; each acknowledged and broadcast after its own.
        assert held.calls == 2
        assert [(f["type"], f["rev"]) for f in alice_got] == [("ack", 1), ("op", 2)]
        assert [(f["type"], f["rev"]) for f in bob_got] == [("op", 1), ("ack", 2)]
        assert [(f["type"], f["rev"]) for f in watcher_got] == [("op", 1), ("op", 2)]
        assert (head.rev, head.text) == (2, "ab")
        assert (room.durable_rev, room.durable_text) == (2, "ab")
