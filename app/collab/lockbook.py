"""The locked sections of a statement as its rooms read them (app/collab/locks.py): when a
room opens, whenever a section is locked or unlocked anywhere, and when a batch of its met a
lock it did not hold (app/collab/log.py refuses to write such a batch on PostgreSQL)."""

import asyncio

from sqlalchemy import Engine
from sqlalchemy import text as sql
from sqlmodel import Session, col, select

from app.collab import locks
from app.collab.document import Document
from app.collab.locks import Lock
from app.collab.log import LOCK_SPACE
from app.models.section import SectionLock

_HOLD = sql("SELECT pg_advisory_xact_lock(:space, :id)")


def active(engine: Engine, statement_id: int) -> list[Lock]:
    """The sections locked now, each where its words stood when it was locked."""
    with Session(engine) as session:
        rows = session.exec(
            select(SectionLock).where(
                SectionLock.statement_id == statement_id, col(SectionLock.unlocked_at).is_(None)
            )
        ).all()
        return [Lock(row.section, row.text, row.start, row.preamble) for row in rows]


def hold(session: Session, statement_id: int) -> None:
    """Take the statement's claim on its log until the session's transaction ends, as a
    batch's claim does, so that no worker writes a change meanwhile; nothing on SQLite, where
    one process writes."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_HOLD, {"space": LOCK_SPACE, "id": statement_id})


async def renew(engine: Engine, statement_id: int, document: Document) -> None:
    """Read the statement's locks into its room's document, each found in its text."""
    found = await asyncio.to_thread(active, engine, statement_id)
    document.locks = locks.renew(document.locks, found, document.text)
