"""Accepting a suggestion: its change applied to the live draft as its author's words.

An acceptance first claims the suggestion (a conditional update to `accepting`, so of two
decisions one wins), then offers its change to the statement's room made on the revision the
suggestion was carried to, keeping the characters it replaces: the room refuses it if a change
sequenced first touched any of them (app/collab/document.py), and the suggestion is outdated.
Each suggestion's change carries its own client id, so the log tells whether an acceptance
interrupted half-way landed (app/services/suggestions.py settles those).
"""

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from app.collab import log, ops
from app.collab.answers import http_error
from app.collab.change import Change, Sent
from app.collab.hub import Hub
from app.collab.members import Author
from app.collab.proposals import Proposed, as_operation
from app.collab.refusals import Outdated, Refusal
from app.errors import Conflict
from app.models.base import utcnow
from app.models.suggestion import Suggestion, SuggestionStatus
from app.models.user import User
from app.services import audit, members, news, suggestions
from app.services.text import text_at

OUTDATED = "The text this suggestion would replace has changed: its author can make it again."


@dataclass(frozen=True, slots=True)
class Claimed:
    """A suggestion claimed for acceptance, and its change as the room is to receive it."""

    author: Author
    sent: Sent
    seq: int  # after the attempts before it, which the log may hold as changes that did nothing
    released_to: SuggestionStatus


async def accept(
    engine: Engine,
    hub: Hub,
    *,
    statement_id: int,
    suggestion_id: int,
    actor: User,
    from_status: SuggestionStatus = SuggestionStatus.open,
) -> Suggestion:
    """Apply a suggestion in `from_status` to the live draft and record it accepted; 409 if
    it is in another status or turns out outdated, with nothing applied."""
    claimed = await asyncio.to_thread(
        _claim, engine, statement_id, suggestion_id, actor, from_status
    )
    acceptance = suggestions.acceptance_client(suggestion_id)
    try:
        async with hub.room_for_api(statement_id, claimed.sent.base_rev) as room:
            applied = await room.submit(claimed.author, acceptance, claimed.seq, claimed.sent)
    except Outdated:
        applied = None
    except Refusal as refusal:
        await asyncio.to_thread(_release, engine, suggestion_id, claimed.released_to)
        raise http_error(refusal) from None
    # A change sequenced again after one that touched its characters changes nothing. (So
    # does the answer to a resend, which a claimed attempt never is; were it one, reading the
    # suggestions would find its change in the log and settle it.)
    if applied is None or ops.is_noop(applied.change.op):
        shown = await asyncio.to_thread(_outdated, engine, statement_id, suggestion_id)
        hub.announce(statement_id, "suggestion.updated", suggestion=shown)
        raise Conflict(OUTDATED)
    found, shown = await asyncio.to_thread(
        _accepted, engine, statement_id, suggestion_id, actor, applied.change
    )
    hub.announce(statement_id, "suggestion.updated", suggestion=shown)
    return found


def _claim(
    engine: Engine,
    statement_id: int,
    suggestion_id: int,
    actor: User,
    from_status: SuggestionStatus,
) -> Claimed:
    # Not carried to the head first: the room carries its change there, and refuses it if a
    # change since touched its characters. So a bulk accept costs no pass over all of them.
    with Session(engine) as session:
        found = suggestions.find(
            session=session, statement_id=statement_id, suggestion_id=suggestion_id
        )
        claimed = session.exec(
            update(Suggestion)
            .where(col(Suggestion.id) == suggestion_id, col(Suggestion.status) == from_status)
            .values(status=SuggestionStatus.accepting, decided_by=actor.id, decided_at=utcnow())
        )
        if claimed.rowcount != 1:
            session.rollback()
            session.refresh(found)
            if found.status == SuggestionStatus.outdated:
                raise Conflict(OUTDATED)
            raise Conflict(f"This suggestion is {found.status}, not {from_status}.")
        session.commit()
        session.refresh(found)
        length = len(text_at(session=session, statement_id=statement_id, rev=found.anchor_rev).text)
        change = Proposed(found.start, found.end, found.inserted)
        keeps = (found.start, found.end) if found.end > found.start else None
        writer = actor.id if found.author_id is None else found.author_id
        named = members.profiles(session=session, statement_id=statement_id, user_ids={writer})
        client = suggestions.acceptance_client(suggestion_id)
        return Claimed(
            author=Author.of(named[writer]),
            sent=Sent(found.anchor_rev, as_operation(change, length), keeps),
            seq=log.last_seq(engine, statement_id, client)[0] + 1,
            released_to=from_status,
        )


def _release(engine: Engine, suggestion_id: int, status: SuggestionStatus) -> None:
    """The room could not take the change (too large, not saved): back as it was."""
    _from_accepting(engine, suggestion_id, status=status, decided_by=None, decided_at=None)


def _outdated(engine: Engine, statement_id: int, suggestion_id: int) -> dict[str, Any]:
    _from_accepting(
        engine, suggestion_id, status=SuggestionStatus.outdated, decided_by=None, decided_at=None
    )
    with Session(engine) as session:
        found = suggestions.find(
            session=session, statement_id=statement_id, suggestion_id=suggestion_id
        )
        return suggestions.public(session=session, suggestion=found).model_dump(mode="json")


def _from_accepting(engine: Engine, suggestion_id: int, **values: object) -> None:
    with Session(engine) as session:
        session.exec(
            update(Suggestion)
            .where(
                col(Suggestion.id) == suggestion_id,
                col(Suggestion.status) == SuggestionStatus.accepting,
            )
            .values(**values)
        )
        session.commit()


def _accepted(
    engine: Engine, statement_id: int, suggestion_id: int, actor: User, change: Change
) -> tuple[Suggestion, dict[str, Any]]:
    rev = change.rev
    with Session(engine) as session:
        settled = suggestions.settle_accepted(
            session=session, suggestion_id=suggestion_id, rev=rev, op=change.op
        )
        if settled:
            audit.record(
                session=session,
                statement_id=statement_id,
                actor=actor,
                kind="suggestion.accepted",
                suggestion=suggestion_id,
                rev=rev,
            )
            decided = suggestions.find(
                session=session, statement_id=statement_id, suggestion_id=suggestion_id
            )
            outcome = "adopted" if decided.tally is not None else "accepted"
            news.suggestion_decided(session, suggestion=decided, actor=actor, outcome=outcome)
            session.commit()
        found = suggestions.find(
            session=session, statement_id=statement_id, suggestion_id=suggestion_id
        )
        shown = suggestions.public(session=session, suggestion=found).model_dump(mode="json")
        session.expunge(found)
        return found, shown
