"""The link at the foot of each email: it turns that kind of email off for its recipient,
without signing in. The token is long and random, and only its hash is kept."""

from dataclasses import dataclass

from sqlmodel import Session

from app.errors import NotFound
from app.models.base import utcnow
from app.models.notification import Delivery, Kind, PreferencesUpdate, Unsubscribe
from app.models.user import User
from app.security import hash_token
from app.services import notification_preferences
from app.services.notification_mail import DIGEST, LABELS
from app.services.notifications import deliveries

INVALID = "This link is not valid: it may have been cut short or changed. Nothing was changed."
EXPIRED = (
    "This link has expired. Nothing was changed; choose which emails you get on your Account "
    "page instead."
)


class Expired(NotFound):
    status_code = 410


@dataclass(frozen=True)
class Stopping:
    """What a link stops, for whom."""

    email: str
    what: str  # the kind of email, in words
    done: bool  # already off


def _find(session: Session, token: str) -> Unsubscribe:
    if not 16 <= len(token) <= 100:
        raise NotFound(INVALID)
    found = session.get(Unsubscribe, hash_token(token))
    if found is None:
        raise NotFound(INVALID)
    if found.expires_at < utcnow():
        raise Expired(EXPIRED)
    return found


def _kinds(session: Session, link: Unsubscribe) -> list[Kind]:
    """The kinds the link turns off: its own, or, from a digest, every kind digested."""
    if link.kind != DIGEST:
        return [Kind(link.kind)]
    chosen = deliveries(session, link.user_id)
    return [kind for kind, delivery in chosen.items() if delivery is Delivery.digest]


def _words(link: Unsubscribe) -> str:
    return "the daily digest" if link.kind == DIGEST else f"emails for “{LABELS[Kind(link.kind)]}”"


def look(*, session: Session, token: str) -> Stopping:
    link = _find(session, token)
    person = session.get(User, link.user_id)
    assert person is not None
    return Stopping(
        email=person.email,
        what=_words(link),
        done=not _kinds(session, link)
        or (
            link.kind != DIGEST
            and deliveries(session, link.user_id)[Kind(link.kind)] is Delivery.off
        ),
    )


def stop(*, session: Session, token: str) -> Stopping:
    """Turn the link's kind of email off (again, harmlessly, if it is off already)."""
    link = _find(session, token)
    off = dict.fromkeys(_kinds(session, link), Delivery.off)
    notification_preferences.change(
        session, user_id=link.user_id, change=PreferencesUpdate(kinds=off)
    )
    link.used_at = link.used_at or utcnow()
    session.add(link)
    session.commit()
    person = session.get(User, link.user_id)
    assert person is not None
    return Stopping(email=person.email, what=_words(link), done=True)
