"""How each person likes to be told: by kind (at once, in the daily digest, or not by email)
and when their digest goes out."""

from sqlmodel import Session, select

from app.models.notification import (
    DigestSchedule,
    KindChoice,
    Preferences,
    PreferencesUpdate,
)
from app.models.notification import NotificationPreference as Preference
from app.services.notification_mail import LABELS
from app.services.notifications import deliveries


def schedule(session: Session, user_id: int) -> DigestSchedule:
    """The person's digest schedule (08:00 UTC until they choose)."""
    return session.get(DigestSchedule, user_id) or DigestSchedule(user_id=user_id)


def preferences(session: Session, *, user_id: int, mail: bool) -> Preferences:
    chosen = deliveries(session, user_id)
    when = schedule(session, user_id)
    return Preferences(
        mail=mail,
        kinds=[KindChoice(kind=k, label=LABELS[k], delivery=d) for k, d in chosen.items()],
        digest_hour=when.hour,
        time_zone=when.time_zone,
    )


def change(session: Session, *, user_id: int, change: PreferencesUpdate) -> None:
    """Apply what the person changed, in the caller's transaction."""
    for kind, delivery in (change.kinds or {}).items():
        row = session.exec(
            select(Preference).where(Preference.user_id == user_id, Preference.kind == kind)
        ).first() or Preference(user_id=user_id, kind=kind, delivery=delivery)
        row.delivery = delivery
        session.add(row)
    if change.digest_hour is not None or change.time_zone is not None:
        when = schedule(session, user_id)
        if change.digest_hour is not None:
            when.hour = change.digest_hour
        if change.time_zone is not None:
            when.time_zone = change.time_zone
        session.add(when)
