"""Locking agreed sections and unlocking them (facilitators): the database's side. Of two
locks or unlocks of one section at once, one wins (an index on the active locks, a conditional
update); the room's side is app/services/section_guard.py."""

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.collab import lockbook, locks, log
from app.collab.locks import Lock
from app.errors import Conflict, NotFound
from app.models.base import utcnow
from app.models.section import SectionLock
from app.models.user import User
from app.services import audit
from app.services.sections import Section

CHANGED = "The section changed while it was being locked; try again."


def active(*, session: Session, statement_id: int) -> dict[str, SectionLock]:
    """The sections locked now, by id."""
    rows = session.exec(
        select(SectionLock).where(
            SectionLock.statement_id == statement_id, col(SectionLock.unlocked_at).is_(None)
        )
    ).all()
    return {row.section: row for row in rows}


def refuse_if_locked(*, session: Session, statement_id: int, key: str) -> None:
    if key in active(session=session, statement_id=statement_id):
        raise Conflict("This section is already locked.")


def lock(
    *, session: Session, statement_id: int, section: Section, words: str, actor: User
) -> SectionLock:
    """Record the lock of `section`, whose words are `words`; 409 if it is locked already, or
    if they no longer stand in the durable text. No worker writes a change meanwhile, and any
    worker's change written after this commits is checked against the lock (see claim in
    app/collab/log.py)."""
    lockbook.hold(session, statement_id)
    rev = log.head_revision(session=session, statement_id=statement_id)
    text = log.read_text(session=session, statement_id=statement_id, rev=rev)
    wanted = Lock(section.key, words, section.start, preamble=section.level == 0)
    if locks.locate(wanted, text, section.start) is None:
        raise Conflict(CHANGED)
    row = SectionLock(
        statement_id=statement_id,
        section=section.key,
        text=words,
        start=section.start,
        preamble=section.level == 0,
        locked_by=actor.id,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict("This section is already locked.") from None
    audit.record(
        session=session,
        statement_id=statement_id,
        actor=actor,
        kind="section.locked",
        section=section.key,
        heading=section.heading,
    )
    return row


def unlock(*, session: Session, statement_id: int, key: str, known: bool, actor: User) -> None:
    """End the lock of section `key`; 404 for a section the statement does not have (`known`
    says whether the draft has it), 409 if it is not locked."""
    changed = session.execute(
        update(SectionLock)
        .where(
            col(SectionLock.statement_id) == statement_id,
            col(SectionLock.section) == key,
            col(SectionLock.unlocked_at).is_(None),
        )
        .values(unlocked_at=utcnow(), unlocked_by=actor.id)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        if not known:
            raise NotFound("This statement has no such section.")
        raise Conflict("This section is not locked.")
    audit.record(
        session=session,
        statement_id=statement_id,
        actor=actor,
        kind="section.unlocked",
        section=key,
    )
