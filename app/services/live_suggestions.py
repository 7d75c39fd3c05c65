"""Suggestions made from the editor: the `suggest` frame, answered on the socket it came by.

Each is made or changed in a worker thread exactly as through the API
(app/services/suggestions.py), one after another for each socket, so that typing which
extends one suggestion lands in the order it was typed. The sender gets `suggested`, or an
`error` frame naming why; everyone with the statement open gets the suggestion as a live event.
"""

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlmodel import Session

from app.collab import log, protocol
from app.collab.audience import Audience
from app.collab.change import Applied
from app.collab.connection import Connection
from app.collab.hub import Hub
from app.collab.protocol import SuggestFrame
from app.collab.room import Event, Room
from app.collab.watch import Watch
from app.config import Settings
from app.errors import AccordError
from app.models.membership import ROLE_PERMISSIONS, Permission, Role
from app.models.suggestion import SuggestionCreate, SuggestionStatus
from app.models.user import User
from app.services import suggestions

logger = logging.getLogger("accord.suggestions")
CODES = {403: "forbidden", 404: "not_found", 409: "conflict", 413: "too_large"}

# Each socket's suggestions are made in turn: the newest task of each, awaited by the next.
_latest: dict[int, asyncio.Task[None]] = {}


def take(
    hub: Hub, settings: Settings, connection: Connection, frame: SuggestFrame, statement_id: int
) -> None:
    """Make or change the suggestion a frame carries, after the socket's earlier ones."""
    key = id(connection)
    before = _latest.get(key)
    engine = hub.engine
    task = asyncio.create_task(
        _suggest(engine, settings, hub, connection, frame, statement_id, before)
    )
    _latest[key] = task
    task.add_done_callback(lambda done: _latest.pop(key) if _latest.get(key) is done else None)


async def _suggest(
    engine: Engine,
    settings: Settings,
    hub: Hub,
    connection: Connection,
    frame: SuggestFrame,
    statement_id: int,
    before: asyncio.Task[None] | None,
) -> None:
    if before is not None:
        await asyncio.wait([before])
    if Permission.comment not in ROLE_PERMISSIONS[Role(connection.role)]:
        message = "Viewers may read the statement but not suggest changes."
        connection.send(protocol.error("forbidden", message, ref=frame.ref))
        return
    try:
        made, created = await asyncio.to_thread(
            _made, engine, settings, statement_id, connection.user_id, frame
        )
    except AccordError as problem:
        code = CODES.get(problem.status_code, "invalid_change")
        connection.send(protocol.error(code, str(problem), ref=frame.ref))
        return
    except Exception:
        logger.exception("a suggestion could not be saved")
        message = "The suggestion could not be saved; send it again."
        connection.send(protocol.error("not_saved", message, ref=frame.ref))
        return
    connection.send(protocol.encode({"type": "suggested", "ref": frame.ref, "suggestion": made}))
    event = "suggestion.created" if created else "suggestion.updated"
    hub.announce(statement_id, event, suggestion=made)


def _made(
    engine: Engine, settings: Settings, statement_id: int, user_id: int, frame: SuggestFrame
) -> tuple[dict[str, Any], bool]:
    """The suggestion made or changed, as the API shows it, and whether it is new."""
    fields: dict[str, Any] = {"base_rev": frame.base_rev, "op": frame.op}
    if frame.reason is not None:
        fields["reason"] = frame.reason
    body = SuggestionCreate(**fields)
    with Session(engine) as session:
        author = session.get(User, user_id)
        assert author is not None
        if frame.replaces is None:
            found = suggestions.make(
                session=session,
                settings=settings,
                statement_id=statement_id,
                author=author,
                suggestion_in=body,
            )
        else:
            found = suggestions.find(
                session=session, statement_id=statement_id, suggestion_id=frame.replaces
            )
            suggestions.remake(
                session=session,
                settings=settings,
                suggestion=found,
                author=author,
                suggestion_in=body,
            )
        session.commit()
        session.refresh(found)
        shown = suggestions.public(session=session, suggestion=found)
        return shown.model_dump(mode="json"), frame.replaces is None


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
    """Record what the room found outdated (by carrying them as any reading does); those
    that are outdated now, as pages show them."""
    with Session(engine) as session:
        suggestions.bring_to_head(session=session, statement_id=statement_id)
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
