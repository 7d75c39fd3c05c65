"""Group commit across rooms: one writer per database for all the rooms of this process.

A room hands its batch to the writer and waits. The writer takes every batch waiting at that
moment and writes them all in one transaction, so the rooms share one commit and one fsync
(and on SQLite, which lets one transaction write at a time, rooms do not queue on its lock).
If that transaction fails, each batch is written again on its own, so that one room's failure
is not another's.

A room hands over one batch at a time: what it sequences while that one is committed becomes
its next batch. So a room's batches never meet in one transaction, and a batch written alone
after a failed transaction never rests on changes of its room that were not written.
"""

import asyncio
import weakref

from sqlalchemy import Engine

from app.collab import log
from app.collab.change import Batch, Rebased

Outcome = tuple[Rebased | None, Exception | None]  # what overtook the batch, or its failure


class Writer:
    def __init__(self, engine: Engine, loop: asyncio.AbstractEventLoop) -> None:
        self.engine = engine
        self.loop = loop
        self.waiting: list[tuple[Batch, asyncio.Future[Rebased | None]]] = []
        self.task: asyncio.Task[None] | None = None

    async def write(self, batch: Batch) -> Rebased | None:
        """Return once the batch is committed; raise what the database raised if it is not."""
        return await self.submit(batch)

    def submit(self, batch: Batch) -> asyncio.Future[Rebased | None]:
        """Queue the batch for the next commit; the future is done once that is over, with
        what other workers wrote before it, if anything (the batch was put after that)."""
        future = self.loop.create_future()
        self.waiting.append((batch, future))
        if self.task is None:
            self.task = asyncio.create_task(self._drain())
        return future

    async def _drain(self) -> None:
        taken: list[tuple[Batch, asyncio.Future[Rebased | None]]] = []
        try:
            while self.waiting:
                taken, self.waiting = self.waiting, []
                outcomes = await asyncio.to_thread(_write, self.engine, [b for b, _ in taken])
                for (_, future), (rebased, failure) in zip(taken, outcomes, strict=True):
                    if future.done():
                        continue
                    if failure is None:
                        future.set_result(rebased)
                    else:
                        future.set_exception(failure)
        except BaseException as problem:
            for _, future in taken + self.waiting:
                if not future.done():
                    future.set_exception(RuntimeError(f"the writer stopped: {problem!r}"))
            self.waiting = []
            raise
        finally:
            self.task = None


def _write(engine: Engine, batches: list[Batch]) -> list[Outcome]:
    """Write all the batches in one transaction, or else each alone; one outcome per batch."""
    try:
        return [(rebased, None) for rebased in log.append_many(engine, batches)]
    except Exception as problem:
        if len(batches) == 1:
            return [(None, problem)]
    outcomes: list[Outcome] = []
    for batch in batches:
        try:
            outcomes.append((log.append_many(engine, [batch])[0], None))
        except Exception as problem:
            outcomes.append((None, problem))
    return outcomes


_writers: weakref.WeakKeyDictionary[Engine, Writer] = weakref.WeakKeyDictionary()


def writer(engine: Engine) -> Writer:
    """The writer of this engine on the running event loop."""
    loop = asyncio.get_running_loop()
    found = _writers.get(engine)
    if found is None or found.loop is not loop:
        found = _writers[engine] = Writer(engine, loop)
    return found
