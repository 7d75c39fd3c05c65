"""Two rooms of one statement, as two workers hold them, on one PostgreSQL database: the
database puts each batch after the other's, and each room passes the other's changes on."""

import asyncio
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.collab import log
from app.collab.audience import Audience
from app.collab.connection import Connection
from app.config import Settings
from app.models.membership import Role
from app.models.operation import Snapshot
from app.services.text import text_at
from tests.collab.pipeline import next_frame, open_room, seat
from tests.factories import add_member, make_statement, make_user

TIMEOUT = 10.0


@pytest.fixture(autouse=True)
def _postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("two workers share a statement only on PostgreSQL (the PostgreSQL run)")


async def _frames(connection: Connection, count: int) -> list[tuple[Any, ...]]:
    """The next `count` frames, as (type, rev, seq, client_id)."""
    found = []
    for _ in range(count):
        frame = await next_frame(connection, TIMEOUT)
        found.append((frame["type"], frame.get("rev"), frame.get("seq"), frame.get("client_id")))
    return found


async def _two_rooms(engine: Engine, statement_id: int) -> tuple[Audience, Audience]:
    """The statement's rooms on two workers."""
    return await open_room(engine, statement_id), await open_room(engine, statement_id)


def test_concurrent_batches_are_put_after_each_other(
    session: Session, settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log, "SNAPSHOT_EVERY", 2)
    alice_user = make_user(session, name="Alice")
    bob_user = make_user(session, name="Bob")
    statement = make_statement(session, settings, facilitator=alice_user, text="agree")
    add_member(session, statement, bob_user, Role.editor)
    statement_id = statement.id
    assert statement_id is not None
    alice_person = {"id": alice_user.id, "name": "Alice", "organisation": "", "colour": ""}
    bob_person = {"id": bob_user.id, "name": "Bob", "organisation": "", "colour": ""}

    async def scenario() -> None:
        first, second = await _two_rooms(engine, statement_id)
        alice = await seat(first, "alice", alice_person)
        bob = await seat(second, "bob", bob_person)
        watcher = await seat(second, "watcher", bob_person, can_edit=False)
        # Both type on revision 1, each on a worker that has not heard of the other's change.
        first.offer(alice, 1, 1, ["We ", 5])
        assert await _frames(alice, 1) == [("ack", 2, 1, None)]
        second.offer(bob, 1, 1, [5, "!"])
        # Bob's change went after Alice's, and the second worker's sockets got hers first,
        # with her name read from the database.
        assert await _frames(bob, 2) == [("op", 2, 1, "alice"), ("ack", 3, 1, None)]
        seen = await next_frame(watcher, TIMEOUT)
        assert (seen["rev"], seen["author"]["name"]) == (2, "Alice")
        assert await _frames(watcher, 1) == [("op", 3, 1, "bob")]
        assert (second.room.durable_rev, second.room.durable_text) == (3, "We agree!")
        # Bob's batch was sequenced again, so the snapshot it carried was of another text:
        # his next batch carries one of the durable text instead.
        second.offer(bob, 3, 2, [9, " Yes."])
        assert await _frames(bob, 1) == [("ack", 4, 2, None)]
        # The first worker hears of it and reads it from the log.
        first.room.overtaken(4)
        assert await _frames(alice, 2) == [("op", 3, 1, "bob"), ("op", 4, 2, "bob")]
        assert (first.room.durable_rev, first.room.durable_text) == (4, "We agree! Yes.")
        await first.room.close()
        await second.room.close()

    asyncio.run(scenario())
    with Session(engine) as check:
        assert text_at(session=check, statement_id=statement_id).text == "We agree! Yes."
        snapshots = check.exec(select(Snapshot).where(Snapshot.statement_id == statement_id))
        assert sorted((s.rev, s.text) for s in snapshots) == [(2, "We agree"), (3, "We agree!")]


def test_a_change_resent_to_another_worker_is_written_once(
    session: Session, settings: Settings, engine: Engine
) -> None:
    """A tab sends a change to one worker, loses the connection, and resends it to the
    other before that one has heard of it: the second answers with the first's revision."""
    user = make_user(session)
    statement_id = make_statement(session, settings, facilitator=user, text="x").id
    assert statement_id is not None
    person = {"id": user.id, "name": "", "organisation": "", "colour": ""}

    async def scenario() -> None:
        first, second = await _two_rooms(engine, statement_id)
        before = await seat(first, "tab", person)
        after = await seat(second, "tab", person)
        other = await seat(second, "other", person)
        first.offer(before, 1, 1, [1, "y"])
        await _frames(before, 1)  # written as revision 2; the acknowledgement is lost
        second.offer(after, 1, 1, [1, "y"])  # the same change, resent
        # Acknowledged with the revision the first worker gave it, and nothing refused.
        assert await _frames(after, 1) == [("ack", 2, 1, None)]
        assert await _frames(other, 1) == [("op", 2, 1, "tab")]
        second.offer(other, 2, 1, ["w", 2])
        assert await _frames(other, 1) == [("ack", 3, 1, None)]
        assert await _frames(after, 1) == [("op", 3, 1, "other")]
        await first.room.close()
        await second.room.close()

    asyncio.run(scenario())
    with Session(engine) as check:
        assert text_at(session=check, statement_id=statement_id).text == "wxy"
    rows = log.changes_after(engine, statement_id, 1)
    assert [(c.client_id, c.seq) for c in rows] == [("tab", 1), ("other", 1)]
