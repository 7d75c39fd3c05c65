"""Reminders while someone has not responded, invitations by email, the bell's live count, and
a server without email."""

from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from app.config import Settings
from app.main import create_app
from app.models.review import ReviewRound
from app.models.statement import Statement
from app.services import notifications, reminders
from tests.factories import client_for
from tests.mail.conftest import eventually
from tests.notifications.conftest import Clients, Group, outbox, told


def _round(client: TestClient, sid: int, closes_on: str) -> int:
    client.post(f"/api/statements/{sid}/versions", json={"name": "Draft 1"})
    made = client.post(f"/api/statements/{sid}/rounds", json={"version": 1, "closes_on": closes_on})
    assert made.status_code == 201, made.text
    round_id: int = made.json()["id"]
    return round_id


def test_those_who_have_not_responded_are_reminded_the_day_the_round_closes_once(
    signed_in: Clients, group: Group, engine: Engine
) -> None:
    fatima, ben, rosa = signed_in(group.fatima), signed_in(group.ben), signed_in(group.rosa)
    rid = _round(fatima, group.sid, "2999-01-10")
    ben.post(f"/api/statements/{group.sid}/rounds/{rid}/stances", json={"kind": "approve"})
    # The chore runs apart from any request: it reaches people as its server was told to.
    notifications.configure(engine, site="https://accord.example.org", mail=True)

    reminders.closing_soon(engine, datetime(2999, 1, 9, 23, 59, tzinfo=UTC))
    assert [n["kind"] for n in told(rosa)] == ["round_opened"]
    reminders.closing_soon(engine, datetime(2999, 1, 10, 0, 0, tzinfo=UTC))
    reminders.closing_soon(engine, datetime(2999, 1, 10, 12, 0, tzinfo=UTC))
    assert [n["kind"] for n in told(rosa)] == ["round_reminder", "round_opened"]
    assert told(rosa)[0]["title"] == "Your stance on version 1 is awaited"
    assert [n["kind"] for n in told(ben)] == ["round_opened"]  # he responded
    assert [n["kind"] for n in told(fatima)] == ["round_reminder"]  # she has not, yet
    assert [n["kind"] for n in told(signed_in(group.vera))] == []  # a viewer has no say
    reminder = outbox(engine, group.rosa.email)[-1]
    assert reminder.subject == "Statement on Partnerships: Your stance on version 1 is awaited"
    assert f"https://accord.example.org/statements/{group.sid}/versions/1" in reminder.text_body


def test_the_facilitator_reminds_at_most_once_a_day(
    signed_in: Clients, group: Group, session: Session
) -> None:
    fatima = signed_in(group.fatima)
    rid = _round(fatima, group.sid, "2999-01-10")
    review = session.get(ReviewRound, rid)
    statement = session.get(Statement, group.sid)
    assert review is not None
    assert statement is not None

    def remind(day: date) -> reminders.Reminded:
        done = reminders.remind(
            session=session, review=review, statement=statement, actor=group.fatima, today=day
        )
        session.commit()
        return done

    first = remind(date(2999, 1, 5))
    assert sorted(first.reminded) == sorted([group.ben.id, group.rosa.id])
    again = remind(date(2999, 1, 5))
    assert (again.reminded, sorted(again.already)) == ([], sorted([group.ben.id, group.rosa.id]))
    assert sorted(remind(date(2999, 1, 6)).reminded) == sorted([group.ben.id, group.rosa.id])
    assert set(reminders.last_reminded(session, review)) == {group.ben.id, group.rosa.id}


def test_an_invitation_goes_by_email(signed_in: Clients, group: Group, engine: Engine) -> None:
    fatima = signed_in(group.fatima)
    path = f"/api/statements/{group.sid}/invitations"
    made = fatima.post(path, json={"role": "reviewer", "email": " Lodewijk@Example.ORG "})
    assert made.status_code == 201, made.text
    assert made.json()["emailed_to"] == "lodewijk@example.org"
    [mail] = outbox(engine, "lodewijk@example.org")
    assert mail.subject == "Fatima invites you to “Statement on Partnerships” as reviewer"
    assert made.json()["url"] in mail.text_body
    assert made.json()["url"] in mail.html_body
    assert mail.unsubscribe_url == ""  # no account, so nothing to unsubscribe from

    # Someone with an account is also told in the app.
    known = fatima.post(path, json={"role": "editor", "email": group.vera.email})
    assert known.status_code == 201
    assert known.json()["emailed_to"] == group.vera.email
    [note] = told(signed_in(group.vera))
    assert note["kind"] == "invitation"
    assert note["path"] == f"/invite/{known.json()['token']}"

    before = len(fatima.get(path).json()["data"])
    for bad in ("not an address", "a@b", "x" * 400 + "@example.org"):
        refused = fatima.post(path, json={"role": "reviewer", "email": bad})
        assert refused.status_code == 422
        assert refused.json()["detail"]
    assert len(fatima.get(path).json()["data"]) == before
    assert fatima.post(path, json={"role": "reviewer"}).json()["emailed_to"] is None


def test_the_bell_socket_counts_unread_live(signed_in: Clients, group: Group) -> None:
    ben, rosa = signed_in(group.ben), signed_in(group.rosa)
    with ben.websocket_connect("/ws/notifications") as socket:
        assert socket.receive_json() == {"type": "unread", "count": 0}
        rosa.post(
            f"/api/statements/{group.sid}/threads",
            json={"start": 2, "end": 14, "rev": 1, "body": "@Ben Smith, look"},
        )
        assert socket.receive_json() == {"type": "unread", "count": 1}
        ben.post("/api/notifications/read", json={"all": True})
        assert socket.receive_json() == {"type": "unread", "count": 0}


def test_the_bell_socket_wants_a_signed_in_person_from_this_site(
    signed_in: Clients, group: Group, client: TestClient
) -> None:
    with client.websocket_connect("/ws/notifications") as socket:
        closed = socket.receive()
        assert closed["type"] == "websocket.close"
        assert closed["code"] == 4401
    ben = signed_in(group.ben)
    ben.headers["Origin"] = "https://elsewhere.example"
    with pytest.raises(WebSocketDisconnect) as refused:
        ben.websocket_connect("/ws/notifications").__enter__()
    assert refused.value.code == 1008


def test_signing_out_closes_the_bell(signed_in: Clients, group: Group) -> None:
    ben = signed_in(group.ben)
    with ben.websocket_connect("/ws/notifications") as socket:
        assert socket.receive_json() == {"type": "unread", "count": 0}
        assert ben.delete("/api/session").status_code == 204
        closed = socket.receive()  # within seconds of the session's end
        assert closed["type"] == "websocket.close"
        assert closed["code"] == 4401


def test_marks_read_on_another_worker_reach_the_bell(
    signed_in: Clients, group: Group, settings: Settings, session: Session, app: FastAPI
) -> None:
    ben, rosa = signed_in(group.ben), signed_in(group.rosa)
    rosa.post(
        f"/api/statements/{group.sid}/threads",
        json={"start": 2, "end": 14, "rev": 1, "body": "@Ben Smith, look"},
    )
    [mention] = told(ben)
    # This worker's bell has seen the mention: what it sees next is the mark alone.
    eventually(lambda: app.state.bell.seen[0] >= mention["id"], "the bell to see the mention")
    other = create_app(settings)  # a second worker on the same database
    with TestClient(other, base_url="http://testserver") as started:
        assert started.get("/api/health").status_code == 200
        elsewhere = client_for(other, session, settings, group.ben)
        with ben.websocket_connect("/ws/notifications") as socket:
            assert socket.receive_json() == {"type": "unread", "count": 1}
            assert elsewhere.post("/api/notifications/read", json={"all": True}).json() == {
                "count": 0
            }
            assert socket.receive_json() == {"type": "unread", "count": 0}
