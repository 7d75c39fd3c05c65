"""Amendments: a facilitator puts an open suggestion to the group, those with a say vote, and
the statement's approval rule decides whether it is adopted (applied) or not (rejected).

Votes count as stances do (support as approve, oppose as block, abstain as abstain) under
app/services/approval.py. Every status change is a conditional update, so of two decisions at
once one wins. Closing first claims the vote by storing its tally while the suggestion is still
`voting`: from then on no vote is recorded and no other close gets through, and the tally is
read after that write, so it holds every vote recorded before it and none after.
"""

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.errors import Conflict
from app.models.base import utcnow
from app.models.membership import Membership
from app.models.statement import Statement
from app.models.suggestion import Suggestion, SuggestionStatus
from app.models.suggestion_vote import (
    AS_STANCE,
    SuggestionVote,
    VoteCreate,
    VotePublic,
    VoteTally,
)
from app.models.user import User
from app.services import audit, news, suggestions
from app.services.approval import Voice, tally
from app.services.reviews import WITH_A_SAY

NOT_ADOPTED = "Not adopted by the group's vote"


def _where(suggestion_id: int, status: SuggestionStatus) -> Any:
    return (
        update(Suggestion)
        .where(col(Suggestion.id) == suggestion_id, col(Suggestion.status) == status)
        .execution_options(synchronize_session=False)
    )


def _not_voting(session: Session, suggestion: Suggestion) -> Conflict:
    """Why a suggestion that was read a moment ago cannot be voted on or closed now."""
    session.rollback()
    session.refresh(suggestion)
    if suggestion.status == SuggestionStatus.voting:
        return Conflict("This vote has just been closed.")
    return Conflict(f"This suggestion is {suggestion.status}, not put to a vote.")


def open_vote(*, session: Session, suggestion: Suggestion, actor: User) -> None:
    """Put an open suggestion to the group's vote; 409 unless it is open now."""
    suggestions.bring_to_head(session=session, statement_id=suggestion.statement_id)
    opened = session.execute(
        _where(suggestion.id, SuggestionStatus.open).values(status=SuggestionStatus.voting)
    )
    if opened.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        session.refresh(suggestion)
        raise Conflict(f"This suggestion is {suggestion.status}, no longer open.")
    # Votes of an earlier vote on it (one that ended when its words changed, before it was made
    # again) are kept, but this vote starts afresh.
    session.execute(
        update(SuggestionVote)
        .where(
            col(SuggestionVote.suggestion_id) == suggestion.id,
            col(SuggestionVote.superseded_at).is_(None),
        )
        .values(superseded_at=utcnow())
    )
    audit.record(
        session=session,
        statement_id=suggestion.statement_id,
        actor=actor,
        kind="suggestion.vote_opened",
        suggestion=suggestion.id,
    )


def _hold_voting(session: Session, suggestion: Suggestion) -> bool:
    """Hold the suggestion until this transaction ends, if its vote is still open; whether it
    is. Votes and the closing of the vote take turns this way."""
    held = session.execute(
        _where(suggestion.id, SuggestionStatus.voting)
        .where(col(Suggestion.tally).is_(None))
        .values(status=SuggestionStatus.voting)
    )
    return bool(held.rowcount == 1)  # type: ignore[attr-defined]


def cast(
    *,
    session: Session,
    suggestion: Suggestion,
    vote_in: VoteCreate,
    user: User,
    membership: Membership,
) -> SuggestionVote:
    """Record a vote; the person's earlier vote on it is kept, superseded."""
    suggestions.bring_to_head(session=session, statement_id=suggestion.statement_id)
    if not _hold_voting(session, suggestion):
        raise _not_voting(session, suggestion)
    now = utcnow()
    session.execute(
        update(SuggestionVote)
        .where(
            col(SuggestionVote.suggestion_id) == suggestion.id,
            col(SuggestionVote.user_id) == user.id,
            col(SuggestionVote.superseded_at).is_(None),
        )
        .values(superseded_at=now)
    )
    vote = SuggestionVote(
        suggestion_id=suggestion.id,
        user_id=user.id,
        organisation=membership.organisation,
        kind=vote_in.kind,
        reason=vote_in.reason,
        recorded_at=now,
    )
    session.add(vote)
    audit.record(
        session=session,
        statement_id=suggestion.statement_id,
        actor=user,
        kind="suggestion.voted",
        suggestion=suggestion.id,
        vote=vote_in.kind.value,
    )
    return vote


def current_votes(*, session: Session, suggestion_id: int) -> list[VotePublic]:
    """Where each voter stands now, in the order they first voted."""
    rows = session.exec(
        select(SuggestionVote, User)
        .join(User, col(User.id) == SuggestionVote.user_id)
        .where(
            SuggestionVote.suggestion_id == suggestion_id,
            col(SuggestionVote.superseded_at).is_(None),
        )
        .order_by(col(SuggestionVote.recorded_at), col(SuggestionVote.id))
    ).all()
    return [
        VotePublic(
            user_id=vote.user_id,
            name=user.name,
            organisation=vote.organisation,
            kind=vote.kind,
            reason=vote.reason,
            recorded_at=vote.recorded_at,
        )
        for vote, user in rows
    ]


def count(*, session: Session, statement: Statement, suggestion_id: int) -> VoteTally:
    """The tally as it stands: everyone with a say is a voice, silent until they vote."""
    votes = current_votes(session=session, suggestion_id=suggestion_id)
    by_person = {vote.user_id: vote for vote in votes}
    members = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.statement_id == statement.id, col(Membership.role).in_(WITH_A_SAY))
        .order_by(col(Membership.organisation), col(User.name))
    ).all()
    voices = [
        Voice(
            user.name,
            membership.organisation,
            AS_STANCE[by_person[user.id].kind] if user.id in by_person else None,
        )
        for membership, user in members
    ]
    verdict = tally(statement.approval_rule, statement.approval_quorum, voices)
    counts = {kind.value: sum(1 for v in votes if v.kind == kind) for kind in AS_STANCE}
    counts["none"] = sum(1 for v in voices if v.stance is None)
    return VoteTally(
        rule=statement.approval_rule,
        quorum=statement.approval_quorum,
        adopted=verdict.holds,
        summary=verdict.summary,
        missing=verdict.missing,
        counts=counts,
        votes=votes,
        closed_at=utcnow(),
    )


def close(
    *, session: Session, statement: Statement, suggestion: Suggestion, actor: User
) -> VoteTally:
    """Claim the vote and count it: one close of a vote wins, the others get 409, as does
    closing the vote of a suggestion that has become outdated. Not adopted, the suggestion is
    rejected here; adopted, it is left `voting`, with its tally, for accepting to apply it."""
    suggestions.bring_to_head(session=session, statement_id=suggestion.statement_id)
    if not _hold_voting(session, suggestion):
        raise _not_voting(session, suggestion)
    # Read after the write above: every vote recorded before it, and none after.
    counted = count(session=session, statement=statement, suggestion_id=suggestion.id)
    values: dict[str, Any] = {"tally": counted.model_dump(mode="json")}
    if not counted.adopted:
        values |= {
            "status": SuggestionStatus.rejected,
            "decided_by": actor.id,
            "decided_at": counted.closed_at,
            "decision_reason": NOT_ADOPTED,
        }
        record_closed(session=session, suggestion=suggestion, actor=actor, tally=counted)
        news.suggestion_decided(session, suggestion=suggestion, actor=actor, outcome="not_adopted")
    session.execute(_where(suggestion.id, SuggestionStatus.voting).values(**values))
    return counted


def record_closed(
    *, session: Session, suggestion: Suggestion, actor: User, tally: VoteTally
) -> None:
    audit.record(
        session=session,
        statement_id=suggestion.statement_id,
        actor=actor,
        kind="suggestion.vote_closed",
        suggestion=suggestion.id,
        adopted=tally.adopted,
        counts=tally.counts,
    )


def release(*, session: Session, suggestion_id: int) -> None:
    """Give up a claim on a vote whose adopted suggestion could not be applied: its tally goes,
    and it stays as it now is (outdated, if its words changed meanwhile)."""
    session.execute(
        update(Suggestion)
        .where(
            col(Suggestion.id) == suggestion_id,
            col(Suggestion.status).in_([SuggestionStatus.voting, SuggestionStatus.outdated]),
        )
        .values(tally=None)
    )
    session.commit()
