"""One open socket as a room sees it: who it is, what it may do, and its outbound frames."""

import asyncio
from dataclasses import dataclass, field
from typing import Any

from app.collab.protocol import Selection

# Put in an outbox, these close that connection (no real frame is empty or a lone NUL).
CLOSE = ""  # no longer a member of the statement
SIGNED_OUT = "\x00"  # the session or token ended, or the account was disabled


class Outbox:
    """A connection's frames waiting to go out, for one reader: asyncio.Queue does more per
    frame than a room that puts a frame in every outbox for every change can afford."""

    __slots__ = ("items", "waiter")

    def __init__(self) -> None:
        self.items: list[str] = []
        self.waiter: asyncio.Future[None] | None = None

    def put_nowait(self, text: str) -> None:
        self.items.append(text)
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def take(self) -> list[str]:
        """Wait for a frame, then return every frame queued by then, oldest first."""
        while not self.items:
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter
        items, self.items = self.items, []
        return items

    async def get(self) -> str:
        while not self.items:
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter
        return self.items.pop(0)

    def get_nowait(self) -> str:
        return self.items.pop(0)

    def empty(self) -> bool:
        return not self.items

    def qsize(self) -> int:
        return len(self.items)


@dataclass(eq=False)
class Connection:
    """One open socket: who it is, what it may do, and its outbound queue."""

    client_id: str
    user: dict[str, Any]
    role: str
    can_edit: bool
    credential: str = ""  # what signed the socket in: "s:" or "t:" and the secret's hash
    outbox: Outbox = field(default_factory=Outbox)
    selection: Selection | None = None
    allowance: float = 0.0  # frames this connection may still send now (a token bucket)
    checked_at: float = 0.0
    told_at: float = float("-inf")  # when it was last told it went past the rate

    def wait(self, per_second: float, now: float) -> float:
        """Seconds to wait before one more inbound frame is read, to keep within the rate
        (0 within it; a burst of two seconds' worth passes). The frame is counted as read at
        the end of the wait."""
        burst = 2 * per_second
        if self.checked_at == 0.0:
            self.allowance = burst
        else:
            self.allowance = min(burst, self.allowance + (now - self.checked_at) * per_second)
        if self.allowance >= 1:
            self.allowance -= 1
            self.checked_at = now
            return 0.0
        delay = (1 - self.allowance) / per_second
        self.allowance = 0.0
        self.checked_at = now + delay
        return delay

    def send(self, text: str) -> None:
        self.outbox.put_nowait(text)

    def peer(self) -> dict[str, Any]:
        selection = self.selection.model_dump() if self.selection else None
        return {"user": self.user, "client_id": self.client_id, "selection": selection}
