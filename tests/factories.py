"""Factories: build users, statements, members and invitations through the real services."""

import itertools
from functools import cache

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.middleware import SESSION_COOKIE
from app.models.invitation import InvitationCreate
from app.models.membership import Role
from app.models.statement import Statement, StatementCreate
from app.models.user import User
from app.security import hash_password
from app.services import invitations, members, sessions, statements

PASSWORD = "correct horse battery staple"
ORIGIN = "http://testserver"
_numbers = itertools.count(1)


@cache
def _password_hash(password: str) -> str:
    # argon2 is slow on purpose; hash each test password once per run.
    return hash_password(password)


def make_user(
    session: Session,
    *,
    name: str | None = None,
    organisation: str = "Wikimedia Norway",
    email: str | None = None,
    password: str = PASSWORD,
) -> User:
    number = next(_numbers)
    user = User(
        name=name or f"Person {number}",
        organisation=organisation,
        email=(email or f"person{number}@example.org").lower(),
        password_hash=_password_hash(password),
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def make_statement(
    session: Session,
    settings: Settings,
    *,
    facilitator: User,
    title: str = "Statement on Partnerships",
    text: str = "",
) -> Statement:
    statement = statements.create_statement(
        session=session,
        settings=settings,
        statement_in=StatementCreate(title=title, text=text),
        author=facilitator,
    )
    session.commit()
    session.refresh(statement)
    return statement


def add_member(session: Session, statement: Statement, user: User, role: Role) -> None:
    members.add_member(session=session, statement_id=statement.id, user=user, role=role)
    session.commit()


def make_invitation(
    session: Session,
    settings: Settings,
    statement: Statement,
    actor: User,
    *,
    role: Role = Role.editor,
    max_uses: int = 1,
) -> str:
    created = invitations.create_invitation(
        session=session,
        settings=settings,
        statement=statement,
        invitation_in=InvitationCreate(role=role, max_uses=max_uses),
        actor=actor,
        base_url=ORIGIN,
    )
    session.commit()
    return created.token


def client_for(app: FastAPI, session: Session, settings: Settings, user: User | None) -> TestClient:
    """A browser-like client: sends our Origin, and is signed in as `user` when given one."""
    client = TestClient(app, base_url=ORIGIN, headers={"Origin": ORIGIN})
    if user is not None:
        token = sessions.start_session(session=session, settings=settings, user=user)
        session.commit()
        client.cookies.set(SESSION_COOKIE, token)
    return client


def save_text(client: TestClient, sid: int, text: str) -> int:
    """Save a whole new text over the API on the head revision; the revision it became."""
    base = client.get(f"/api/statements/{sid}/text").json()["rev"]
    response = client.post(f"/api/statements/{sid}/text", json={"base_rev": base, "text": text})
    assert response.status_code == 200, response.text
    rev: int = response.json()["rev"]
    return rev
