"""Changing one's password: the current one first, other browsers signed out, guesses limited."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.user import User
from app.services import sessions
from tests.factories import PASSWORD, make_user

NEW = "a brand new passphrase"


def _signs_in(client: TestClient, user: User, password: str) -> bool:
    answer = client.post("/api/session", json={"email": user.email, "password": password})
    return bool(answer.status_code == 200)


def test_a_new_password_signs_out_the_other_browsers(
    client: TestClient, signed_in: Callable[[User], TestClient], session: Session
) -> None:
    ben = make_user(session)
    here, laptop = signed_in(ben), signed_in(ben)
    _, secret = sessions.create_api_token(session=session, user=ben, name="script")
    session.commit()
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert here.post("/api/me/password", json=body).status_code == 204
    assert here.get("/api/me").status_code == 200
    assert laptop.get("/api/me").status_code == 401
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert not _signs_in(client, ben, PASSWORD)
    assert _signs_in(client, ben, NEW)


def test_the_current_password_must_be_given(
    client: TestClient, signed_in: Callable[[User], TestClient], session: Session
) -> None:
    ben = make_user(session)
    here, laptop = signed_in(ben), signed_in(ben)
    anonymous = client.post(
        "/api/me/password", json={"current_password": PASSWORD, "new_password": NEW}
    )
    assert anonymous.status_code == 401
    for body, status in [
        ({"current_password": "not it at all", "new_password": NEW}, 403),
        ({"current_password": PASSWORD, "new_password": "short"}, 422),
        ({"new_password": NEW}, 422),
        ({"current_password": PASSWORD, "new_password": NEW, "email": "x@example.org"}, 422),
    ]:
        refused = here.post("/api/me/password", json=body)
        assert refused.status_code == status, body
        assert refused.json()["detail"]
    wrong = here.post("/api/me/password", json={"current_password": "x", "new_password": NEW})
    assert wrong.json()["detail"] == "Your current password is not right."
    assert laptop.get("/api/me").status_code == 200
    assert _signs_in(client, ben, PASSWORD)


def test_guessing_the_current_password_is_limited_like_signing_in(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> None:
    """A browser left signed in must not be a way to try passwords without limit."""
    ben = make_user(session)
    here = signed_in(ben)
    guess = {"current_password": "a wrong guess", "new_password": NEW}
    for _ in range(settings.sign_in_max_failures):
        assert here.post("/api/me/password", json=guess).status_code == 403
    blocked = here.post(
        "/api/me/password", json={"current_password": PASSWORD, "new_password": NEW}
    )
    assert blocked.status_code == 429
    assert "Too many failed" in blocked.json()["detail"]
    # The password did not change, and signing in with the right one waits too.
    assert (
        client.post("/api/session", json={"email": ben.email, "password": PASSWORD}).status_code
        == 429
    )
