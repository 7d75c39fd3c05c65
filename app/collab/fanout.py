"""PostgreSQL as the fan-out among workers: LISTEN/NOTIFY carries what the others must know.

Every worker listens on one channel. What it hears is a notice, a small JSON object naming
the worker that sent it (`w`), its kind (`k`) and the statement (`s`):

- `op`: the statement has changes up to revision `r`. Sent by the transaction that wrote them,
  so it arrives only once they are durable; the listener reads them from the op log.
- `presence`: a presence frame `f` of one of the sender's sockets, to pass on as it is.
- `event`: a live event frame `f` (a comment, a version, a round), to pass on as it is.
- `member`: member `u` now has role `r`, or none: their sockets must change or close.
- `who`: the sender opened the statement's room and asks the others for their presence.
- `alive` every few seconds, and `bye` on a clean shutdown: whose presence still stands.

A notice is a hint, never the data that must not be lost: a worker that loses its listening
connection reconnects with backoff, then catches every open room up from the op log, asks for
presence again and checks its sockets' memberships, so nothing missed meanwhile stays missed.
"""

import asyncio
import contextlib
import json
import logging
import random
import uuid
from collections.abc import Callable
from typing import Any

import psycopg

CHANNEL = "accord"
WORKER = uuid.uuid4().hex[:12]  # this process, among the workers sharing the database
ALIVE_SECONDS = 5.0
GONE_AFTER = 3 * ALIVE_SECONDS  # a worker not heard from for this long is gone
MAX_NOTICE_BYTES = 7_900  # PostgreSQL refuses payloads of 8,000 bytes and more
MAX_OUTGOING = 10_000

log = logging.getLogger("accord.fanout")
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_NOTIFY = "SELECT pg_notify(%s, m) FROM unnest(%s::text[]) AS m"
_JITTER = random.SystemRandom()  # backoff spread, so that workers do not retry in step


def notice(kind: str, statement_id: int | None = None, **data: Any) -> str:
    return _ENCODER.encode({"w": WORKER, "k": kind, "s": statement_id, **data})


class Fanout:
    """This worker's two connections to the channel: one listens, one sends."""

    def __init__(
        self,
        url: str,
        receive: Callable[[dict[str, Any]], None],
        resync: Callable[[], None],
        gone: Callable[[str], None],
    ) -> None:
        self.url = url
        self.receive = receive  # a notice of another worker
        self.resync = resync  # listening (again): whatever was missed must be caught up
        self.gone = gone  # a worker stopped, or has not been heard from for too long
        self.outgoing: list[str] = []
        self.wake = asyncio.Event()
        self.listening = asyncio.Event()
        self.seen: dict[str, float] = {}  # other workers, and when each was last heard
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start listening and sending; return once listening, or after a few seconds."""
        self.tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._send())]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.listening.wait(), 5)

    async def stop(self) -> None:
        """Stop, and say goodbye so that the others drop this worker's presence at once."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        with contextlib.suppress(TimeoutError, psycopg.Error, OSError):
            async with asyncio.timeout(2):
                await self._notify([*self.outgoing, notice("bye")])

    def publish(self, kind: str, statement_id: int | None = None, **data: Any) -> None:
        """Send a notice to the other workers, as soon as the sending connection can."""
        self.outgoing.append(notice(kind, statement_id, **data))
        if len(self.outgoing) > MAX_OUTGOING:
            del self.outgoing[: len(self.outgoing) - MAX_OUTGOING]
            log.warning("notices are not getting out; the oldest were dropped")
        self.wake.set()

    async def _notify(self, messages: list[str]) -> None:
        """Send notices on a connection of their own, for once."""
        async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as connection:
            await connection.execute(_NOTIFY, (CHANNEL, messages))

    async def _send(self) -> None:
        connection: psycopg.AsyncConnection[Any] | None = None
        delay = 0.1
        while True:
            if not self.outgoing:
                self.wake.clear()
                await self.wake.wait()
            try:
                if connection is None or connection.closed:
                    connection = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
                batch = self.outgoing[:500]
                await connection.execute(_NOTIFY, (CHANNEL, batch))
                del self.outgoing[: len(batch)]
                delay = 0.1
            except (psycopg.Error, OSError) as problem:
                log.warning("could not send notices (%s); trying again", problem)
                if connection is not None:
                    await connection.close()
                connection = None
                await asyncio.sleep(delay * _JITTER.uniform(0.5, 1.5))
                delay = min(delay * 2, 5.0)

    async def _listen(self) -> None:
        delay = 0.1
        while True:
            try:
                connection = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
                async with connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    await self._hear(connection)
            except (psycopg.Error, OSError, ListenerLost) as problem:
                log.warning("lost the notice channel (%s); reconnecting", problem)
            self.listening.clear()
            await asyncio.sleep(delay * _JITTER.uniform(0.5, 1.5))
            delay = min(delay * 2, 5.0)

    async def _hear(self, connection: psycopg.AsyncConnection[Any]) -> None:
        """Pass on notices until the connection fails or falls silent."""
        loop = asyncio.get_running_loop()
        self.listening.set()
        now = loop.time()
        # Whoever was heard before the gap gets a fresh chance; missed changes are caught up.
        self.seen = dict.fromkeys(self.seen, now)
        self.resync()
        heard = said = now
        self.publish("alive")
        while True:
            async for item in connection.notifies(timeout=1.0):
                heard = loop.time()
                self._dispatch(item.payload, heard)
            now = loop.time()
            if now - said >= ALIVE_SECONDS:
                said = now
                self.publish("alive")
            if now - heard > GONE_AFTER:
                # Not even this worker's own `alive` came back: the connection is dead.
                raise ListenerLost(f"nothing heard for {now - heard:.0f} s")
            for worker, last in list(self.seen.items()):
                if now - last > GONE_AFTER:
                    del self.seen[worker]
                    self.gone(worker)

    def _dispatch(self, payload: str, now: float) -> None:
        try:
            message = json.loads(payload)
            worker, kind = message["w"], message["k"]
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a notice that is not Accord's: %.80r", payload)
            return
        if worker == WORKER:
            return
        if kind == "bye":
            self.seen.pop(worker, None)
            self.gone(worker)
            return
        self.seen[worker] = now
        if kind != "alive":
            try:
                self.receive(message)
            except Exception:
                log.exception("a notice could not be handled: %.200r", payload)


class ListenerLost(Exception):
    """The listening connection stopped delivering even this worker's own notices."""
