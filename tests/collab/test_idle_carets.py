"""Carets that have not moved: the hello names where each peer's caret is, on its revision,
moved through every change since it was placed, whether its owner is on this worker or
another."""

import asyncio
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.collab import log
from app.collab.audience import peer
from app.collab.hub import _member_elsewhere
from app.collab.members import Selection
from app.config import Settings
from app.models.statement import Statement
from app.models.user import User
from tests.collab.pipeline import HeldCommits, next_frame, open_room, seat, until
from tests.collab.sockets import Connect, receive
from tests.factories import make_statement, make_user


def test_hello_gives_peers_selections(
    connect: Connect,
    room: tuple[Statement, User, User, User],
) -> None:
    statement, facilitator, editor, viewer = room
    with connect(facilitator, statement) as (a, _), connect(editor, statement) as (b, _):
        a.send_json({"type": "presence", "selection": {"anchor": 6, "head": 11}, "rev": 1})
        assert receive(b, "presence")["selection"] == {"anchor": 6, "head": 11}
        b.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": ["Oh, ", 11]})
        assert receive(b, "ack")["rev"] == 2
        with connect(viewer, statement) as (_, hello):
            assert hello["rev"] == 2
            selections = {peer["user"]["id"]: peer["selection"] for peer in hello["peers"]}
    # "world" has moved four characters on; the editor never placed a caret.
    assert selections == {facilitator.id: {"anchor": 10, "head": 15}, editor.id: None}


async def _placed_while_committing(
    engine: Engine, statement_id: int, user_id: int, held: HeldCommits
) -> list[dict[str, Any]]:
    """Bob places his caret, and a caret arrives from another worker, while Alice's change
    is being committed; a newcomer then reads the peers."""
    audience = await open_room(engine, statement_id)
    room = audience.room
    person = {"id": user_id, "name": "", "organisation": "", "colour": ""}
    alice = await seat(audience, "alice", person)
    bob = await seat(audience, "bob", person)
    audience.offer(alice, 1, 1, ["Oh, ", 11])
    await until(lambda: held.calls == 1)
    assert room.rev == 2
    assert room.durable_rev == 1
    assert room.place(bob.member, Selection(anchor=6, head=11), 1)
    elsewhere = {"id": user_id + 1, "name": "", "organisation": "", "colour": ""}
    selection = {"anchor": 1, "head": 5}
    frame = {"type": "presence", "user": elsewhere, "client_id": "carol", "selection": selection}
    room.carets.place_elsewhere(
        _member_elsewhere("another-worker", {**frame, "rev": 1}, room.durable_rev)
    )
    held.released.set()
    while (await next_frame(alice))["type"] != "ack":
        pass  # Carol's caret, relayed
    newcomer = await seat(audience, "newcomer", person, can_edit=False)
    peers = [peer(member) for member in room.peers(newcomer.member)]
    await room.close()
    return peers


def test_hello_moves_selections_through_changes_committed_after(
    session: Session,
    settings: Settings,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = make_user(session)
    statement_id = make_statement(session, settings, facilitator=user, text="Hello world").id
    assert user.id is not None
    assert statement_id is not None
    held = HeldCommits()
    monkeypatch.setattr(log, "append_many", held)

    peers = asyncio.run(_placed_while_committing(engine, statement_id, user.id, held))

    selections = {peer["client_id"]: peer["selection"] for peer in peers}
    # On "Oh, Hello world": each caret moved once by the change, not twice, not never.
    assert selections == {
        "alice": None,
        "bob": {"anchor": 10, "head": 15},
        "carol": {"anchor": 5, "head": 9},
    }
