"""Comparing versions, revisions and the live draft through the API."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.user import User
from tests.factories import add_member, make_statement, make_user

TRUST = "Partnerships rest on trust: clear expectations and honest communication."
FIRST = f"{TRUST}\n\nWe agree.\n\nPartners need to know whom to talk to.\n"
SECOND = f"We all agree.\n\nPartners need to know whom to talk to.\n\n{TRUST}\n"


def test_compare_versions_and_live_with_their_writers(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    alice = make_user(session, name="Alice")
    ben = make_user(session, name="Ben")
    statement = make_statement(session, settings, facilitator=alice, text=FIRST)
    add_member(session, statement, ben, Role.editor)
    me, editor = signed_in(alice), signed_in(ben)
    sid = statement.id
    me.post(f"/api/statements/{sid}/versions", json={"name": "Day one"})
    saved = editor.post(f"/api/statements/{sid}/text", json={"base_rev": 1, "text": SECOND})
    assert saved.status_code == 200
    me.post(f"/api/statements/{sid}/versions", json={"name": "Day two <b>"})

    diff = me.get(f"/api/statements/{sid}/diff", params={"from": "1", "to": "2"}).json()

    assert diff["old_name"] == "Version 1: Day one"
    assert diff["new_name"] == "Version 2: Day two <b>"
    assert diff["counts"]["paragraphs_moved"] >= 1
    assert diff["counts"]["words_added"] == 1  # "all"
    kinds = {segment["kind"] for segment in diff["segments"]}
    assert {"move_from", "move_to"} <= kinds
    inserted = [s for s in diff["segments"] if s["kind"] == "insert"]
    assert any("all" in s["text"] and s["authors"] == [ben.id] for s in inserted)
    assert "<ins" in diff["html"]
    assert diff["unified"].startswith("--- Version 1: Day one\n+++ Version 2: Day two <b>\n")
    assert diff["rows"]

    live = me.get(f"/api/statements/{sid}/diff", params={"from": "1"}).json()
    assert live["new_name"] == "Live draft (revision 2)"
    by_revision = me.get(f"/api/statements/{sid}/diff", params={"from": "r1", "to": "r2"}).json()
    assert by_revision["segments"] == diff["segments"]
    same = me.get(f"/api/statements/{sid}/diff", params={"from": "2", "to": "live"}).json()
    assert {s["kind"] for s in same["segments"]} == {"equal"}


def test_compare_refuses_what_names_no_text(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    alice = make_user(session)
    statement = make_statement(session, settings, facilitator=alice, text="We agree.")
    me = signed_in(alice)
    url = f"/api/statements/{statement.id}/diff"
    for params, status in [
        ({"from": "7"}, 404),  # no such version
        ({"from": "r9"}, 404),  # no such revision
        ({"from": "yesterday"}, 422),
        ({"from": "1; DROP TABLE"}, 422),
        ({}, 422),
    ]:
        response = me.get(url, params=params)
        assert response.status_code == status, (params, response.text)
        assert isinstance(response.json()["detail"], str)
