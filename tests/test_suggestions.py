"""Suggested changes over the API: made on a revision as an operation or a whole text,
following the live text, outdated when their own characters change, and who may suggest."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.statement import Statement
from app.models.user import User
from tests.factories import add_member, make_statement, make_user, save_text

TEXT = "We value free knowledge. Partners need support."


@pytest.fixture
def people(session: Session, settings: Settings) -> tuple[Statement, User, User, User]:
    editor = make_user(session, name="Ben Smith")
    reviewer = make_user(session, name="Rosa")
    viewer = make_user(session, name="Vera")
    statement = make_statement(session, settings, facilitator=editor, text=TEXT)
    add_member(session, statement, reviewer, Role.reviewer)
    add_member(session, statement, viewer, Role.viewer)
    return statement, editor, reviewer, viewer


def test_a_reviewer_suggests_and_the_suggestion_follows_the_text(
    signed_in: Callable[[User], TestClient], people: tuple[Statement, User, User, User]
) -> None:
    statement, editor, reviewer, _ = people
    sid = statement.id
    rosa, ben = signed_in(reviewer), signed_in(editor)
    at = TEXT.index("free")
    made = rosa.post(
        f"/api/statements/{sid}/suggestions",
        json={"base_rev": 1, "op": [at, "open and ", -4, len(TEXT) - at - 4], "reason": "Both."},
    )
    assert made.status_code == 201, made.text
    suggestion = made.json()
    assert suggestion["status"] == "open"
    assert (suggestion["insert"], suggestion["delete"], suggestion["reason"]) == (
        "open and ",
        "free",
        "Both.",
    )
    assert (suggestion["start"], suggestion["end"]) == (at, at + 4)
    assert suggestion["author"]["name"] == "Rosa"
    # Nothing changed in the text: it is only proposed.
    assert ben.get(f"/api/statements/{sid}/text").json()["text"] == TEXT

    save_text(ben, sid, "Together we value free knowledge. Partners need support.")
    listed = ben.get(f"/api/statements/{sid}/suggestions").json()
    assert listed["count"] == 1
    moved = listed["data"][0]
    text = ben.get(f"/api/statements/{sid}/text").json()["text"]
    assert (moved["status"], text[moved["start"] : moved["end"]]) == ("open", "free")
    assert moved["rev"] == 2


def test_a_suggestion_whose_words_are_changed_is_outdated(
    signed_in: Callable[[User], TestClient], people: tuple[Statement, User, User, User]
) -> None:
    statement, editor, reviewer, _ = people
    sid = statement.id
    rosa, ben = signed_in(reviewer), signed_in(editor)
    made = rosa.post(
        f"/api/statements/{sid}/suggestions",
        json={"base_rev": 1, "text": TEXT.replace("need support", "need steady support")},
    )
    assert made.status_code == 201, made.text
    assert (made.json()["insert"], made.json()["delete"]) == ("steady ", "")
    other = rosa.post(
        f"/api/statements/{sid}/suggestions",
        json={"base_rev": 1, "text": TEXT.replace("free knowledge", "free art")},
    )
    assert other.status_code == 201, other.text
    assert other.json()["delete"] == "knowledge"
    save_text(ben, sid, TEXT.replace("free knowledge", "free wisdom"))

    listed = {s["id"]: s for s in ben.get(f"/api/statements/{sid}/suggestions").json()["data"]}
    assert listed[made.json()["id"]]["status"] == "open"  # elsewhere: untouched
    outdated = listed[other.json()["id"]]
    assert (outdated["status"], outdated["delete"]) == ("outdated", "knowledge")  # as made
    only = ben.get(f"/api/statements/{sid}/suggestions?status=outdated").json()
    assert [s["id"] for s in only["data"]] == [other.json()["id"]]
    # Made now on the old revision, the same change is refused: its words are gone.
    late = rosa.post(
        f"/api/statements/{sid}/suggestions",
        json={"base_rev": 1, "text": TEXT.replace("free knowledge", "free art")},
    )
    assert late.status_code == 409, late.text


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"base_rev": 1, "op": [3, "x", 5, "y", len(TEXT) - 8]}, 422),  # two changes
        ({"base_rev": 1, "op": [len(TEXT) + 1]}, 422),  # not made on that text
        ({"base_rev": 1, "op": [len(TEXT)]}, 422),  # no change
        ({"base_rev": 1, "text": TEXT}, 422),  # no change
        ({"base_rev": 1}, 422),  # neither an operation nor a text
        ({"base_rev": 1, "op": ["x", len(TEXT)], "text": "x"}, 422),  # both
        ({"base_rev": 9, "op": ["x", len(TEXT)]}, 404),  # no such revision
    ],
)
def test_a_bad_suggestion_is_refused_and_nothing_is_kept(
    signed_in: Callable[[User], TestClient],
    people: tuple[Statement, User, User, User],
    body: dict[str, object],
    code: int,
) -> None:
    statement, editor, _, _ = people
    ben = signed_in(editor)
    refused = ben.post(f"/api/statements/{statement.id}/suggestions", json=body)
    assert refused.status_code == code, refused.text
    assert refused.json()["detail"]
    assert ben.get(f"/api/statements/{statement.id}/suggestions").json()["count"] == 0


def test_viewers_and_strangers_may_not_suggest(
    signed_in: Callable[[User], TestClient],
    people: tuple[Statement, User, User, User],
    session: Session,
) -> None:
    statement, _, _, viewer = people
    body = {"base_rev": 1, "op": ["Yes. ", len(TEXT)]}
    path = f"/api/statements/{statement.id}/suggestions"
    assert signed_in(viewer).post(path, json=body).status_code == 403
    stranger = make_user(session, name="Sam")
    assert signed_in(stranger).post(path, json=body).status_code == 404
    assert signed_in(viewer).get(path).json()["count"] == 0


def _suggest(client: TestClient, sid: int, text: str) -> int:
    made = client.post(f"/api/statements/{sid}/suggestions", json={"base_rev": 1, "text": text})
    assert made.status_code == 201, made.text
    suggestion_id: int = made.json()["id"]
    return suggestion_id


def test_one_decision_wins_and_the_text_stays_as_it_was(
    signed_in: Callable[[User], TestClient], people: tuple[Statement, User, User, User]
) -> None:
    statement, editor, reviewer, _ = people
    sid = statement.id
    rosa, ben = signed_in(reviewer), signed_in(editor)
    first = _suggest(rosa, sid, TEXT.replace("support", "help"))
    second = _suggest(rosa, sid, TEXT.replace("We value", "We all value"))
    path = f"/api/statements/{sid}/suggestions"

    assert rosa.post(f"{path}/{first}/reject").status_code == 403  # reviewers do not decide
    rejected = ben.post(f"{path}/{first}/reject", json={"reason": "Support is the word."})
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["decision_reason"]) == (
        "rejected",
        "Support is the word.",
    )
    again = ben.post(f"{path}/{first}/reject")
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "This suggestion is rejected, no longer open.",
    )
    assert rosa.post(f"{path}/{first}/withdraw").status_code == 409

    assert ben.post(f"{path}/{second}/withdraw").status_code == 403  # not his
    withdrawn = rosa.post(f"{path}/{second}/withdraw")
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    assert ben.post(f"{path}/{second}/reject").status_code == 409
    assert ben.post(f"{path}/999999/reject").status_code == 404
    assert ben.get(f"/api/statements/{sid}/text").json()["text"] == TEXT


def test_an_outdated_suggestion_cannot_be_decided(
    signed_in: Callable[[User], TestClient], people: tuple[Statement, User, User, User]
) -> None:
    statement, editor, reviewer, _ = people
    sid = statement.id
    rosa, ben = signed_in(reviewer), signed_in(editor)
    made = _suggest(rosa, sid, TEXT.replace("Partners", "Our partners"))
    save_text(ben, sid, TEXT.replace("Partners", "Allies"))  # its word is gone, unread since
    refused = ben.post(f"/api/statements/{sid}/suggestions/{made}/reject")
    assert (refused.status_code, refused.json()["detail"]) == (
        409,
        "This suggestion is outdated, no longer open.",
    )
