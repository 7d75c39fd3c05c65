"""A room's commits held at will, a room's sockets without a server, and waits on what a
room does: for tests of the pipeline that sequences the next batch while the previous one
is committed."""

import asyncio
import json
import threading
from typing import Any

from sqlalchemy import Engine

from app.collab import log
from app.collab.audience import Audience
from app.collab.change import Batch, Rebased
from app.collab.connection import Connection
from app.collab.members import Author, Member
from app.collab.room import Room

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


async def open_room(engine: Engine, statement_id: int, max_text_bytes: int = 10**6) -> Audience:
    """A loaded room, and its audience of sockets (none yet)."""
    room = Room(statement_id, engine, max_text_bytes)
    await room.load()
    return Audience(room)


async def seat(
    audience: Audience, client_id: str, person: dict[str, Any], *, can_edit: bool = True
) -> Connection:
    """A socket of `person`'s in the room, as if it had joined."""
    connection = Connection(Member(client_id, Author.of(person)), "editor", can_edit)
    await audience.room.enter(connection.member)
    audience.add(connection)
    return connection


async def until(condition: Any, seconds: float = TIMEOUT) -> None:
    for _ in range(int(seconds * 1000)):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise TimeoutError("the room never got there")


async def next_frame(connection: Connection, seconds: float = TIMEOUT) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(connection.outbox.get(), seconds))
    return frame
