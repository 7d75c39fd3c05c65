"""A room's state, and its work in hand: changes offered to it, sequenced, being written."""

import asyncio
from dataclasses import dataclass
from enum import Enum, Flag, auto

from app.collab.change import Applied, Change, Rebased
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


@dataclass(eq=False, slots=True)
class Offer:
    """A change offered to a room, and the future that answers its sender."""

    author: Author
    client_id: str
    seq: int
    base_rev: int
    op: list[int | str]
    answer: "asyncio.Future[Applied]"

    def settle(self, applied: Applied) -> None:
        if not self.answer.done():
            self.answer.set_result(applied)

    def refuse(self, refusal: Refusal) -> None:
        if not self.answer.done():
            self.answer.set_exception(refusal)

    def follow(self, resent: "Offer") -> None:
        """Answer a resend of this change as this one is answered."""

        def answer(first: "asyncio.Future[Applied]") -> None:
            problem = first.exception()
            if isinstance(problem, Refusal):
                resent.refuse(problem)
            elif problem is None:
                resent.settle(first.result())

        self.answer.add_done_callback(answer)


@dataclass(eq=False, slots=True)
class Sequenced:
    """An offer as the room sequenced it."""

    offer: Offer
    change: Change


@dataclass(eq=False, slots=True)
class Writing:
    """A batch handed to the writer: its changes, the head after them, and the commit."""

    accepted: list[Sequenced]
    rev: int
    text: str
    commit: "asyncio.Future[Rebased | None]"
    snapshot: bool  # whether the batch carried a snapshot
