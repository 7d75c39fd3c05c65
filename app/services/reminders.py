"""Reminding those who have not responded in an open round: by the facilitator's button (at
most once a day each), and by itself the day a round closes (once a round each)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.models.base import utcnow
from app.models.membership import Membership, Permission
from app.models.notification import Notification
from app.models.review import ReviewRound, Stance
from app.models.statement import Statement
from app.models.user import User
from app.services import news


@dataclass(frozen=True)
class Reminded:
    reminded: list[int]  # told now
    already: list[int]  # reminded earlier the same day


def waiting(session: Session, review: ReviewRound) -> list[int]:
    """Members with a say who have no current stance on the whole version in the round."""
    members = session.exec(
        select(Membership).where(Membership.statement_id == review.statement_id)
    ).all()
    responded = set(
        session.exec(
            select(Stance.user_id).where(
                Stance.round_id == review.id,
                Stance.section == "",
                col(Stance.superseded_at).is_(None),
            )
        ).all()
    )
    return sorted(
        m.user_id for m in members if m.can(Permission.comment) and m.user_id not in responded
    )


def remind(
    *,
    session: Session,
    review: ReviewRound,
    statement: Statement,
    actor: User,
    today: date | None = None,
) -> Reminded:
    """Remind everyone who has not responded, except who was reminded so `today` (UTC), in the
    caller's transaction. Links in the emails go where the caller's request came."""
    today = today or utcnow().date()
    people = [p for p in waiting(session, review) if p != actor.id]
    once = f"remind:{review.id}:{today.isoformat()}"
    told = news.reminder(
        session, statement=statement, review=review, actor=actor, people=people, once=once
    )
    earlier = session.exec(
        select(Notification.user_id).where(
            Notification.once == once, col(Notification.user_id).in_(people)
        )
    ).all()
    return Reminded(reminded=told, already=sorted(set(earlier) - set(told)))


def last_reminded(session: Session, review: ReviewRound) -> dict[int, datetime]:
    """When each person was last reminded in the round, by the button or by itself."""
    rows = session.exec(
        select(Notification.user_id, Notification.created_at).where(
            col(Notification.once).startswith(f"remind:{review.id}:")
            | (col(Notification.once) == f"closing:{review.id}")
        )
    ).all()
    found: dict[int, datetime] = {}
    for user_id, at in rows:
        found[user_id] = max(at, found.get(user_id, at))
    return found


def closing_soon(engine: Engine, now: datetime | None = None) -> None:
    """A chore: remind those who have not responded in a round that closes within a day (its
    closing date's end, UTC). Once a round each, whichever worker gets there first."""
    now = now or utcnow()
    with Session(engine) as session:
        # A round closes at the end of its closing date: within a day on that date.
        rounds = session.exec(
            select(ReviewRound).where(
                col(ReviewRound.closed_at).is_(None), ReviewRound.closes_on == now.date()
            )
        ).all()
        for review in rounds:
            statement = session.get(Statement, review.statement_id)
            assert statement is not None
            news.reminder(
                session,
                statement=statement,
                review=review,
                actor=None,
                people=waiting(session, review),
                once=f"closing:{review.id}",
            )
            session.commit()
