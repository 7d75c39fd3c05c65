"""Telling people: a notification in the app for each recipient, and the email it calls for (at
once through the outbox, or in their next daily digest), written in the transaction of what it
tells, so that it is kept exactly when that is.

A request's session carries what the request knows (app/deps.py `get_session`): `site`, the
address links in emails start with, and `mail`, whether this server sends email at all. Work
done apart from a request (a live socket, a daily chore) uses the engine's: ACCORD_PUBLIC_URL,
or else the address the latest request came to.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.models.base import utcnow
from app.models.membership import Membership, Permission
from app.models.notification import Delivery, Kind, MailState, Notification
from app.models.notification import NotificationPreference as Preference
from app.models.statement import Statement
from app.models.user import User
from app.services import notification_mail

MAX_BODY = 600  # characters of a comment or passage quoted in a notification


@dataclass
class Reach:
    site: str
    mail: bool


_REACH: "WeakKeyDictionary[Engine, Reach]" = WeakKeyDictionary()


def configure(engine: Engine, *, site: str, mail: bool) -> None:
    """How this server's engine reaches people, from its settings (at start-up)."""
    _REACH[engine] = Reach(site=site, mail=mail)


def reached(engine: Engine, site: str, *, public: bool) -> None:
    """A request came to `site`: work apart from requests links there too, unless the public
    address is set."""
    reach = _REACH.get(engine)
    if reach is not None and not public:
        reach.site = site


def reach_of(session: Session) -> Reach:
    bind = session.get_bind()
    default = _REACH.get(bind, Reach(site="", mail=False)) if isinstance(bind, Engine) else None
    default = default or Reach(site="", mail=False)
    return Reach(
        site=session.info.get("site", default.site), mail=session.info.get("mail", default.mail)
    )


@dataclass(frozen=True)
class News:
    """Something to tell: who did it (never told themselves), a one-line title, a short body,
    and where on the site it is. With `once`, each person is told it at most once."""

    kind: Kind
    statement: Statement | None
    actor: User | None
    title: str
    body: str
    path: str
    once: str | None = None


def excerpt(text: str, limit: int = MAX_BODY) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _readers(session: Session, statement_id: int, user_ids: set[int]) -> set[int]:
    """Those of `user_ids` who are members of the statement now and may read it."""
    rows = session.exec(
        select(Membership).where(
            Membership.statement_id == statement_id, col(Membership.user_id).in_(user_ids)
        )
    ).all()
    return {m.user_id for m in rows if m.can(Permission.read)}


def deliveries(session: Session, user_id: int) -> dict[Kind, Delivery]:
    """How the person likes to be told of each kind (at once, by default)."""
    chosen = session.exec(select(Preference).where(Preference.user_id == user_id)).all()
    found = {Kind(p.kind): Delivery(p.delivery) for p in chosen}
    return {kind: found.get(kind, Delivery.now) for kind in Kind}


def _add(session: Session, row: Notification) -> bool:
    """Add the notification; False when one with its `once` was already there."""
    if row.once is None:
        session.add(row)
        session.flush()
        return True
    values = {name: getattr(row, name) for name in Notification.model_fields if name != "id"}
    bind = session.get_bind()
    insert = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
    added = session.execute(
        insert(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "once"])
        .returning(col(Notification.id))
    ).first()
    if added is None:
        return False
    row.id = added[0]
    return True


def tell(session: Session, *, news: News, recipients: Iterable[int]) -> list[Notification]:
    """Tell each of `recipients` (user ids) the news, in the caller's transaction. Nobody is
    told what they did themselves, nor anything of a statement they may no longer read."""
    wanted = set(recipients) - ({news.actor.id} if news.actor else set())
    if news.statement is not None and wanted:
        wanted = _readers(session, news.statement.id, wanted)
    if not wanted:
        return []
    people = session.exec(
        select(User).where(col(User.id).in_(wanted), col(User.disabled).is_(False))
    ).all()
    reach = reach_of(session)
    site, mail = reach.site, reach.mail
    told = []
    for person in sorted(people, key=lambda p: p.id):
        delivery = deliveries(session, person.id)[news.kind] if mail else Delivery.off
        row = Notification(
            user_id=person.id,
            statement_id=news.statement.id if news.statement else None,
            actor_id=news.actor.id if news.actor else None,
            kind=news.kind,
            title=news.title[:400],
            body=excerpt(news.body),
            path=news.path,
            once=news.once,
            mail={
                Delivery.now: MailState.queued,
                Delivery.digest: MailState.digest,
                Delivery.off: MailState.none,
            }[delivery],
            base_url=site,
        )
        if not _add(session, row):
            continue
        if delivery is Delivery.now:
            notification_mail.queue(session, site=site, person=person, notification=row, news=news)
        told.append(row)
    return told


def unread(session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
    ).one()


def listing(
    session: Session, *, user_id: int, before: int | None, limit: int, unread_only: bool
) -> list[Notification]:
    """The person's notifications, newest first; `before` (an id) pages back."""
    query = select(Notification).where(Notification.user_id == user_id)
    if before is not None:
        query = query.where(col(Notification.id) < before)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    return list(session.exec(query.order_by(col(Notification.id).desc()).limit(limit)).all())


def mark_read(session: Session, *, user_id: int, ids: list[int] | None) -> None:
    """Mark the person's notifications `ids` read, or all of them with None."""
    change = update(Notification).where(
        col(Notification.user_id) == user_id, col(Notification.read_at).is_(None)
    )
    if ids is not None:
        change = change.where(col(Notification.id).in_(ids))
    session.execute(change.values(read_at=utcnow()))
