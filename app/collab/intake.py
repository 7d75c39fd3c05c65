"""What other workers wrote to a room's statement: told by their notices, or to be read."""

import asyncio
import logging

from sqlalchemy import Engine
from sqlmodel import Session

from app.collab import log
from app.collab.change import Change
from app.collab.members import Author
from app.services import members

logger = logging.getLogger("accord.room")


class Foreign:
    """Other workers' changes a room was told of and has not taken in, and who waits for
    the room to have read everything written before they asked."""

    def __init__(self, *, shared: bool) -> None:
        self.shared = shared  # whether other workers may write the statement at all
        self.told_rev = 0  # the newest revision a notice named
        self.told: dict[int, Change] = {}  # changes notices carried, by revision
        self.waiters: list[asyncio.Future[None]] = []

    def told_of(self, rev: int, changes: list[Change], durable_rev: int) -> bool:
        """A notice: the log is at `rev`, and these changes may be the new ones. True if
        the room has anything to take in."""
        if rev <= durable_rev:
            return False
        self.told_rev = max(self.told_rev, rev)
        for change in changes:
            self.told[change.rev] = change
        return True

    def behind(self, durable_rev: int) -> bool:
        return self.told_rev > durable_rev

    def told_after(self, durable_rev: int) -> list[Change] | None:
        """The changes notices carried right after the durable head, if they reach as far
        as any notice named; None if the log must be read."""
        told: list[Change] = []
        while durable_rev + len(told) + 1 in self.told:
            told.append(self.told[durable_rev + len(told) + 1])
        return told if told and told[-1].rev >= self.told_rev else None

    def give_up(self, durable_rev: int) -> None:
        """The log could not be read: wait for the next notice to try again."""
        self.told_rev = durable_rev

    def forget(self, durable_rev: int) -> None:
        """Drop what notices told of that the room has taken in by now."""
        if self.told:
            self.told = {rev: c for rev, c in self.told.items() if rev > durable_rev}

    def wait_for_head(self) -> "asyncio.Future[None]":
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        return waiter

    def take_waiters(self) -> list["asyncio.Future[None]"]:
        """Those waiting now: the read about to start was asked for before they asked."""
        waiting, self.waiters = self.waiters, []
        return waiting

    @staticmethod
    def caught_up(waiting: list["asyncio.Future[None]"]) -> None:
        for waiter in waiting:
            if not waiter.done():
                waiter.set_result(None)


def resent_among(foreign: list[Change], pending: list[Change]) -> bool:
    """Whether a sender moved to another worker and sent there a change still pending here."""
    latest: dict[str, int] = {}
    for change in foreign:
        latest[change.client_id] = change.seq
    return any(change.seq <= latest.get(change.client_id, 0) for change in pending)


async def reread_senders(
    engine: Engine, statement_id: int, last_seq: dict[str, tuple[int, int]], refused: set[str]
) -> bool:
    """Read again each sender's newest change in the log into `last_seq`; False (and the
    refused senders forgotten, to be read at their next change) if it cannot be read."""
    try:
        found = await asyncio.to_thread(_newest, engine, statement_id, list(last_seq))
    except Exception:
        logger.exception("could not read statement %s's senders", statement_id)
        for client_id in refused:
            last_seq.pop(client_id, None)
        return False
    last_seq.update(found)
    return True


def _newest(engine: Engine, statement_id: int, client_ids: list[str]) -> dict[str, tuple[int, int]]:
    return {client_id: log.last_seq(engine, statement_id, client_id) for client_id in client_ids}


def authors(engine: Engine, statement_id: int, user_ids: set[int]) -> dict[int, Author]:
    """How the writers of other workers' changes appear here."""
    with Session(engine) as session:
        found = members.profiles(session=session, statement_id=statement_id, user_ids=user_ids)
    return {user_id: Author.of(profile) for user_id, profile in found.items()}


def nobody(user_id: int) -> Author:
    """How a writer whose account is gone appears."""
    return Author(id=user_id, name="", organisation="", colour=members.colour_of(user_id))
