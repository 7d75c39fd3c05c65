"""Each suggestion's discussion over the API: one thread, made by its first comment, kept out
of the passages' threads."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.user import User
from tests.factories import add_member, make_statement, make_user
from tests.test_races import AT_ONCE, at_once, statuses

TEXT = "We value free knowledge. Partners need support."


@pytest.fixture
def people(session: Session, settings: Settings) -> tuple[int, User, User, User]:
    ben = make_user(session, name="Ben Smith")
    rosa = make_user(session, name="Rosa")
    vera = make_user(session, name="Vera")
    statement = make_statement(session, settings, facilitator=ben, text=TEXT)
    add_member(session, statement, rosa, Role.reviewer)
    add_member(session, statement, vera, Role.viewer)
    return statement.id, ben, rosa, vera


def _suggest(client: TestClient, sid: int, text: str) -> int:
    made = client.post(f"/api/statements/{sid}/suggestions", json={"base_rev": 1, "text": text})
    assert made.status_code == 201, made.text
    suggestion: int = made.json()["id"]
    return suggestion


def test_discuss_a_suggestion_apart_from_the_passages(
    signed_in: Callable[[User], TestClient], people: tuple[int, User, User, User]
) -> None:
    sid, ben, rosa, vera = people
    bens, rosas, veras = signed_in(ben), signed_in(rosa), signed_in(vera)
    made = _suggest(rosas, sid, TEXT.replace("Partners", "Our partners"))
    path = f"/api/statements/{sid}/suggestions/{made}/comments"
    assert veras.get(path).json() == {"data": [], "count": 0}

    first = rosas.post(path, json={"body": "What do you think, @Ben Smith?"})
    assert first.status_code == 201, first.text
    assert (first.json()["author"]["name"], first.json()["mentions"]) == ("Rosa", [ben.id])
    answer = bens.post(path, json={"body": "  Fine by me.  "})
    assert answer.status_code == 201, answer.text
    said = veras.get(path).json()
    assert [(c["author"]["name"], c["body"]) for c in said["data"]] == [
        ("Rosa", "What do you think, @Ben Smith?"),
        ("Ben Smith", "Fine by me."),
    ]
    # Not a passage's thread: not in the Comments tab, nor marked in the text.
    for version in ("live", "all"):
        listed = bens.get(f"/api/statements/{sid}/threads?version={version}").json()
        assert listed["count"] == 0
    theirs = bens.get(f"/api/statements/{sid}/threads?suggestions=true").json()
    assert [(t["suggestion"], len(t["comments"])) for t in theirs["data"]] == [(made, 2)]


def test_a_bad_comment_on_a_suggestion_is_refused(
    signed_in: Callable[[User], TestClient],
    people: tuple[int, User, User, User],
    session: Session,
) -> None:
    sid, ben, rosa, vera = people
    made = _suggest(signed_in(rosa), sid, TEXT.replace("free ", ""))
    path = f"/api/statements/{sid}/suggestions/{made}/comments"
    bens = signed_in(ben)
    for client, body, code in [
        (signed_in(vera), {"body": "Me too"}, 403),  # viewers read along
        (bens, {"body": "   "}, 422),
        (bens, {}, 422),
        (bens, {"body": "x" * 10_001}, 413),
    ]:
        refused = client.post(path, json=body)
        assert refused.status_code == code, refused.text
        assert isinstance(refused.json()["detail"], str)
    missing = bens.post(f"/api/statements/{sid}/suggestions/999999/comments", json={"body": "?"})
    assert missing.status_code == 404
    stranger = signed_in(make_user(session, name="Sam"))
    assert stranger.get(path).status_code == 404
    assert bens.get(path).json()["count"] == 0
    assert bens.get(f"/api/statements/{sid}/threads?suggestions=true").json()["count"] == 0


def test_first_comments_at_once_make_one_discussion(
    signed_in: Callable[[User], TestClient],
    people: tuple[int, User, User, User],
    session: Session,
) -> None:
    sid, ben, rosa, _ = people
    made = _suggest(signed_in(rosa), sid, TEXT.replace("We value", "We all value"))
    path = f"/api/statements/{sid}/suggestions/{made}/comments"
    clients = [signed_in(ben if n % 2 else rosa) for n in range(AT_ONCE)]

    said = at_once(clients, lambda c, i: c.post(path, json={"body": f"Comment {i}"}))

    assert statuses(said) == [201] * AT_ONCE, [r.text for r in said]
    listed = signed_in(ben).get(path).json()
    assert sorted(c["body"] for c in listed["data"]) == [f"Comment {i}" for i in range(AT_ONCE)]
    threads = signed_in(ben).get(f"/api/statements/{sid}/threads?suggestions=true").json()
    assert threads["count"] == 1
