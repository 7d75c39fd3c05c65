"""Versions: frozen texts, numbered and named, never changed; restoring one into the draft."""

import hashlib
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.user import User
from tests.factories import add_member, make_statement, make_user, save_text


def test_versions_numbered_named_and_frozen(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    alice = make_user(session, name="Alice")
    statement = make_statement(session, settings, facilitator=alice, text="We agree.")
    me = signed_in(alice)
    url = f"/api/statements/{statement.id}/versions"

    first = me.post(url, json={"name": "Draft 1, day one", "note": "  After the morning.  "})
    assert first.status_code == 201, first.text
    assert first.json()["number"] == 1
    assert first.json()["note"] == "After the morning."
    assert first.json()["text"] == "We agree."
    assert first.json()["content_hash"] == hashlib.sha256(b"We agree.").hexdigest()
    assert first.json()["created_by"] == {"id": alice.id, "name": "Alice"}
    save_text(me, statement.id, "We all agree. 🌍")
    second = me.post(url, json={"name": "Draft 2, after day 2"}).json()
    earlier = me.post(url, json={"name": "As it began", "rev": 1}).json()

    assert (second["number"], second["rev"], second["text"]) == (2, 2, "We all agree. 🌍")
    assert (earlier["number"], earlier["rev"], earlier["text"]) == (3, 1, "We agree.")
    listed = me.get(url).json()
    assert [v["name"] for v in listed["data"]] == [
        "As it began",
        "Draft 2, after day 2",
        "Draft 1, day one",
    ]
    assert listed["data"][1]["characters"] == len("We all agree. 🌍")
    assert "text" not in listed["data"][0]
    # Later editing leaves the versions as they were.
    save_text(me, statement.id, "Something else entirely.")
    assert me.get(f"{url}/2").json()["text"] == "We all agree. 🌍"
    assert me.get(f"{url}/9").status_code == 404


def test_bad_version_requests_refused(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    alice = make_user(session)
    statement = make_statement(session, settings, facilitator=alice, text="We agree.")
    me = signed_in(alice)
    url = f"/api/statements/{statement.id}/versions"
    for body, status in [
        ({"name": "   "}, 422),
        ({"name": "x" * 201}, 422),
        ({"name": "Draft", "rev": 5}, 404),
        ({"name": "Draft", "rev": -1}, 422),
        ({"name": "Draft", "rev": 2**63}, 422),  # past any revision the database keeps
        ({"name": "Draft", "number": 7}, 422),
    ]:
        response = me.post(url, json=body)
        assert response.status_code == status, (body, response.text)
        assert isinstance(response.json()["detail"], str)
    assert me.get(url).json() == {"data": [], "count": 0}


def test_no_route_changes_a_version(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for path, operations in paths.items():
        if "/versions" in path:
            assert set(operations) <= {"get", "post"}, path
            if "post" in operations:
                assert path.endswith(("/versions", "/restore")), path


def test_restore_brings_the_text_back_as_a_new_change(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    alice = make_user(session, name="Alice")
    ben = make_user(session, name="Ben")
    statement = make_statement(session, settings, facilitator=alice, text="We agree.")
    add_member(session, statement, ben, Role.editor)
    me, editor = signed_in(alice), signed_in(ben)
    sid = statement.id
    me.post(f"/api/statements/{sid}/versions", json={"name": "Draft 1"})
    save_text(editor, sid, "We do not agree at all.")

    restored = editor.post(f"/api/statements/{sid}/versions/1/restore")

    assert restored.status_code == 200, restored.text
    assert restored.json() == {"rev": 3}
    assert me.get(f"/api/statements/{sid}/text").json() == {"rev": 3, "text": "We agree."}
    # History is never rewritten: the text before the restore is still there.
    before = me.get(f"/api/statements/{sid}/text", params={"rev": 2}).json()
    assert before["text"] == "We do not agree at all."
    sessions = me.get(f"/api/statements/{sid}/history").json()["data"]
    assert sessions[0]["last_rev"] == 3
    assert "Ben" in [a["name"] for a in sessions[0]["authors"]]
    audit = me.get(f"/api/statements/{sid}/audit").json()["data"]
    assert [e["kind"] for e in audit[:2]] == ["version.restored", "version.saved"]
    assert audit[0]["data"] == {"number": 1, "rev": 3}
    # Restoring what the draft already says changes nothing.
    assert editor.post(f"/api/statements/{sid}/versions/1/restore").json() == {"rev": 3}
    assert editor.post(f"/api/statements/{sid}/versions/5/restore").status_code == 404
