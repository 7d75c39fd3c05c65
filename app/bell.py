"""The bell: each open page's count of unread notifications, kept live.

Notifications are written by whichever worker handles what caused them, and by the daily
chores. Rather than every writer telling every worker, each worker looks at the latest
notifications about once a second (one query on a range of the primary key) and, when they
changed, counts again for the people told whose pages it serves. The range reaches back
WINDOW ids, so that a transaction that took an id early and committed late is seen too. Marks
read are rung at once on the worker that made them; the others see them in the same look, as
long as what was marked is within the range.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.models.notification import Notification
from app.socket_count import SocketCount

log = logging.getLogger("accord.bell")
LOOK_SECONDS = 1.0
WINDOW = 1000

Listener = Callable[[int], None]  # told the unread count


# The newest id, and how many there are in the range looked at, and how many of them are read.
Seen = tuple[int, int, int]


def _floor(newest: int) -> int:
    """Where the range looked at starts: WINDOW to 2 WINDOW ids back, moving in steps."""
    return max(0, (newest // WINDOW - 1) * WINDOW)


def _latest(engine: Engine, floor: int) -> Seen:
    with Session(engine) as session:
        newest, count, read = session.exec(
            select(
                func.max(Notification.id), func.count(), func.count(col(Notification.read_at))
            ).where(col(Notification.id) > floor)
        ).one()
        return newest or floor, count, read


def _unread(engine: Engine, user_ids: set[int], after: int | None) -> dict[int, int]:
    """The unread counts of those of `user_ids` told anything after id `after` (all of them
    with None)."""
    with Session(engine) as session:
        if after is not None:
            told = session.exec(
                select(Notification.user_id)
                .where(col(Notification.id) > after, col(Notification.user_id).in_(user_ids))
                .distinct()
            ).all()
            user_ids = set(told)
        if not user_ids:
            return {}
        rows = session.exec(
            select(Notification.user_id, func.count())
            .where(col(Notification.user_id).in_(user_ids), col(Notification.read_at).is_(None))
            .group_by(col(Notification.user_id))
        ).all()
        counts = dict.fromkeys(user_ids, 0)
        counts.update({user_id: count for user_id, count in rows})
        return counts


class Bell:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.listeners: defaultdict[int, set[Listener]] = defaultdict(set)
        self.sockets = SocketCount()  # each person's open bell sockets here
        self.seen: Seen = (0, 0, 0)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        newest, _, _ = await asyncio.to_thread(_latest, self.engine, 0)
        self.seen = await asyncio.to_thread(_latest, self.engine, _floor(newest))
        self.task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    def listen(self, user_id: int, listener: Listener) -> Callable[[], None]:
        self.listeners[user_id].add(listener)

        def stop() -> None:
            self.listeners[user_id].discard(listener)
            if not self.listeners[user_id]:
                del self.listeners[user_id]

        return stop

    async def count(self, user_id: int) -> int:
        counts = await asyncio.to_thread(_unread, self.engine, {user_id}, None)
        return counts[user_id]

    async def ring(self, user_id: int) -> None:
        """Tell the person's pages here their count again (after some were marked read)."""
        if user_id in self.listeners:
            self._tell({user_id: await self.count(user_id)})

    def _tell(self, counts: dict[int, int]) -> None:
        for user_id, count in counts.items():
            for listener in list(self.listeners.get(user_id, ())):
                listener(count)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(LOOK_SECONDS)
            try:
                floor = _floor(self.seen[0])
                latest = await asyncio.to_thread(_latest, self.engine, floor)
                if latest != self.seen and self.listeners:
                    watched = set(self.listeners)
                    self._tell(await asyncio.to_thread(_unread, self.engine, watched, floor))
                self.seen = latest  # a floor moved on next time only makes one count more
            except Exception:
                log.exception("the bell could not look for new notifications")
