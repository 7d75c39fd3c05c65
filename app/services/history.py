"""Editing sessions: the operation log grouped into stretches of work, newest first."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.collab import log
from app.models.history import Change, EditingSession, SessionAuthor
from app.models.membership import Membership
from app.models.user import User


@dataclass
class _Tally:
    revisions: int = 0
    inserted: int = 0
    deleted: int = 0

    def add(self, op: Sequence[Any]) -> None:
        self.revisions += 1
        for component in op:
            if isinstance(component, str):
                self.inserted += len(component)
            elif component < 0:
                self.deleted -= component


@dataclass
class _Session:
    first_rev: int
    last_rev: int
    started_at: datetime
    ended_at: datetime
    total: _Tally = field(default_factory=_Tally)
    by_author: dict[int | None, _Tally] = field(default_factory=dict)


def editing_sessions(
    *, session: Session, statement_id: int, gap: timedelta, before: int | None, limit: int
) -> list[EditingSession]:
    """Up to `limit` sessions made of revisions before `before`, newest first.

    A new session starts wherever nobody changed the text for longer than `gap`. The log is
    read backwards in batches and reading stops as soon as the last session is complete.
    """
    found: list[_Session] = []
    for change in log.newest_first(session=session, statement_id=statement_id, before=before):
        rev, at = change.rev, change.created_at
        current = found[-1] if found else None
        if current is None or current.started_at - at > gap:
            if len(found) == limit:
                break
            current = _Session(first_rev=rev, last_rev=rev, started_at=at, ended_at=at)
            found.append(current)
        current.first_rev, current.started_at = rev, at
        current.total.add(change.op)
        current.by_author.setdefault(change.author_id, _Tally()).add(change.op)
    return _public(session, statement_id, found)


def _public(session: Session, statement_id: int, found: list[_Session]) -> list[EditingSession]:
    author_ids = {a for s in found for a in s.by_author if a is not None}
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(author_ids))).all())
    organisations = dict(
        session.exec(
            select(Membership.user_id, Membership.organisation).where(
                Membership.statement_id == statement_id, col(Membership.user_id).in_(author_ids)
            )
        ).all()
    )
    return [
        EditingSession(
            first_rev=s.first_rev,
            last_rev=s.last_rev,
            started_at=s.started_at,
            ended_at=s.ended_at,
            revisions=s.total.revisions,
            inserted=s.total.inserted,
            deleted=s.total.deleted,
            authors=sorted(
                (
                    SessionAuthor(
                        id=author_id,
                        name=names.get(author_id, "Unknown") if author_id else "Unknown",
                        organisation=organisations.get(author_id, "") if author_id else "",
                        revisions=tally.revisions,
                        inserted=tally.inserted,
                        deleted=tally.deleted,
                    )
                    for author_id, tally in s.by_author.items()
                ),
                key=lambda a: (-(a.inserted + a.deleted), -a.revisions, a.name),
            ),
        )
        for s in found
    ]


def changes(*, session: Session, statement_id: int, after: int, limit: int) -> list[Change]:
    """The log's changes after revision `after`, oldest first, `limit` at most."""
    found = log.dated_between(session=session, statement_id=statement_id, after=after, limit=limit)
    return [
        Change(rev=row.rev, op=row.op, author_id=row.author_id, created_at=row.created_at)
        for row in found
    ]
