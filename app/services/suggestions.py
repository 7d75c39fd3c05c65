"""Suggested changes: made on a revision, carried to the live head, listed.

A suggestion is stored where it stands at the head when it is made, and carried further
whenever suggestions are read (as comment passages are). Carrying it through a change that
touches the characters it would replace makes it outdated (app/collab/proposals.py); a status
changes only from the one it was read with, so a decision made meanwhile is never undone.
Carrying also settles acceptances that were interrupted (app/services/accepting.py): one whose
change is in the log is accepted, one still unapplied after a while is open again.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.collab import log, ops, positions
from app.collab.change import API_CLIENT_PREFIX
from app.collab.diffing import operation_between
from app.collab.proposals import NotOneChange, Proposed, follow, proposed
from app.config import Settings
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.models.base import utcnow
from app.models.suggestion import (
    Suggestion,
    SuggestionCreate,
    SuggestionPublic,
    SuggestionStatus,
)
from app.models.user import User
from app.services import audit, members, news
from app.services.text import check_text, text_at

FORMER = {"id": None, "name": "a former member", "organisation": ""}
CARRIED = (SuggestionStatus.open, SuggestionStatus.voting)  # the ones that follow the text
# An outdated one's place follows the text as a comment passage does, to show what its
# characters read now.
FOLLOWED = (*CARRIED, SuggestionStatus.outdated)
# An acceptance not in the log this long after it began was interrupted: the room answers or
# refuses a change long before (app/config.py's queue wait is 30 s).
INTERRUPTED = timedelta(minutes=5)
SAVE_AFTER = 200  # revisions a listed suggestion is carried on each read before it is saved


def acceptance_client(suggestion_id: int) -> str:
    """The client id the changes of a suggestion's acceptances carry in the log, one attempt
    after another: so the log tells whether an acceptance landed."""
    return f"{API_CLIENT_PREFIX}suggestion-{suggestion_id}"


def make(
    *,
    session: Session,
    settings: Settings,
    statement_id: int,
    author: User,
    suggestion_in: SuggestionCreate,
) -> Suggestion:
    """Turn a change made on `base_rev` into a suggestion standing at the head."""
    suggestion = Suggestion(
        statement_id=statement_id,
        author_id=author.id,
        **_placed(session, settings, statement_id, suggestion_in),
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
    news.suggestion_made(session, suggestion=suggestion, author=author)
    return suggestion


def remake(
    *,
    session: Session,
    settings: Settings,
    suggestion: Suggestion,
    author: User,
    suggestion_in: SuggestionCreate,
) -> None:
    """Replace one's own open or outdated suggestion with a change made on `base_rev` (typing
    that extends it, or the same change made again on the text as it is now); it keeps its id
    and is open again. Its reason stays unless a new one is given."""
    if suggestion.author_id != author.id:
        raise Forbidden("Only its author may change a suggestion.")
    values = _placed(session, settings, suggestion.statement_id, suggestion_in)
    if "reason" in suggestion_in.model_fields_set:
        values["reason"] = suggestion_in.reason.strip()
    changed = session.exec(
        update(Suggestion)
        .where(
            col(Suggestion.id) == suggestion.id,
            col(Suggestion.status).in_((SuggestionStatus.open, SuggestionStatus.outdated)),
        )
        .values(status=SuggestionStatus.open, **values)
    )
    if changed.rowcount != 1:
        session.rollback()
        session.refresh(suggestion)
        raise Conflict(f"This suggestion is {suggestion.status}: it can no longer be changed.")
    audit.record(
        session=session,
        statement_id=suggestion.statement_id,
        actor=author,
        kind="suggestion.changed",
        suggestion=suggestion.id,
    )


def _placed(
    session: Session, settings: Settings, statement_id: int, suggestion_in: SuggestionCreate
) -> dict[str, Any]:
    """Where a change made on `base_rev` stands as a suggestion at the head: 422 unless it
    is one change that fits, 409 if the text it would replace has changed since."""
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
    return {
        "base_rev": base_rev,
        "anchor_rev": head,
        "start": now.start,
        "end": now.end,
        "inserted": made.insert,
        "replaced": base[made.start : made.end],
    }


def _changes(session: Session, statement_id: int, after: int, upto: int) -> list[log.Logged]:
    return list(log.ops_between(session=session, statement_id=statement_id, after=after, upto=upto))


def bring_to_head(
    *, session: Session, statement_id: int, save_all: bool = True
) -> dict[int, dict[str, Any]]:
    """Carry the statement's open suggestions to the head, marking outdated those whose
    characters changed; each saved only if its status is still the one read. Without
    `save_all`, one that only moved is saved once it is SAVE_AFTER revisions behind, and
    where the others stand now is returned (by id) instead: a page that lists them on every
    event then costs no write for each."""
    found = session.exec(
        select(Suggestion).where(
            Suggestion.statement_id == statement_id,
            col(Suggestion.status).in_((*FOLLOWED, SuggestionStatus.accepting)),
        )
    ).all()
    head = log.head_revision(session=session, statement_id=statement_id)
    since = utcnow() - INTERRUPTED
    stale = [
        s
        for s in found
        if s.status == SuggestionStatus.accepting and s.decided_at and s.decided_at < since
    ]
    behind = [s for s in found if s.status in FOLLOWED and s.anchor_rev < head]
    _reopen_interrupted_closes(session, [s for s in found if s.status == SuggestionStatus.voting])
    if not behind and not stale:
        return {}
    low = min(s.anchor_rev for s in behind + stale)
    changes = _changes(session, statement_id, low, head)
    moved: dict[int, dict[str, Any]] = {}
    for suggestion in behind + stale:
        values = _carried(suggestion, [c for c in changes if c.rev > suggestion.anchor_rev], head)
        if not save_all and "status" not in values and head - suggestion.anchor_rev < SAVE_AFTER:
            moved[suggestion.id] = values
            continue
        session.exec(
            update(Suggestion)
            .where(col(Suggestion.id) == suggestion.id, col(Suggestion.status) == suggestion.status)
            .values(**values)
        )
    session.commit()
    return moved


def _reopen_interrupted_closes(session: Session, voting: list[Suggestion]) -> None:
    """A vote whose close claimed it (its tally kept) but never applied the adopted
    suggestion, long ago, was interrupted: its vote is open again, to be closed again."""
    since = utcnow() - INTERRUPTED
    stale = [
        suggestion.id
        for suggestion in voting
        if (closed := (suggestion.tally or {}).get("closed_at"))
        and datetime.fromisoformat(str(closed).replace("Z", "+00:00")) < since
    ]
    if stale:
        session.exec(
            update(Suggestion)
            .where(
                col(Suggestion.id).in_(stale),
                col(Suggestion.status) == SuggestionStatus.voting,
                col(Suggestion.tally).is_not(None),
            )
            .values(tally=None)
        )
        session.commit()


def _carried(suggestion: Suggestion, later: list[log.Logged], head: int) -> dict[str, Any]:
    """What changes in a suggestion carried through `later` to `head`."""
    mine = acceptance_client(suggestion.id)
    # A change of an acceptance sequenced after one that touched its characters did nothing.
    landed = next((c for c in later if c.client_id == mine and not ops.is_noop(c.op)), None)
    if landed is not None:
        return {"status": SuggestionStatus.accepted, **where_applied(landed.rev, landed.op)}
    if suggestion.status == SuggestionStatus.accepting:  # interrupted before it landed
        return {"status": SuggestionStatus.open, "decided_by": None, "decided_at": None}
    now = None
    if suggestion.status != SuggestionStatus.outdated:
        proposal = Proposed(suggestion.start, suggestion.end, suggestion.inserted)
        now = follow(proposal, (c.op for c in later))
    if now is not None:
        return {"start": now.start, "end": now.end, "anchor_rev": head}
    start, end = suggestion.start, suggestion.end
    for change in later:
        start, end = positions.transform_range(start, end, change.op)
    values = {"start": start, "end": end, "anchor_rev": head}
    if suggestion.status == SuggestionStatus.outdated:
        return values
    return {"status": SuggestionStatus.outdated, **values}


def where_applied(rev: int, op: list[Any]) -> dict[str, Any]:
    """An accepted suggestion's place: the words it put in, in the text at `rev`."""
    edit = ops.single_edit(op)
    start, inserted = (edit[0], edit[1]) if edit else (0, "")
    return {"applied_rev": rev, "anchor_rev": rev, "start": start, "end": start + len(inserted)}


def settle_accepted(*, session: Session, suggestion_id: int, rev: int, op: list[Any]) -> bool:
    """Record an acceptance whose change the room applied at `rev` as `op`; False if
    carrying the suggestion found it first."""
    done = session.exec(
        update(Suggestion)
        .where(
            col(Suggestion.id) == suggestion_id,
            col(Suggestion.status) == SuggestionStatus.accepting,
        )
        .values(status=SuggestionStatus.accepted, **where_applied(rev, op))
    )
    return bool(done.rowcount == 1)


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
    if status == SuggestionStatus.rejected:
        news.suggestion_decided(
            session, suggestion=suggestion, actor=actor, outcome="rejected", reason=reason
        )


def list_suggestions(
    *, session: Session, statement_id: int, status: SuggestionStatus | None = None
) -> Sequence[Suggestion]:
    """The statement's suggestions, as they stand at the head, oldest first."""
    moved = bring_to_head(session=session, statement_id=statement_id, save_all=False)
    query = select(Suggestion).where(Suggestion.statement_id == statement_id)
    if status is not None:
        query = query.where(Suggestion.status == status)
    found = session.exec(query.order_by(col(Suggestion.id))).all()
    for suggestion in found:
        if suggestion.id in moved and suggestion.status in FOLLOWED:
            session.expunge(suggestion)  # shown where it stands now, not saved there
            for name, value in moved[suggestion.id].items():
                setattr(suggestion, name, value)
    return found


def reading_now(
    *, session: Session, statement_id: int, found: Sequence[Suggestion]
) -> dict[int, str]:
    """What the characters of each outdated one of `found` read in the live text now."""
    outdated = [s for s in found if s.status == SuggestionStatus.outdated]
    if not outdated:
        return {}
    head = text_at(session=session, statement_id=statement_id)
    return {s.id: head.text[s.start : s.end] for s in outdated if s.anchor_rev == head.rev}


def authors(
    *, session: Session, statement_id: int, suggestions: Sequence[Suggestion]
) -> dict[int | None, dict[str, Any]]:
    """How each suggestion's author, and whoever decided it, is named: with the organisation
    they speak for here."""
    ids = {s.author_id for s in suggestions if s.author_id is not None}
    ids |= {s.decided_by for s in suggestions if s.decided_by is not None}
    profiles = members.profiles(session=session, statement_id=statement_id, user_ids=ids)
    found: dict[int | None, dict[str, Any]] = {None: FORMER}
    found.update(profiles.items())
    return found


def public(*, session: Session, suggestion: Suggestion) -> SuggestionPublic:
    """One suggestion as the API and the live events show it."""
    named = authors(session=session, statement_id=suggestion.statement_id, suggestions=[suggestion])
    return SuggestionPublic.of(suggestion, named)


def mark_outdated(*, session: Session, ids: list[int]) -> None:
    """Record as outdated the suggestions a room found a change had outdated, if they are
    still open or put to a vote; where they stood is kept as it was."""
    session.exec(
        update(Suggestion)
        .where(col(Suggestion.id).in_(ids), col(Suggestion.status).in_(CARRIED))
        .values(status=SuggestionStatus.outdated)
    )
    session.commit()


def list_carried(*, session: Session, statement_id: int) -> Sequence[Suggestion]:
    """The suggestions that follow the text (open, or put to a vote)."""
    return session.exec(
        select(Suggestion).where(
            Suggestion.statement_id == statement_id, col(Suggestion.status).in_(CARRIED)
        )
    ).all()
