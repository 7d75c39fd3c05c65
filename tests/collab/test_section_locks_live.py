"""A locked section in the live core: typing in it is refused with `section_locked`, typing
around it goes in, whole-text saves and acceptances that would change it get 409, and a room
opened later knows the lock too."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from tests.collab.sockets import Connect, browser_headers, receive
from tests.factories import add_member, make_statement, make_user

TEXT = "We agree.\n\n## Trust\nWe trust each other.\n\n## Resources\nMoney.\n"
INSIDE = TEXT.index("each")
BEFORE_NEXT = TEXT.index("## Resources")


def _op(text: str, place: int, insert: str) -> list[Any]:
    return [place, insert, len(text) - place]


def test_typing_in_a_locked_section_is_refused_and_around_it_accepted(
    connect: Connect, client: TestClient, session: Session, settings: Settings
) -> None:
    fatima, ben = make_user(session, name="Fatima"), make_user(session, name="Ben")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    add_member(session, statement, ben, Role.editor)
    base = f"/api/statements/{statement.id}"
    as_fatima = browser_headers(session, settings, fatima)
    with connect(ben, statement) as (socket, hello):
        rev = hello["rev"]
        locked = client.post(f"{base}/sections/trust/lock", headers=as_fatima)
        assert locked.status_code == 200, locked.text
        assert locked.json()["locked"] is True
        assert locked.json()["state"] == "locked"
        assert receive(socket, "event") == {
            "type": "event",
            "name": "section.locked",
            "section": "trust",
        }
        socket.send_json({"type": "op", "base_rev": rev, "seq": 1, "op": _op(TEXT, INSIDE, "all ")})
        refused = receive(socket, "error")
        assert (refused["code"], refused["seq"]) == ("section_locked", 1)
        # A new section typed right before the next heading is not the locked one's.
        new = "## Culture\nPeople first.\n\n"
        socket.send_json(
            {"type": "op", "base_rev": rev, "seq": 2, "op": _op(TEXT, BEFORE_NEXT, new)}
        )
        assert receive(socket, "ack")["rev"] == rev + 1
        expected = TEXT.replace("## Resources", new + "## Resources")

        saved = client.post(
            f"{base}/text",
            json={"base_rev": rev + 1, "text": expected.replace("each other", "everyone")},
            headers=as_fatima,
        )
        assert saved.status_code == 409
        assert "locked" in saved.json()["detail"]
        fine = client.post(
            f"{base}/text",
            json={"base_rev": rev + 1, "text": expected.replace("Money.", "Money and time.")},
            headers=as_fatima,
        )
        assert fine.status_code == 200, fine.text
        expected = expected.replace("Money.", "Money and time.")
    # The room closed with the socket; the next one to open knows the lock all the same.
    with connect(ben, statement) as (socket, hello):
        socket.send_json(
            {"type": "op", "base_rev": hello["rev"], "seq": 3, "op": _op(expected, INSIDE, "all ")}
        )
        assert receive(socket, "error")["code"] == "section_locked"
        unlocked = client.post(f"{base}/sections/trust/unlock", headers=as_fatima)
        assert unlocked.status_code == 200
        assert unlocked.json()["locked"] is False
        assert receive(socket, "event")["name"] == "section.unlocked"
        socket.send_json(
            {"type": "op", "base_rev": hello["rev"], "seq": 4, "op": _op(expected, INSIDE, "all ")}
        )
        receive(socket, "ack")
    text = client.get(f"{base}/text", headers=as_fatima).json()["text"]
    assert text == expected.replace("each other", "all each other")


def test_a_suggestion_on_a_locked_section_is_made_but_not_accepted_until_unlocked(
    client: TestClient, session: Session, settings: Settings
) -> None:
    fatima = make_user(session, name="Fatima")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    base = f"/api/statements/{statement.id}"
    headers = browser_headers(session, settings, fatima)
    client.post(f"{base}/sections/trust/lock", headers=headers).raise_for_status()
    made = client.post(
        f"{base}/suggestions",
        json={"base_rev": 1, "text": TEXT.replace("each other.", "each other deeply.")},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    accepted = client.post(f"{base}/suggestions/{sid}/accept", headers=headers)
    assert accepted.status_code == 409
    assert "locked" in accepted.json()["detail"]
    listed = client.get(f"{base}/suggestions", headers=headers).json()["data"]
    assert [(s["id"], s["status"]) for s in listed] == [(sid, "open")]
    client.post(f"{base}/sections/trust/unlock", headers=headers).raise_for_status()
    accepted = client.post(f"{base}/suggestions/{sid}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.text
    text = client.get(f"{base}/text", headers=headers).json()["text"]
    assert "We trust each other deeply." in text
