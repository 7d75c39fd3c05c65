"""Signing in and out, cookies, session fixation, the rate limit, API tokens and CSRF."""

from collections.abc import Callable
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.middleware import SESSION_COOKIE
from app.models.auth import UserSession
from app.models.base import utcnow
from app.models.user import User
from tests.factories import ORIGIN, PASSWORD, make_user


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    client.post("/api/session", json={"email": email, "password": password})
    return client


def test_sign_in_sets_protected_cookie(client: TestClient, session: Session) -> None:
    user = make_user(session, name="Ada", organisation="Wikimedia UK")
    response = client.post("/api/session", json={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["name"] == "Ada"
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie
    assert client.get("/api/me").json()["email"] == user.email


def test_sign_in_over_https_sets_secure_cookie(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    user = make_user(session)
    https = TestClient(
        app, base_url="https://accord.example", headers={"Origin": "https://accord.example"}
    )
    response = https.post("/api/session", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Secure" in response.headers["set-cookie"]


def test_sign_in_unknown_email_and_wrong_password_answer_alike(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    wrong = client.post("/api/session", json={"email": user.email, "password": "not it at all"})
    unknown = client.post("/api/session", json={"email": "nobody@example.org", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "The email or password is not right."}
    assert SESSION_COOKIE not in client.cookies


def test_sign_in_replaces_planted_session(
    app: FastAPI, session: Session, signed_in: Callable[[User], TestClient]
) -> None:
    victim = make_user(session)
    attacker_client = signed_in(make_user(session))
    planted = attacker_client.cookies[SESSION_COOKIE]
    # The victim's browser carries a session id the attacker knows, then signs in.
    victim_browser = TestClient(
        app, base_url=ORIGIN, headers={"Origin": ORIGIN}, cookies={SESSION_COOKIE: planted}
    )
    response = victim_browser.post(
        "/api/session", json={"email": victim.email, "password": PASSWORD}
    )
    fresh = response.cookies[SESSION_COOKIE]
    assert fresh != planted
    assert victim_browser.get("/api/me").json()["id"] == victim.id
    reuse = TestClient(app, base_url=ORIGIN)
    reuse.cookies.set(SESSION_COOKIE, planted)
    assert reuse.get("/api/me").status_code == 401


def test_sign_out_ends_session_on_server(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    user = make_user(session)
    sign_in(client, user.email)
    token = client.cookies[SESSION_COOKIE]
    response = client.delete("/api/session")
    assert response.status_code == 204
    assert client.get("/api/me").status_code == 401
    # Even a copy of the old cookie no longer signs anyone in.
    stolen = TestClient(app, base_url=ORIGIN)
    stolen.cookies.set(SESSION_COOKIE, token)
    assert stolen.get("/api/me").status_code == 401


def test_sign_in_rate_limited_after_failures(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session)
    other = make_user(session)
    for _ in range(settings.sign_in_max_failures):
        assert sign_in_status(client, user.email, "wrong password") == 401
    blocked = client.post("/api/session", json={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.json()["detail"]
    assert int(blocked.headers["retry-after"]) == settings.sign_in_window_seconds
    # Someone else signing in from the same place is not locked out.
    assert sign_in_status(client, other.email, PASSWORD) == 200


def sign_in_status(client: TestClient, email: str, password: str) -> int:
    status: int = client.post(
        "/api/session", json={"email": email, "password": password}
    ).status_code
    return status


def test_disabled_user_cannot_sign_in(client: TestClient, session: Session) -> None:
    user = make_user(session)
    user.disabled = True
    session.add(user)
    session.commit()
    assert sign_in_status(client, user.email, PASSWORD) == 401


def test_update_me(signed_in: Callable[[User], TestClient], session: Session) -> None:
    me = signed_in(make_user(session, name="Old"))
    response = me.patch("/api/me", json={"name": "New Name", "organisation": "Wikimedia Israel"})
    assert response.status_code == 200
    assert me.get("/api/me").json()["organisation"] == "Wikimedia Israel"
    refused = me.patch("/api/me", json={"email": "takeover@example.org"})
    assert refused.status_code == 422
    assert "email" in refused.json()["detail"]


def test_api_token_lifecycle(
    app: FastAPI, signed_in: Callable[[User], TestClient], session: Session
) -> None:
    owner = signed_in(make_user(session, name="Script Owner"))
    created = owner.post("/api/tokens", json={"name": "nightly export"})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert len(secret) >= 40
    script = TestClient(app, base_url=ORIGIN)  # no cookie, no Origin: a script
    bearer = {"Authorization": f"Bearer {secret}"}
    assert script.get("/api/me", headers=bearer).json()["name"] == "Script Owner"
    made = script.post("/api/statements", headers=bearer, json={"title": "Made by a script"})
    assert made.status_code == 201
    listed = owner.get("/api/tokens").json()
    assert listed["count"] == 1
    assert secret not in str(listed)
    assert listed["data"][0]["last_used_at"] is not None
    assert owner.delete(f"/api/tokens/{created.json()['id']}").status_code == 204
    refused = script.get("/api/me", headers=bearer)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


def test_tokens_of_others_cannot_be_revoked(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    alice, bob = signed_in(make_user(session)), signed_in(make_user(session))
    token_id = alice.post("/api/tokens", json={"name": "mine"}).json()["id"]
    assert bob.delete(f"/api/tokens/{token_id}").status_code == 404
    assert bob.delete(f"/api/tokens/{2**63}").status_code == 422  # no id is that large
    assert alice.get("/api/tokens").json()["data"][0]["revoked_at"] is None


def test_cookie_request_from_foreign_origin_refused(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    me = signed_in(make_user(session))
    response = me.post(
        "/api/statements", json={"title": "CSRF"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert "https://evil.example" in response.json()["detail"]
    no_origin = me.post("/api/statements", json={"title": "CSRF"}, headers={"Origin": ""})
    assert no_origin.status_code == 403
    by_referer = me.post(
        "/api/statements",
        json={"title": "Fine"},
        headers={"Origin": "", "Referer": f"{ORIGIN}/statements/1"},
    )
    assert by_referer.status_code == 201
    assert me.get("/api/statements").json()["count"] == 1


def test_allowed_origins_setting_admits_origin(
    app: FastAPI, settings: Settings, session: Session, client: TestClient
) -> None:
    settings.allowed_origins.append("https://accord.example.org")
    user = make_user(session)
    response = client.post(
        "/api/session",
        json={"email": user.email, "password": PASSWORD},
        headers={"Origin": "https://accord.example.org"},
    )
    assert response.status_code == 200


def test_expired_session_signs_nobody_in(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    user = make_user(session)
    sign_in(client, user.email)
    row = session.exec(select(UserSession)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert client.get("/api/me").status_code == 401
    # The next sign-in sweeps the expired session away.
    sign_in(client, user.email)
    session.expire_all()
    assert len(session.exec(select(UserSession)).all()) == 1


def test_read_session_says_who_is_signed_in(client: TestClient, session: Session) -> None:
    assert client.get("/api/session").json() == {"user": None}
    user = make_user(session, name="Ada")
    sign_in(client, user.email)
    assert client.get("/api/session").json()["user"]["name"] == "Ada"
