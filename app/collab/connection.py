"""One open socket: the member it is in its room, what it may do, its outbound frames."""

import asyncio
from dataclasses import dataclass, field

from app.collab.members import Member
from app.collab.offers import Reply
from app.collab.refusals import AccessEnded


class Outbox:
    """A connection's frames waiting to go out, for one reader: asyncio.Queue does more per
    frame than a room that puts a frame in every outbox for every change can afford. Once
    closed, it takes no more frames: those queued go out, then the socket closes."""

    __slots__ = ("closing", "items", "waiter")

    def __init__(self) -> None:
        self.items: list[str] = []
        self.waiter: asyncio.Future[None] | None = None
        self.closing: AccessEnded | None = None

    def put_nowait(self, text: str) -> None:
        # Called for every recipient of every change: kept to the fewest steps.
        if self.closing is not None:
            return
        self.items.append(text)
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def close(self, ended: AccessEnded) -> None:
        """Send what is queued, then close the socket for this reason."""
        if self.closing is None:
            self.closing = ended
            self._wake()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def take(self) -> list[str]:
        """Wait for a frame or the close, then return every frame queued by then."""
        while not self.items and self.closing is None:
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter
        items, self.items = self.items, []
        return items

    async def get(self) -> str:
        """Wait for one frame and return it."""
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
    """One open socket: its member, role and credential, and its outbound queue."""

    member: Member
    role: str
    can_edit: bool
    credential: str = ""  # what signed the socket in: "s:" or "t:" and the secret's hash
    outbox: Outbox = field(default_factory=Outbox)
    allowance: float = 0.0  # frames this connection may still send now (a token bucket)
    checked_at: float = 0.0
    told_at: float = float("-inf")  # when it was last told it went past the rate
    reply: "Reply | None" = None  # how the room answers its changes (app/collab/audience.py)

    @property
    def client_id(self) -> str:
        return self.member.client_id

    @property
    def user_id(self) -> int:
        return self.member.author.id

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

    def close(self, ended: AccessEnded) -> None:
        self.outbox.close(ended)
