"""The locked sections of each room open on this worker (app/collab/locks.py): read before
the room takes its first change, put in place the moment a facilitator locks one here, and
read again whenever a section is locked or unlocked anywhere."""

import asyncio
import logging
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.collab import locks
from app.collab.hub import Hub
from app.collab.room import Room
from app.models.section import SectionLock

logger = logging.getLogger("accord.sections")
TOLD = ("section.locked", "section.unlocked")


def guard_rooms(hub: Hub) -> None:
    """Keep every room this worker opens to its statement's locked sections."""
    pending: set[asyncio.Task[None]] = set()

    async def prepare(room: Room) -> None:
        await _reload(hub.engine, room)

    def heard(audience: Any, frame: dict[str, Any]) -> None:
        if frame.get("name") in TOLD:
            task = asyncio.create_task(_reload(hub.engine, audience.room))
            pending.add(task)
            task.add_done_callback(pending.discard)

    hub.preparing.append(prepare)
    hub.events.append(heard)


def install(hub: Hub, statement_id: int, lock: locks.Lock, rev: int) -> bool:
    """Lock, in the room open here (if one is), the section whose words started at
    `lock.start` at revision `rev`; whether they still stand there now. Run on the rooms'
    event loop, between two of the room's changes."""
    audience = hub.audiences.get(statement_id)
    if audience is None:
        return True  # no room here: it reads the lock when it opens
    document = audience.room.document
    later = document.held_after(rev) if rev <= document.rev else None
    if later is not None:
        for change in later:
            lock.start = locks.moved(lock, change.op)
        if not locks.stands(lock, document.text, lock.start):
            return False
    else:
        found = locks.locate(lock, document.text, lock.start)
        if found is None:
            return False
        lock.start = found
    document.locks[lock.key] = lock
    return True


def uninstall(hub: Hub, statement_id: int, key: str) -> None:
    audience = hub.audiences.get(statement_id)
    if audience is not None:
        audience.room.document.locks.pop(key, None)


async def _reload(engine: Engine, room: Room) -> None:
    try:
        found = await asyncio.to_thread(_active, engine, room.statement_id)
    except Exception:
        logger.exception("the locked sections could not be read")
        return
    document = room.document
    kept: dict[str, locks.Lock] = {}
    for row in found:
        lock = locks.Lock(row.section, row.text, row.start, row.preamble)
        held = document.locks.get(row.section)
        near = held.start if held is not None and held.text == row.text else row.start
        at = locks.locate(lock, document.text, near)
        lock.start, lock.standing = (at, True) if at is not None else (near, False)
        kept[row.section] = lock
    document.locks = kept


def _active(engine: Engine, statement_id: int) -> list[SectionLock]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(SectionLock).where(
                    SectionLock.statement_id == statement_id,
                    col(SectionLock.unlocked_at).is_(None),
                )
            ).all()
        )
