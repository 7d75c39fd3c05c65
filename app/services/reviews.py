"""Review rounds: open one on a version, record stances, close it with the rule's verdict."""

from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict, Invalid, NotFound
from app.models.base import utcnow
from app.models.membership import Membership, Role
from app.models.publication import Publication
from app.models.review import (
    Participant,
    ReviewRound,
    RoundCreate,
    RoundPublic,
    Stance,
    StanceCreate,
    StancePublic,
)
from app.models.statement import Statement, StatementState
from app.models.user import User
from app.services import audit, news, sections, standing, versions
from app.services.approval import Voice, tally

# Who has a say: everyone who may comment. Viewers follow along.
WITH_A_SAY = (Role.facilitator, Role.editor, Role.reviewer)


def open_round(
    *, session: Session, statement: Statement, round_in: RoundCreate, actor: User
) -> ReviewRound:
    version = versions.find_version(
        session=session, statement_id=statement.id, number=round_in.version
    )
    already_open = Conflict("A review round is already open; close it first.")
    if open_round_of(session=session, statement_id=statement.id) is not None:
        raise already_open
    statement.state = StatementState.review
    session.add(statement)
    session.flush()
    review = ReviewRound(
        statement_id=statement.id,
        version_number=version.number,
        rule=statement.approval_rule,
        quorum=statement.approval_quorum,
        opened_by=actor.id,
        closes_on=round_in.closes_on,
        suggestions_settled=round_in.suggestions_settled,
    )
    try:
        # Of rounds opened at once, the database keeps one (an index on the open ones).
        with session.begin_nested():
            session.add(review)
    except IntegrityError:
        raise already_open from None
    audit.record(
        session=session,
        statement_id=statement.id,
        actor=actor,
        kind="round.opened",
        round_id=review.id,
        number=version.number,
    )
    news.round_opened(session, statement=statement, review=review, actor=actor)
    return review


def open_round_of(*, session: Session, statement_id: int) -> ReviewRound | None:
    return session.exec(
        select(ReviewRound).where(
            ReviewRound.statement_id == statement_id, col(ReviewRound.closed_at).is_(None)
        )
    ).first()


def close_if_due(*, session: Session, statement: Statement, today: date | None = None) -> None:
    """Close the open round once its closing date has passed (at the end of that day, UTC),
    with the rule's verdict as it stands; nobody needs to be there to do it."""
    review = open_round_of(session=session, statement_id=statement.id)
    today = today or utcnow().date()
    if review is not None and review.closes_on is not None and review.closes_on < today:
        try:
            close_round(session=session, statement=statement, review=review, actor=None)
        except Conflict:
            session.rollback()  # another request closed it a moment ago
            return
        session.commit()


def find_round(*, session: Session, statement_id: int, round_id: int) -> ReviewRound:
    review = session.get(ReviewRound, round_id)
    if review is None or review.statement_id != statement_id:
        raise NotFound("This statement has no such review round.")
    return review


def record_stance(
    *,
    session: Session,
    review: ReviewRound,
    stance_in: StanceCreate,
    user: User,
    membership: Membership,
) -> Stance:
    """Record where someone stands; their earlier stance in this round is kept, superseded."""
    if review.closed_at is not None:
        raise Conflict("This review round is closed.")
    if membership.role not in WITH_A_SAY:
        raise Invalid("Viewers follow the review but have no say in it.")
    if stance_in.end is not None or stance_in.section is not None:
        version = versions.find_version(
            session=session, statement_id=review.statement_id, number=review.version_number
        )
        if stance_in.end is not None and stance_in.end > len(version.text):
            raise Invalid("The passage is not within the version's text.")
        if stance_in.section is not None:
            found = sections.of_version(session=session, version=version)
            if stance_in.section not in {section.key for section in found}:
                raise Invalid(f"Version {version.number} has no section {stance_in.section!r}.")
    # Stances and the closing of one round take turns: a stance is recorded in an open round,
    # before its verdict, and one person's stances sent at once supersede each other in turn.
    if not _hold_open(session, review):
        raise Conflict("This review round is closed.")
    now = utcnow()
    section = stance_in.section or ""
    session.execute(
        update(Stance)
        .where(
            col(Stance.round_id) == review.id,
            col(Stance.user_id) == user.id,
            col(Stance.section) == section,
            col(Stance.superseded_at).is_(None),
        )
        .values(superseded_at=now)
    )
    stance = Stance(
        section=section,
        round_id=review.id,
        user_id=user.id,
        organisation=membership.organisation,
        kind=stance_in.kind,
        reason=stance_in.reason,
        start=stance_in.start,
        end=stance_in.end,
        recorded_at=now,
    )
    session.add(stance)
    audit.record(
        session=session,
        statement_id=review.statement_id,
        actor=user,
        kind="stance.recorded",
        round_id=review.id,
        stance=stance_in.kind.value,
        **({"section": section} if section else {}),
    )
    return stance


def close_round(
    *, session: Session, statement: Statement, review: ReviewRound, actor: User | None
) -> ReviewRound:
    """Close the round: the version is approved if the rule holds now, and, in a round that
    waits for suggestions, none on the version is still open (409 otherwise, with nothing
    changed). Of closes at once, one closes it and the others get 409."""
    # Counted first: carrying the suggestions to the head commits what it carries.
    waiting = open_suggestions(session=session, review=review) if review.suggestions_settled else 0
    now = utcnow()
    closed = session.execute(
        update(ReviewRound)
        .where(col(ReviewRound.id) == review.id, col(ReviewRound.closed_at).is_(None))
        .values(closed_at=now)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("This review round is already closed.")
    # Read after the write above: every stance recorded before it, and none after.
    verdict = _record(session, review).tally
    if verdict.holds and waiting:
        raise Conflict(_still_open(waiting))
    review.closed_at = now
    review.approved = verdict.holds
    statement.state = StatementState.approved if verdict.holds else StatementState.drafting
    session.add(review)
    session.add(statement)
    audit.record(
        session=session,
        statement_id=statement.id,
        actor=actor,
        kind="round.closed",
        round_id=review.id,
        number=review.version_number,
        approved=verdict.holds,
    )
    news.round_closed(session, statement=statement, review=review, actor=actor)
    return review


def open_suggestions(*, session: Session, review: ReviewRound) -> int:
    """How many suggestions standing on the round's version are still open or being voted
    on (app/services/standing.py). Commits, as carrying suggestions to the head does."""
    version = versions.find_version(
        session=session, statement_id=review.statement_id, number=review.version_number
    )
    return len(standing.on_version(session=session, version=version))


def _still_open(count: int) -> str:
    if count == 1:
        return "1 suggestion is still open: decide it first."
    return f"{count} suggestions are still open: decide them first."


def _hold_open(session: Session, review: ReviewRound) -> bool:
    """Hold the round until this transaction ends, if it is still open; whether it is."""
    held = session.execute(
        update(ReviewRound)
        .where(col(ReviewRound.id) == review.id, col(ReviewRound.closed_at).is_(None))
        .values(closed_at=None)
    )
    return bool(held.rowcount == 1)  # type: ignore[attr-defined]


def _published(session: Session, review: ReviewRound) -> bool:
    """Whether the version the round approved has been published."""
    if review.approved is not True:
        return False
    found = session.exec(
        select(Publication.id).where(
            Publication.statement_id == review.statement_id,
            Publication.version_number == review.version_number,
        )
    ).first()
    return found is not None


def describe(*, session: Session, review: ReviewRound) -> RoundPublic:
    """The round with its participants, the tally under its rule, every stance, and, while a
    round that waits for suggestions is open, how many on its version are still open."""
    public = _record(session, review)
    if review.suggestions_settled and review.closed_at is None:
        public.open_suggestions = open_suggestions(session=session, review=review)
    return public


def _record(session: Session, review: ReviewRound) -> RoundPublic:
    """The round as recorded: participants, the tally under its rule, every stance."""
    members = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.statement_id == review.statement_id)
        .order_by(col(Membership.organisation), col(User.name))
    ).all()
    stances = session.exec(
        select(Stance).where(Stance.round_id == review.id).order_by(col(Stance.recorded_at))
    ).all()
    # The version's verdict counts stances on the whole version; those on sections are the
    # consent map's (app/services/consent.py).
    current = {s.user_id: s for s in stances if s.superseded_at is None and not s.section}
    names = {user.id: user.name for _, user in members}
    participants = [
        Participant(
            user_id=user.id,
            name=user.name,
            organisation=membership.organisation,
            role=membership.role,
            stance=current[user.id].kind if user.id in current else None,
        )
        for membership, user in members
        if membership.role in WITH_A_SAY
    ]
    voices = [Voice(p.name, p.organisation, p.stance) for p in participants]
    opener = session.get(User, review.opened_by) if review.opened_by else None
    return RoundPublic(
        id=review.id,
        version=review.version_number,
        opened_at=review.opened_at,
        opened_by=opener.name if opener else "a former member",
        closes_on=review.closes_on,
        closed_at=review.closed_at,
        approved=review.approved,
        published=_published(session, review),
        suggestions_settled=review.suggestions_settled,
        participants=participants,
        tally=tally(review.rule, review.quorum, voices),
        stances=[
            StancePublic(
                user_id=s.user_id,
                name=names.get(s.user_id, "a former member"),
                organisation=s.organisation,
                kind=s.kind,
                reason=s.reason,
                start=s.start,
                end=s.end,
                section=s.section or None,
                carried_from=s.carried_from,
                recorded_at=s.recorded_at,
                superseded_at=s.superseded_at,
            )
            for s in stances
        ],
    )


def list_rounds(*, session: Session, statement_id: int) -> list[RoundPublic]:
    rounds = session.exec(
        select(ReviewRound)
        .where(ReviewRound.statement_id == statement_id)
        .order_by(col(ReviewRound.opened_at).desc(), col(ReviewRound.id).desc())
    ).all()
    return [describe(session=session, review=review) for review in rounds]
