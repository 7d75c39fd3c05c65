"""A room's state, and its work in hand: changes offered to it, sequenced, being written."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, Flag, auto

from app.collab.change import Applied, Change, Rebased, Sent
from app.collab.members import Author
from app.collab.refusals import Refusal


class State(Enum):
    OPEN = "open"  # sequencing and writing what comes
    CLOSING = "closing"  # writing what it holds; it stops once that is written
    CLOSED = "closed"


class Owed(Flag):
    """What the worker owes before it goes on."""

    NOTHING = 0
    READ = auto()  # read the log for what other workers wrote (notices were missed)
    REFUSE = auto()  # a sender moved to another worker: refuse what waits, to be resent
    SNAPSHOT = auto()  # a snapshot of the durable head (the writer left one out)


Reply = Callable[["Offer", Applied | Refusal], None]


@dataclass(eq=False, slots=True)
class Offer:
    """A change offered to a room; once sequenced, the change it became (`change`). Its
    sender is answered through `reply`: a socket's transport gives one function for all its
    changes, an API call one that settles the future it awaits (app/collab/room.py)."""

    author: Author
    client_id: str
    seq: int
    sent: Sent
    reply: Reply
    change: Change = field(init=False)
    followers: list["Offer"] | None = None  # resends of this change, answered with it

    def settle(self, applied: Applied) -> None:
        self.reply(self, applied)
        for resent in self.followers or ():
            resent.reply(resent, applied)

    def refuse(self, refusal: Refusal) -> None:
        self.reply(self, refusal)
        for resent in self.followers or ():
            resent.reply(resent, refusal)

    def follow(self, resent: "Offer") -> None:
        """Answer a resend of this change as this one is answered."""
        if self.followers is None:
            self.followers = []
        self.followers.append(resent)


def into(future: "asyncio.Future[Applied]") -> Reply:
    """A reply that settles `future`."""

    def reply(_: Offer, answer: Applied | Refusal) -> None:
        if future.done():
            return
        if isinstance(answer, Refusal):
            future.set_exception(answer)
        else:
            future.set_result(answer)

    return reply


@dataclass(eq=False, slots=True)
class Writing:
    """A batch handed to the writer: its changes, the head after them, and the commit."""

    accepted: list[Offer]
    rev: int
    text: str
    commit: "asyncio.Future[Rebased | None]"
    snapshot: bool  # whether the batch carried a snapshot
