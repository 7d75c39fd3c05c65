"""Suggested changes: made on a revision, carried to the live head, listed.

A suggestion is stored where it stands at the head when it is made, and carried further
whenever suggestions are read (as comment passages are). Carrying it through a change that
touches the characters it would replace makes it outdated (app/collab/proposals.py); a status
changes only from the one it was read with, so a decision made meanwhile is never undone.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.collab import log, ops
from app.collab.diffing import operation_between
from app.collab.proposals import NotOneChange, Proposed, follow, proposed
from app.config import Settings
from app.errors import Conflict, Invalid, NotFound
from app.models.base import utcnow
from app.models.suggestion import Suggestion, SuggestionCreate, SuggestionStatus
from app.models.user import User
from app.services import audit, members
from app.services.text import check_text, text_at

FORMER = {"id": None, "name": "a former member", "organisation": ""}
CARRIED = (SuggestionStatus.open, SuggestionStatus.voting)  # the ones that follow the text


def make(
    *,
    session: Session,
    settings: Settings,
    statement_id: int,
    author: User,
    suggestion_in: SuggestionCreate,
) -> Suggestion:
    """Turn a change made on `base_rev` into a suggestion standing at the head."""
    base_rev = suggestion_in.base_rev
    base = text_at(session=session, statement_id=statement_id, rev=base_rev).text
    op: list[Any]
    if suggestion_in.text is not None:
        check_text(settings=settings, text=suggestion_in.text)
        op = operation_between(base, suggestion_in.text)
    else:
        op = list(suggestion_in.op or [])
    try:
        made = proposed(op, base)
    except (ops.InvalidOperation, NotOneChange) as problem:
        raise Invalid(str(problem)) from None
    check_text(settings=settings, text=made.insert)
    head = log.head_revision(session=session, statement_id=statement_id)
    later = [change.op for change in _changes(session, statement_id, base_rev, head)]
    now = follow(made, later)
    if now is None:
        raise Conflict(
            f"Since revision {base_rev} the text this suggestion would replace has changed; "
            "suggest again on the text as it is now."
        )
    suggestion = Suggestion(
        statement_id=statement_id,
        author_id=author.id,
        base_rev=base_rev,
        anchor_rev=head,
        start=now.start,
        end=now.end,
        inserted=made.insert,
        replaced=base[made.start : made.end],
        reason=suggestion_in.reason.strip(),
    )
    session.add(suggestion)
    session.flush()
    audit.record(
        session=session,
        statement_id=statement_id,
        actor=author,
        kind="suggestion.created",
        suggestion=suggestion.id,
    )
    return suggestion


def _changes(session: Session, statement_id: int, after: int, upto: int) -> list[log.Logged]:
    return list(log.ops_between(session=session, statement_id=statement_id, after=after, upto=upto))


def bring_to_head(*, session: Session, statement_id: int) -> None:
    """Carry the statement's open suggestions to the head, marking outdated those whose
    characters changed; each saved only if its status is still the one read."""
    carried = session.exec(
        select(Suggestion).where(
            Suggestion.statement_id == statement_id, col(Suggestion.status).in_(CARRIED)
        )
    ).all()
    head = log.head_revision(session=session, statement_id=statement_id)
    behind = [s for s in carried if s.anchor_rev < head]
    if not behind:
        return
    changes = _changes(session, statement_id, min(s.anchor_rev for s in behind), head)
    for suggestion in behind:
        later = [change.op for change in changes if change.rev > suggestion.anchor_rev]
        now = follow(Proposed(suggestion.start, suggestion.end, suggestion.inserted), later)
        values: dict[str, Any] = {"anchor_rev": head}
        if now is None:
            values["status"] = SuggestionStatus.outdated
        else:
            values |= {"start": now.start, "end": now.end}
        session.exec(
            update(Suggestion)
            .where(col(Suggestion.id) == suggestion.id, col(Suggestion.status) == suggestion.status)
            .values(**values)
        )
    session.commit()


def find(*, session: Session, statement_id: int, suggestion_id: int) -> Suggestion:
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.statement_id != statement_id:
        raise NotFound("There is no such suggestion on this statement.")
    return suggestion


def decide(
    *,
    session: Session,
    suggestion: Suggestion,
    actor: User,
    status: SuggestionStatus,
    reason: str = "",
) -> None:
    """Reject or withdraw an open suggestion: only one decision wins, and only while it is
    open (its characters unchanged since it was made); 409 otherwise, with nothing changed."""
    bring_to_head(session=session, statement_id=suggestion.statement_id)
    decided = session.exec(
        update(Suggestion)
        .where(
            col(Suggestion.id) == suggestion.id,
            col(Suggestion.status) == SuggestionStatus.open,
        )
        .values(status=status, decided_by=actor.id, decided_at=utcnow(), decision_reason=reason)
    )
    if decided.rowcount != 1:
        session.rollback()
        session.refresh(suggestion)
        raise Conflict(f"This suggestion is {suggestion.status}, no longer open.")
    audit.record(
        session=session,
        statement_id=suggestion.statement_id,
        actor=actor,
        kind=f"suggestion.{status}",
        suggestion=suggestion.id,
    )


def list_suggestions(
    *, session: Session, statement_id: int, status: SuggestionStatus | None = None
) -> Sequence[Suggestion]:
    """The statement's suggestions, as they stand at the head, oldest first."""
    bring_to_head(session=session, statement_id=statement_id)
    query = select(Suggestion).where(Suggestion.statement_id == statement_id)
    if status is not None:
        query = query.where(Suggestion.status == status)
    return session.exec(query.order_by(col(Suggestion.id))).all()


def authors(
    *, session: Session, statement_id: int, suggestions: Sequence[Suggestion]
) -> dict[int | None, dict[str, Any]]:
    """How each suggestion's author is named: with the organisation they speak for here."""
    ids = {s.author_id for s in suggestions if s.author_id is not None}
    profiles = members.profiles(session=session, statement_id=statement_id, user_ids=ids)
    found: dict[int | None, dict[str, Any]] = {None: FORMER}
    found.update(profiles.items())
    return found
