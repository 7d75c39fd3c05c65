"""The locked sections of the rooms open on this worker: put in place the moment a
facilitator locks one here, and read again (app/collab/lockbook.py) whenever a section is
locked or unlocked anywhere. A room reads them itself when it opens."""

import asyncio
import logging
from typing import Any

from app.collab import lockbook, locks
from app.collab.audience import Audience
from app.collab.hub import Hub

logger = logging.getLogger("accord.sections")
TOLD = ("section.locked", "section.unlocked")


def guard_rooms(hub: Hub) -> None:
    """Read a room's locks again whenever a section of its statement is locked or unlocked."""
    pending: set[asyncio.Task[None]] = set()

    def heard(audience: Audience, frame: dict[str, Any]) -> None:
        if frame.get("name") in TOLD:
            room = audience.room
            task = asyncio.create_task(_renew(hub, room.statement_id, audience))
            pending.add(task)
            task.add_done_callback(pending.discard)

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


async def _renew(hub: Hub, statement_id: int, audience: Audience) -> None:
    try:
        await lockbook.renew(hub.engine, statement_id, audience.room.document)
    except Exception:
        logger.exception("the locked sections could not be read")
