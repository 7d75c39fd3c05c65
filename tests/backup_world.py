"""A database with something in every table, built through the services, and the checks that a
restored copy holds exactly the same rows and still works."""

import contextlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, column, select, table
from sqlmodel import Session

from app import migrate
from app.backup import TABLES
from app.collab import log, ops
from app.collab.change import Batch, Change, Snapshot
from app.config import Settings
from app.db import make_engine
from app.errors import Unauthorized
from app.main import create_app
from app.models.comment import ThreadCreate
from app.models.invitation import InvitationCreate
from app.models.membership import Membership, Role
from app.models.notification import Delivery, Kind, PreferencesUpdate
from app.models.review import RoundCreate, StanceCreate, StanceKind
from app.models.statement import ApprovalRule, Statement, StatementUpdate
from app.models.suggestion import SuggestionCreate
from app.models.suggestion_vote import VoteCreate, VoteKind
from app.models.user import User
from app.models.version import VersionCreate
from app.services import (
    accounts,
    authorship,
    comments,
    invitations,
    members,
    notification_preferences,
    notifications,
    publications,
    reviews,
    section_locks,
    sections,
    sessions,
    statements,
    suggestion_threads,
    suggestion_votes,
    suggestions,
    versions,
)
from app.services.text import text_at
from tests.factories import ORIGIN, PASSWORD, add_member, make_statement, make_user

DRAFT = "We, representatives of chapters in Kraków and Zürich, agree. 🌍\r\n\nOn partnerships.\n"
TYPED = 1_100  # changes through the op log: past text snapshots and a kept authorship


@dataclass
class World:
    """What a user would look for in a restored copy."""

    email: str  # the facilitator's; the password is the factories' PASSWORD
    statement_id: int
    slug: str  # the published statement's address
    token: str  # an editor's API token
    texts: dict[int, str] = field(default_factory=dict)  # the text at some revisions


def build_world(settings: Settings) -> World:
    """Three statements with people, a long history, versions, comments, a review round and a
    publication; migrates the database first."""
    engine = make_engine(settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        fatima = make_user(session, name="Fatima", organisation="Workshop")
        ben = make_user(session, name="Ben", organisation="Wikimedia UK")
        rosa = make_user(session, name="Rosa", organisation="Creative Commons")
        gone = make_user(session, name="Gone")
        main = make_statement(session, settings, facilitator=fatima, text=DRAFT)
        other = make_statement(session, settings, facilitator=ben, title="Charter", text="Wir.")
        make_statement(session, settings, facilitator=rosa, title="Empty")
        add_member(session, main, ben, Role.editor)
        add_member(session, main, rosa, Role.reviewer)
        add_member(session, other, fatima, Role.viewer)
        token = _accounts(session, settings, fatima, ben, gone)
        _settings_and_invitations(session, settings, main, fatima)
        world = World(fatima.email, main.id, main.slug, token)
        people = [fatima.id, ben.id, rosa.id]
    _type(engine, main.id, people[:2], DRAFT)
    # People are told of what follows by email: the outbox and unsubscribe links fill up.
    notifications.configure(engine, site="https://accord.example.org", mail=True)
    with Session(engine) as session:
        fatima, ben, rosa = (session.get_one(User, person) for person in people)
        notification_preferences.change(
            session,
            user_id=rosa.id,
            change=PreferencesUpdate(
                kinds={Kind.reply: Delivery.digest}, digest_hour=7, time_zone="Europe/Oslo"
            ),
        )
        statement = session.get_one(Statement, world.statement_id)
        authorship.authorship(session=session, statement_id=statement.id, rev=None)  # kept
        _discuss(session, settings, statement.id, fatima, ben, rosa)
        _review_and_publish(session, statement, fatima, ben, rosa)
        session.commit()
        _lock_a_section(session, statement.id, fatima)
        session.commit()
        for rev in (0, 1, 2, 200, 555, 1001, TYPED + 1):
            world.texts[rev] = text_at(session=session, statement_id=statement.id, rev=rev).text
    engine.dispose()
    return world


def _accounts(session: Session, settings: Settings, fatima: User, ben: User, gone: User) -> str:
    """A disabled account, a site administrator, a browser session, tokens (one revoked), a
    failed sign-in; return Ben's live token."""
    accounts.set_disabled(session=session, user=gone, disabled=True)
    fatima.admin = True
    session.add(fatima)
    sessions.start_session(session=session, settings=settings, user=fatima, user_agent="Firefox")
    _, token = sessions.create_api_token(session=session, user=ben, name="script")
    old, _ = sessions.create_api_token(session=session, user=ben, name="old")
    sessions.revoke_api_token(session=session, user=ben, token_id=old.id)
    session.commit()
    with contextlib.suppress(Unauthorized):  # recorded as a failed attempt
        accounts.authenticate(
            session=session, settings=settings, email=ben.email, password="no", client_ip="::1"
        )
    return token


def _settings_and_invitations(
    session: Session, settings: Settings, statement: Statement, fatima: User
) -> None:
    statements.update_statement(
        session=session,
        settings=settings,
        statement=statement,
        changes=StatementUpdate(
            finalise_by=date(2026, 12, 18),
            approval_rule=ApprovalRule.majority,
            context="Kraków, day two",
        ),
        actor=fatima,
    )
    for role, uses in ((Role.reviewer, 20), (Role.editor, 1)):
        made = invitations.create_invitation(
            session=session,
            settings=settings,
            statement=statement,
            invitation_in=InvitationCreate(role=role, max_uses=uses, label=f"{role} link"),
            actor=fatima,
            base_url=ORIGIN,
        )
    invitations.revoke_invitation(
        session=session, statement_id=statement.id, invitation_id=made.id, actor=fatima
    )
    session.commit()


def _type(engine: Engine, statement_id: int, authors: list[int], text: str) -> None:
    """Type TYPED changes one at a time, as a live room writes them, snapshots and all."""
    for rev in range(2, TYPED + 2):
        position = (rev * 7) % (len(text) + 1)
        if rev % 10 == 0 and position < len(text):
            op = ops.normalise([position, -1, len(text) - position - 1])
        else:
            op = ops.normalise([position, "aé🙂"[rev % 3], len(text) - position])
        text = ops.apply(text, op)
        author = authors[rev % len(authors)]
        change = Change(rev, op, author, f"tab-{author}", rev)
        snapshot = Snapshot(rev, text) if rev % log.SNAPSHOT_EVERY == 0 else None
        log.append_many(engine, [Batch(statement_id, [change], snapshot)])


def _discuss(
    session: Session, settings: Settings, statement_id: int, fatima: User, ben: User, rosa: User
) -> None:
    """Versions; a resolved thread with a reply edited and one deleted; a thread on a version."""
    for name, rev in (("As it began", 1), ("Draft 2, after day two", None)):
        versions.save_version(
            session=session,
            statement_id=statement_id,
            version_in=VersionCreate(name=name, note="For the review", rev=rev),
            author=fatima,
        )
    thread = comments.start_thread(
        session=session,
        settings=settings,
        statement_id=statement_id,
        thread_in=ThreadCreate(start=0, end=3, rev=1, body="Who is *we*, @Ben?"),
        author=fatima,
    )
    session.flush()
    answer = comments.reply(
        session=session, settings=settings, thread=thread, body="Every chapter.", author=ben
    )
    aside = comments.reply(
        session=session, settings=settings, thread=thread, body="Off topic.", author=rosa
    )
    session.flush()
    comments.edit(
        session=session, settings=settings, comment=answer, body="Every chapter here.", editor=ben
    )
    comments.delete(session=session, comment=aside, actor=rosa, may_moderate=False)
    comments.set_resolved(session=session, thread=thread, actor=fatima, resolved=True)
    comments.start_thread(
        session=session,
        settings=settings,
        statement_id=statement_id,
        thread_in=ThreadCreate(start=0, end=2, version=2, body="Fine by us."),
        author=rosa,
    )
    suggestions.make(
        session=session,
        settings=settings,
        statement_id=statement_id,
        author=rosa,
        suggestion_in=SuggestionCreate(base_rev=1, op=["Indeed, ", len(DRAFT)], reason="Warmer."),
    )
    # Another, discussed and put to the group's vote, with a vote cast.
    contested = suggestions.make(
        session=session,
        settings=settings,
        statement_id=statement_id,
        author=ben,
        suggestion_in=SuggestionCreate(base_rev=1, op=["Together: ", len(DRAFT)]),
    )
    session.flush()
    suggestion_threads.comment(
        session=session, settings=settings, suggestion=contested, body="Why?", author=rosa
    )
    suggestion_votes.open_vote(session=session, suggestion=contested, actor=fatima)
    suggestion_votes.cast(
        session=session,
        suggestion=contested,
        vote_in=VoteCreate(kind=VoteKind.oppose, reason="Not yet."),
        user=rosa,
        membership=_member(session, statement_id, rosa),
    )
    session.flush()


def _member(session: Session, statement_id: int, user: User) -> Membership:
    found = members.find_membership(session=session, statement_id=statement_id, user_id=user.id)
    assert found is not None
    return found


def _review_and_publish(
    session: Session, statement: Statement, fatima: User, ben: User, rosa: User
) -> None:
    """A round on version 2 with a changed mind, closed approved; the version published."""
    review = reviews.open_round(
        session=session,
        statement=statement,
        round_in=RoundCreate(version=2, closes_on=date(2030, 1, 1)),
        actor=fatima,
    )
    for user, kind, reason in (
        (fatima, StanceKind.request_changes, "Say who we are."),
        (fatima, StanceKind.approve, ""),
        (ben, StanceKind.approve, ""),
        (rosa, StanceKind.abstain, "Not ours to say."),
    ):
        membership = members.find_membership(
            session=session, statement_id=statement.id, user_id=user.id
        )
        assert membership is not None
        reviews.record_stance(
            session=session,
            review=review,
            stance_in=StanceCreate(kind=kind, reason=reason),
            user=user,
            membership=membership,
        )
        session.flush()
    assert reviews.close_round(session=session, statement=statement, review=review, actor=fatima)
    publications.publish(session=session, statement=statement, number=2, actor=fatima)


def _lock_a_section(session: Session, statement_id: int, fatima: User) -> None:
    """The draft's sections named and kept, and its first section locked."""
    _, text, found = sections.draft(session=session, statement_id=statement_id)
    first = found[0]
    section_locks.lock(
        session=session,
        statement_id=statement_id,
        section=first,
        words=first.text(text),
        actor=fatima,
    )


def rows(engine: Engine) -> dict[str, list[str]]:
    """Every table's rows in primary key order, each as its repr, so that types (1 is not True
    nor 1.0), time zones and JSON values must match exactly."""
    with engine.connect() as connection:
        return {
            t.name: [
                repr(tuple(row)) for row in connection.execute(select(t).order_by(*t.primary_key))
            ]
            for t in TABLES
        }


def stored_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows as the database driver hands them over, with no type applied."""
    with engine.connect() as connection:
        found = {}
        for t in TABLES:
            raw = table(t.name, *(column(c.name) for c in t.columns))
            order = [raw.c[c.name] for c in t.primary_key]
            found[t.name] = [tuple(row) for row in connection.execute(select(raw).order_by(*order))]
        return found


def assert_serves(settings: Settings, world: World) -> None:
    """The restored database works: sign in, read any revision, compare, the public page, and
    new rows get new ids."""
    with TestClient(create_app(settings), base_url=ORIGIN, headers={"Origin": ORIGIN}) as client:
        signed = client.post("/api/session", json={"email": world.email, "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        base = f"/api/statements/{world.statement_id}"
        for rev, expected in world.texts.items():
            assert client.get(f"{base}/text", params={"rev": rev}).json()["text"] == expected
        diff = client.get(f"{base}/diff", params={"from": "1", "to": "live"})
        assert diff.status_code == 200, diff.text
        assert diff.json()["counts"]["words_added"] > 0
        assert client.get(f"{base}/authorship").status_code == 200
        threads = client.get(f"{base}/threads", params={"version": "all"}).json()["data"]
        assert sorted(len(thread["comments"]) for thread in threads) == [1, 3]
        page = client.get(f"/s/{world.slug}")
        assert page.status_code == 200
        assert "Fatima" in page.text or "Workshop" in page.text
        version = client.post(f"{base}/versions", json={"name": "After the restore"})
        assert version.status_code == 201, version.text
        assert version.json()["number"] == 3
        made = client.post("/api/statements", json={"title": "New", "text": "A new one."})
        assert made.status_code == 201, made.text
        assert made.json()["id"] == 4
        script = client.get("/api/me", headers={"Authorization": f"Bearer {world.token}"})
        assert script.status_code == 200, script.text
        assert script.json()["name"] == "Ben"
