"""A review round's full record through the API, kept whole after the round closes."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.user import User
from tests.factories import add_member, make_statement, make_user


def test_read_round_record_after_closing_and_publishing(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    fatima = make_user(session, name="Fatima", organisation="Workshop")
    rosa = make_user(session, name="Rosa", organisation="Creative Commons")
    vera = make_user(session, name="Vera", organisation="Europeana")
    statement = make_statement(session, settings, facilitator=fatima, text="We all agree.")
    add_member(session, statement, rosa, Role.reviewer)
    add_member(session, statement, vera, Role.viewer)
    me, reviewer, viewer = signed_in(fatima), signed_in(rosa), signed_in(vera)
    base = f"/api/statements/{statement.id}"
    me.post(f"{base}/versions", json={"name": "Final"})
    rid = me.post(f"{base}/rounds", json={"version": 1}).json()["id"]
    stances = f"{base}/rounds/{rid}/stances"
    reviewer.post(stances, json={"kind": "block", "reason": "Who is all?", "start": 3, "end": 6})
    reviewer.post(stances, json={"kind": "approve", "reason": "Fine now."})
    me.post(stances, json={"kind": "approve"})
    assert me.post(f"{base}/rounds/{rid}/close").status_code == 200
    assert viewer.get(f"{base}/rounds/{rid}").json()["published"] is False
    assert me.post(f"{base}/publications", json={"version": 1}).status_code == 201

    answer = viewer.get(f"{base}/rounds/{rid}")
    assert answer.status_code == 200
    record = answer.json()
    assert record["closed_at"] is not None
    assert record["approved"] is True
    assert record["published"] is True
    assert {(p["name"], p["organisation"], p["stance"]) for p in record["participants"]} == {
        ("Fatima", "Workshop", "approve"),
        ("Rosa", "Creative Commons", "approve"),
    }
    assert record["tally"]["holds"] is True
    kept = [
        (s["name"], s["kind"], s["reason"], s["start"], s["end"], s["superseded_at"] is None)
        for s in record["stances"]
    ]
    assert kept == [
        ("Rosa", "block", "Who is all?", 3, 6, False),
        ("Rosa", "approve", "Fine now.", None, None, True),
        ("Fatima", "approve", "", None, None, True),
    ]
    assert viewer.get(f"{base}/rounds/{rid + 1000}").status_code == 404
