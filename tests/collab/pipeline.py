"""A room's commits held at will, and waits on what a room does: for tests of the pipeline
that sequences the next batch while the previous one is committed."""

import asyncio
import json
import threading
from typing import Any

from sqlalchemy import Engine

from app.collab import log
from app.collab.change import Batch
from app.collab.connection import Connection
from app.collab.sequencer import Rebased

TIMEOUT = 5.0


class HeldCommits:
    """log.append_many, held until released; the first `failures` calls then fail."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.released = threading.Event()
        self.calls = 0
        self.real = log.append_many

    def __call__(self, engine: Engine, batches: list[Batch]) -> list[Rebased | None]:
        self.calls += 1
        self.released.wait(TIMEOUT)
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the disk is full")
        return self.real(engine, batches)


async def until(condition: Any) -> None:
    for _ in range(int(TIMEOUT * 1000)):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise TimeoutError("the room never got there")


async def next_frame(connection: Connection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(connection.outbox.get(), TIMEOUT))
    return frame
