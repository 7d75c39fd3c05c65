"""Site administrators disable and enable accounts; anyone may sign out everywhere else."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.user import User
from app.services import sessions
from tests.factories import PASSWORD, make_user


@pytest.fixture
def administrator(session: Session) -> User:
    user = make_user(session, name="Ada Admin")
    user.admin = True
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def _sign_in(client: TestClient, user: User) -> int:
    answer = client.post("/api/session", json={"email": user.email, "password": PASSWORD})
    status: int = answer.status_code
    return status


def test_an_administrator_sees_every_account(
    signed_in: Callable[[User], TestClient], session: Session, administrator: User
) -> None:
    ben = make_user(session, name="Ben", organisation="Wikimedia UK")
    gone = make_user(session, name="Aaron")
    gone.disabled = True
    session.add(gone)
    session.commit()
    answer = signed_in(administrator).get("/api/users")
    assert answer.status_code == 200
    listed = answer.json()["data"]
    assert answer.json()["count"] == len(listed) == 3
    # Enabled accounts first, by name; the disabled last.
    assert [a["name"] for a in listed] == ["Ada Admin", "Ben", "Aaron"]
    ben_row = listed[1]
    assert ben_row["email"] == ben.email
    assert ben_row["organisation"] == "Wikimedia UK"
    assert ben_row["disabled"] is False
    assert ben_row["admin"] is False
    assert listed[0]["admin"] is True
    assert listed[2]["disabled"] is True
    assert all("password_hash" not in a for a in listed)


def test_only_administrators_may_see_or_change_accounts(
    client: TestClient, signed_in: Callable[[User], TestClient], session: Session
) -> None:
    ben, carla = make_user(session), make_user(session)
    as_ben = signed_in(ben)
    for method, body in (("GET", None), ("PATCH", {"disabled": True})):
        path = "/api/users" if method == "GET" else f"/api/users/{carla.id}"
        refused = as_ben.request(method, path, json=body)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Only a site administrator may do this."
        assert client.request(method, path, json=body).status_code == 401
    session.refresh(carla)
    assert carla.disabled is False
    assert _sign_in(client, carla) == 200


def test_disabling_signs_out_everywhere_and_enabling_lets_them_back(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    administrator: User,
) -> None:
    ben = make_user(session, name="Ben")
    as_ben = signed_in(ben)
    _, secret = sessions.create_api_token(session=session, user=ben, name="script")
    session.commit()
    assert as_ben.get("/api/me").status_code == 200

    answer = signed_in(administrator).patch(f"/api/users/{ben.id}", json={"disabled": True})
    assert answer.status_code == 200
    assert answer.json()["disabled"] is True
    assert as_ben.get("/api/me").status_code == 401
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    refused = client.post("/api/session", json={"email": ben.email, "password": PASSWORD})
    assert refused.status_code == 401
    assert refused.json()["detail"] == "The email or password is not right."

    answer = signed_in(administrator).patch(f"/api/users/{ben.id}", json={"disabled": False})
    assert answer.json()["disabled"] is False
    assert _sign_in(client, ben) == 200
    # The token was never revoked: it works again with the account.
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_an_administrator_names_another(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    administrator: User,
) -> None:
    ben = make_user(session)
    as_ben = signed_in(ben)
    assert as_ben.get("/api/users").status_code == 403
    made = signed_in(administrator).patch(f"/api/users/{ben.id}", json={"admin": True})
    assert made.json()["admin"] is True
    assert as_ben.get("/api/me").json()["admin"] is True
    assert as_ben.get("/api/users").json()["count"] == 2
    # Now Ben may take it back from the first; nobody may from themselves.
    assert as_ben.patch(f"/api/users/{administrator.id}", json={"admin": False}).status_code == 200
    assert signed_in(administrator).get("/api/users").status_code == 403


@pytest.mark.parametrize("body", [{"disabled": True}, {"admin": False}])
def test_nobody_disables_or_demotes_themselves(
    signed_in: Callable[[User], TestClient],
    session: Session,
    administrator: User,
    body: dict[str, bool],
) -> None:
    as_admin = signed_in(administrator)
    refused = as_admin.patch(f"/api/users/{administrator.id}", json=body)
    assert refused.status_code == 409
    assert "another administrator" in refused.json()["detail"]
    session.refresh(administrator)
    assert administrator.admin is True
    assert administrator.disabled is False
    assert as_admin.get("/api/me").status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/users/999999", {"disabled": True}, 404),
        ("/api/users/0", {"disabled": True}, 422),
        ("/api/users/{ben}", {"disabled": "yes please"}, 422),
        ("/api/users/{ben}", {"disabled": True, "password_hash": "x"}, 422),
        ("/api/users/{ben}", {"email": "mine@example.org"}, 422),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(
    signed_in: Callable[[User], TestClient],
    session: Session,
    administrator: User,
    path: str,
    body: dict[str, object],
    status: int,
) -> None:
    ben = make_user(session)
    before = ben.model_dump()
    answer = signed_in(administrator).patch(path.format(ben=ben.id), json=body)
    assert answer.status_code == status
    assert isinstance(answer.json()["detail"], str | list)
    session.refresh(ben)
    assert ben.model_dump() == before


def test_signing_out_everywhere_else_keeps_this_browser(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> None:
    ben, carla = make_user(session), make_user(session)
    here, laptop, phone = signed_in(ben), signed_in(ben), signed_in(ben)
    carlas = signed_in(carla)
    _, secret = sessions.create_api_token(session=session, user=ben, name="script")
    session.commit()
    answer = here.delete("/api/sessions")
    assert answer.status_code == 200
    assert answer.json() == {"ended": 2}
    assert here.get("/api/me").status_code == 200
    assert laptop.get("/api/me").status_code == 401
    assert phone.get("/api/me").status_code == 401
    assert carlas.get("/api/me").status_code == 200
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert here.delete("/api/sessions").json() == {"ended": 0}
    assert client.delete("/api/sessions").status_code == 401


def test_a_script_signs_out_every_browser(
    client: TestClient, signed_in: Callable[[User], TestClient], session: Session
) -> None:
    ben = make_user(session)
    browser = signed_in(ben)
    _, secret = sessions.create_api_token(session=session, user=ben, name="script")
    session.commit()
    answer = client.delete("/api/sessions", headers={"Authorization": f"Bearer {secret}"})
    assert answer.json() == {"ended": 1}
    assert browser.get("/api/me").status_code == 401
