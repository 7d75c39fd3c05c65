"""Each room's watch of its open suggestions (app/collab/watch.py), kept on this worker:
loaded when the room opens, told of every suggestion made or changed, and telling the room's
pages the moment a change outdates one (each worker tells its own: every worker sees every
change)."""

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlmodel import Session

from app.collab import log
from app.collab.audience import Audience
from app.collab.change import Applied
from app.collab.hub import Hub
from app.collab.room import Event, Room
from app.collab.watch import Watch
from app.models.suggestion import SuggestionStatus
from app.services import suggestions

logger = logging.getLogger("accord.suggestions")


def follow_rooms(hub: Hub) -> None:
    """Watch the open suggestions of every room this worker opens, and tell its pages at once
    when a change outdates one (each worker tells its own: every worker sees every change)."""
    watches: WeakKeyDictionary[Audience, Watch] = WeakKeyDictionary()

    def opened(audience: Audience) -> None:
        watch = watches[audience] = Watch()
        room = audience.room

        def applied(event: Event) -> None:
            if isinstance(event, Applied):
                outdated = watch.hear(event.change.rev, event.change.op)
                if outdated:
                    _spawn(_tell_outdated(hub, room.statement_id, outdated))

        room.subscribe(applied)
        _spawn(_load(hub.engine, room, watch))

    def heard(audience: Audience, frame: dict[str, Any]) -> None:
        watch = watches.get(audience)
        if watch is None or not str(frame.get("name", "")).startswith("suggestion."):
            return
        shown = frame.get("suggestion")
        if not isinstance(shown, dict) or shown.get("rev", 0) > watch.rev:
            _spawn(_load(hub.engine, audience.room, watch))  # cut short, or ahead: read it
        elif shown.get("status") in suggestions.CARRIED:
            later = audience.room.document.held_after(shown["rev"]) or []
            ops = [change.op for change in later[: watch.rev - shown["rev"]]]
            watch.put(shown["id"], shown["start"], shown["end"], ops)
        else:
            watch.drop(shown["id"])

    hub.opened.append(opened)
    hub.events.append(heard)


async def _load(engine: Engine, room: Room, watch: Watch) -> None:
    """Read where the open suggestions stand, then bring them to what the room published."""
    try:
        rev, ranges = await asyncio.to_thread(_standing, engine, room.statement_id)
    except Exception:
        logger.exception("the open suggestions could not be read")
        return
    published = room.durable_rev
    later = room.document.held_after(rev) if rev < published else []
    watch.load(rev, ranges)
    for change in (later or [])[: published - rev]:
        watch.hear(change.rev, change.op)
    watch.rev = max(watch.rev, published)


def _standing(engine: Engine, statement_id: int) -> tuple[int, dict[int, tuple[int, int]]]:
    with Session(engine) as session:
        suggestions.bring_to_head(session=session, statement_id=statement_id)
        found = suggestions.list_carried(session=session, statement_id=statement_id)
        head = log.head_revision(session=session, statement_id=statement_id)
        return head, {s.id: (s.start, s.end) for s in found if s.anchor_rev == head}


async def _tell_outdated(hub: Hub, statement_id: int, ids: list[int]) -> None:
    try:
        shown = await asyncio.to_thread(_outdated, hub.engine, statement_id, ids)
    except Exception:
        logger.exception("outdated suggestions could not be recorded")
        return
    for suggestion in shown:
        hub.announce(statement_id, "suggestion.updated", here=True, suggestion=suggestion)


def _outdated(engine: Engine, statement_id: int, ids: list[int]) -> list[dict[str, Any]]:
    """Record what the room found outdated; those that are outdated now, as pages show
    them. Only they are written: carrying every open suggestion would write each of them."""
    with Session(engine) as session:
        suggestions.mark_outdated(session=session, ids=ids)
        found = [
            suggestions.find(session=session, statement_id=statement_id, suggestion_id=key)
            for key in ids
        ]
        return [
            suggestions.public(session=session, suggestion=s).model_dump(mode="json")
            for s in found
            if s.status == SuggestionStatus.outdated
        ]


_tasks: set[asyncio.Task[None]] = set()


def _spawn(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.create_task(work)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
