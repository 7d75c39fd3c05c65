"""The daily digest: one email a day with everything someone chose to have there, at the hour
they chose in their time zone. A chore any worker may run: of two at once, one sends it."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.models.base import utcnow
from app.models.notification import DigestSchedule, MailState, Notification
from app.models.statement import Statement
from app.models.user import User
from app.services import notification_mail


def _waiting(session: Session) -> list[int]:
    """Who has notifications waiting for a digest."""
    return list(
        session.exec(
            select(Notification.user_id).where(Notification.mail == MailState.digest).distinct()
        ).all()
    )


def _claim_today(session: Session, user_id: int, now: datetime) -> bool:
    """Whether it is time for the person's digest, and this caller is the one to send it: the
    schedule's day moves on by a conditional update that only one transaction makes."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(DigestSchedule)
        .values(user_id=user_id, hour=8, time_zone="UTC")
        .on_conflict_do_nothing()
    )
    schedule = session.get(DigestSchedule, user_id)
    assert schedule is not None
    local = now.astimezone(ZoneInfo(schedule.time_zone))
    if local.hour < schedule.hour:
        return False
    today = local.date()
    claimed = session.execute(
        update(DigestSchedule)
        .where(
            col(DigestSchedule.user_id) == user_id,
            or_(
                col(DigestSchedule.last_sent_on).is_(None), col(DigestSchedule.last_sent_on) < today
            ),
        )
        .values(last_sent_on=today)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


def _send(session: Session, user_id: int) -> None:
    person = session.get(User, user_id)
    waiting = list(
        session.exec(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.mail == MailState.digest)
            .order_by(col(Notification.id))
        ).all()
    )
    session.execute(
        update(Notification)
        .where(
            col(Notification.id).in_([n.id for n in waiting]),
            col(Notification.mail) == MailState.digest,
        )
        .values(mail=MailState.digested)
    )
    if person is None or person.disabled or not waiting:
        return
    ids = {n.statement_id for n in waiting if n.statement_id is not None}
    titles = dict(
        session.exec(select(Statement.id, Statement.title).where(col(Statement.id).in_(ids))).all()
    )
    notification_mail.digest(session, person=person, notifications=waiting, titles=titles)


def send_due(engine: Engine, now: datetime | None = None) -> None:
    """Write the digests that are due into the outbox, each in its own transaction."""
    now = now or utcnow()
    with Session(engine) as session:
        people = _waiting(session)
    for user_id in people:
        with Session(engine) as session:
            if _claim_today(session, user_id, now):
                _send(session, user_id)
            session.commit()
