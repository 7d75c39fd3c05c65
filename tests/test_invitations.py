"""Invitation links: random, stored hashed, single-use by default, expiring, revocable."""

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.middleware import SESSION_COOKIE
from app.models.base import utcnow
from app.models.invitation import Invitation
from app.models.membership import Role
from app.models.user import User
from app.security import hash_token
from tests.factories import PASSWORD, add_member, make_invitation, make_statement, make_user

NEWCOMER = {
    "name": "Delegate",
    "organisation": "Wikimedia Serbia",
    "email": "delegate@wikimedia.rs",
    "password": "a long passphrase",
}


def test_create_invitation_link(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    boss = make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    response = signed_in(boss).post(
        f"/api/statements/{statement.id}/invitations",
        json={"role": "reviewer", "label": "Wikimedia Serbia"},
    )
    assert response.status_code == 201
    body = response.json()
    token = body["token"]
    assert body["url"] == f"http://testserver/invite/{token}"
    assert (body["role"], body["status"], body["max_uses"]) == ("reviewer", "active", 1)
    assert len(token.removeprefix("inv_")) >= 22  # at least 128 bits of base64
    stored = session.exec(select(Invitation)).one()
    assert stored.token_hash == hash_token(token)
    assert token not in repr(stored)
    listed = signed_in(boss).get(f"/api/statements/{statement.id}/invitations").json()
    assert listed["count"] == 1
    assert token not in str(listed)


def test_invitation_url_uses_public_url(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    settings.public_url = "https://accord.wikimedia.example"
    boss = make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    body = (
        signed_in(boss)
        .post(f"/api/statements/{statement.id}/invitations", json={"role": "editor"})
        .json()
    )
    assert body["url"].startswith("https://accord.wikimedia.example/invite/inv_")


def test_preview_invitation(client: TestClient, session: Session, settings: Settings) -> None:
    boss = make_user(session, name="Facilitator", organisation="Workshop")
    statement = make_statement(session, settings, facilitator=boss, title="On Partnerships")
    token = make_invitation(session, settings, statement, boss, role=Role.reviewer)
    preview = client.get(f"/api/invitations/{token}").json()
    assert preview["statement_title"] == "On Partnerships"
    assert preview["statement_id"] == statement.id
    assert preview["role"] == "reviewer"
    assert preview["invited_by"] == "Facilitator (Workshop)"
    assert preview["status"] == "active"
    assert client.get("/api/invitations/inv_made-up").status_code == 404


def test_accept_invitation_creates_account(
    client: TestClient, session: Session, settings: Settings
) -> None:
    boss = make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    token = make_invitation(session, settings, statement, boss, role=Role.editor)
    response = client.post(f"/api/invitations/{token}/accept", json=NEWCOMER)
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "editor"
    assert SESSION_COOKIE in response.cookies
    me = client.get(f"/api/statements/{statement.id}").json()
    assert me["my_role"] == "editor"
    # The account works for signing in later.
    client.delete("/api/session")
    signed = client.post(
        "/api/session", json={"email": NEWCOMER["email"], "password": NEWCOMER["password"]}
    )
    assert signed.status_code == 200


def test_accept_invitation_signed_in(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    boss, joiner = make_user(session), make_user(session, organisation="Wikimedia Indonesia")
    statement = make_statement(session, settings, facilitator=boss)
    token = make_invitation(session, settings, statement, boss, role=Role.viewer)
    me = signed_in(joiner)
    response = me.post(f"/api/invitations/{token}/accept", json={})
    assert response.status_code == 200
    assert response.json()["user"]["id"] == joiner.id
    members = signed_in(boss).get(f"/api/statements/{statement.id}/members").json()["data"]
    assert ("Wikimedia Indonesia", "viewer") in [(m["organisation"], m["role"]) for m in members]
    # Accepting again as a member changes nothing and does not count as a use.
    again = me.post(f"/api/invitations/{token}/accept", json={})
    assert again.status_code == 200
    assert session.exec(select(Invitation)).one().use_count == 1


def test_accept_invitation_reused(client: TestClient, session: Session, settings: Settings) -> None:
    boss = make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    token = make_invitation(session, settings, statement, boss)
    assert client.post(f"/api/invitations/{token}/accept", json=NEWCOMER).status_code == 200
    client.cookies.clear()
    second = client.post(
        f"/api/invitations/{token}/accept", json={**NEWCOMER, "email": "second@example.org"}
    )
    assert second.status_code == 409
    assert "already been used" in second.json()["detail"]
    assert session.exec(select(User).where(User.email == "second@example.org")).first() is None


def test_accept_invitation_with_several_uses(
    client: TestClient, session: Session, settings: Settings
) -> None:
    boss = make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    token = make_invitation(session, settings, statement, boss, max_uses=3)
    statuses = []
    for number in range(4):
        client.cookies.clear()
        body = {**NEWCOMER, "email": f"delegate{number}@example.org"}
        statuses.append(client.post(f"/api/invitations/{token}/accept", json=body).status_code)
    assert statuses == [200, 200, 200, 409]


def test_accept_invitation_expired(
    client: TestClient, session: Session, settings: Settings
) -> None:
    boss = make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    token = make_invitation(session, settings, statement, boss)
    invitation = session.exec(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    session.add(invitation)
    session.commit()
    assert client.get(f"/api/invitations/{token}").json()["status"] == "expired"
    response = client.post(f"/api/invitations/{token}/accept", json=NEWCOMER)
    assert response.status_code == 409
    assert "expired" in response.json()["detail"]


def test_revoke_invitation(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> None:
    boss = make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    token = make_invitation(session, settings, statement, boss)
    invitation_id = session.exec(select(Invitation)).one().id
    facilitator = signed_in(boss)
    path = f"/api/statements/{statement.id}/invitations/{invitation_id}"
    assert facilitator.delete(path).status_code == 204
    listed = facilitator.get(f"/api/statements/{statement.id}/invitations").json()["data"]
    assert listed[0]["status"] == "revoked"
    response = client.post(f"/api/invitations/{token}/accept", json=NEWCOMER)
    assert response.status_code == 409
    assert "withdrawn" in response.json()["detail"]
    assert facilitator.delete(f"/api/statements/{statement.id}/invitations/999").status_code == 404


def test_accept_invitation_bad_input(
    client: TestClient, session: Session, settings: Settings
) -> None:
    boss = make_user(session, email="taken@example.org")
    statement = make_statement(session, settings, facilitator=boss)
    token = make_invitation(session, settings, statement, boss)
    cases = [
        ({}, 422, "give your name, email, password"),
        ({**NEWCOMER, "password": "short"}, 422, "password"),
        ({**NEWCOMER, "email": "not-an-email"}, 422, "valid email"),
        ({**NEWCOMER, "email": "Taken@example.org"}, 409, "already exists"),
        ({**NEWCOMER, "role": "facilitator"}, 422, "role: is not a field"),
    ]
    for body, status, words in cases:
        response = client.post(f"/api/invitations/{token}/accept", json=body)
        assert response.status_code == status, body
        assert words in response.json()["detail"], response.json()
    # None of the refused attempts used up the link.
    assert client.get(f"/api/invitations/{token}").json()["status"] == "active"
    assert (
        client.post(
            "/api/session", json={"email": "taken@example.org", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_invite_to_same_statement_twice_keeps_role(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    boss, member = make_user(session), make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    add_member(session, statement, member, Role.editor)
    token = make_invitation(session, settings, statement, boss, role=Role.viewer)
    response = signed_in(member).post(f"/api/invitations/{token}/accept", json={})
    assert response.json()["role"] == "editor"
