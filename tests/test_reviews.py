"""Review rounds through the API: open on a version, stances kept, the rule's verdict."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.user import User
from tests.factories import add_member, make_statement, make_user


def test_round_records_stances_and_approves_by_consent(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    fatima = make_user(session, name="Fatima", organisation="Workshop")
    ben = make_user(session, name="Ben", organisation="Wikimedia UK")
    rosa = make_user(session, name="Rosa", organisation="Creative Commons")
    vera = make_user(session, name="Vera", organisation="Europeana")
    statement = make_statement(session, settings, facilitator=fatima, text="We agree.")
    add_member(session, statement, ben, Role.editor)
    add_member(session, statement, rosa, Role.reviewer)
    add_member(session, statement, vera, Role.viewer)
    me, editor, reviewer = signed_in(fatima), signed_in(ben), signed_in(rosa)
    sid = statement.id
    me.post(f"/api/statements/{sid}/versions", json={"name": "Final draft"})

    assert editor.post(f"/api/statements/{sid}/rounds", json={"version": 1}).status_code == 403
    opened = me.post(
        f"/api/statements/{sid}/rounds", json={"version": 1, "closes_on": "2999-12-31"}
    )
    assert opened.status_code == 201, opened.text
    review = opened.json()
    rid = review["id"]
    assert [p["name"] for p in review["participants"]] == ["Rosa", "Ben", "Fatima"]
    assert review["tally"]["missing"] == ["waiting for Rosa, Ben and Fatima"]
    assert me.get(f"/api/statements/{sid}").json()["state"] == "review"
    again = me.post(f"/api/statements/{sid}/rounds", json={"version": 1})
    assert again.status_code == 409
    # A version number past any the database keeps is invalid, not a server error.
    assert me.post(f"/api/statements/{sid}/rounds", json={"version": 2**63}).status_code == 422

    url = f"/api/statements/{sid}/rounds/{rid}/stances"
    unexplained = reviewer.post(url, json={"kind": "block"})
    assert unexplained.status_code == 422
    assert "reason" in unexplained.json()["detail"]
    reviewer.post(
        url, json={"kind": "block", "reason": "Say whose knowledge.", "start": 3, "end": 8}
    )
    editor.post(url, json={"kind": "approve"})
    now = me.post(url, json={"kind": "abstain"}).json()
    assert not now["tally"]["holds"]
    assert now["tally"]["missing"] == ["blocked by Rosa"]
    # Rosa changes her mind late; her block stays on record, superseded.
    changed = reviewer.post(url, json={"kind": "approve"}).json()
    assert changed["tally"]["holds"]
    rosa_stances = [s for s in changed["stances"] if s["name"] == "Rosa"]
    assert [s["kind"] for s in rosa_stances] == ["block", "approve"]
    assert rosa_stances[0]["superseded_at"] is not None
    assert rosa_stances[0]["reason"] == "Say whose knowledge."
    assert signed_in(vera).post(url, json={"kind": "approve"}).status_code == 403

    assert editor.post(f"/api/statements/{sid}/rounds/{rid}/close").status_code == 403
    closed = me.post(f"/api/statements/{sid}/rounds/{rid}/close").json()
    assert closed["approved"] is True
    assert me.get(f"/api/statements/{sid}").json()["state"] == "approved"
    assert reviewer.post(url, json={"kind": "block", "reason": "Too late"}).status_code == 409
    assert me.post(f"/api/statements/{sid}/rounds/{rid}/close").status_code == 409
    events = [e["kind"] for e in me.get(f"/api/statements/{sid}/audit").json()["data"]]
    assert events[:2] == ["round.closed", "stance.recorded"]
    assert "round.opened" in events


def test_round_not_approved_returns_to_drafting(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    fatima = make_user(session, name="Fatima")
    ben = make_user(session, name="Ben")
    statement = make_statement(session, settings, facilitator=fatima, text="We agree.")
    add_member(session, statement, ben, Role.editor)
    me = signed_in(fatima)
    sid = statement.id
    me.patch(f"/api/statements/{sid}", json={"approval_rule": "unanimous"})
    me.post(f"/api/statements/{sid}/versions", json={"name": "Draft"})
    rid = me.post(f"/api/statements/{sid}/rounds", json={"version": 1}).json()["id"]
    me.post(f"/api/statements/{sid}/rounds/{rid}/stances", json={"kind": "approve"})
    closed = me.post(f"/api/statements/{sid}/rounds/{rid}/close").json()
    assert closed["approved"] is False
    assert closed["tally"]["rule"] == "unanimous"
    assert me.get(f"/api/statements/{sid}").json()["state"] == "drafting"
    assert me.post(f"/api/statements/{sid}/rounds", json={"version": 9}).status_code == 404
    bad_passage = me.post(f"/api/statements/{sid}/rounds", json={"version": 1})
    rid2 = bad_passage.json()["id"]
    far = me.post(
        f"/api/statements/{sid}/rounds/{rid2}/stances",
        json={"kind": "request_changes", "reason": "x", "start": 0, "end": 500},
    )
    assert far.status_code == 422
    listed = me.get(f"/api/statements/{sid}/rounds").json()
    assert [r["id"] for r in listed["data"]] == [rid2, rid]


def test_round_closes_itself_after_its_closing_date(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    fatima = make_user(session, name="Fatima")
    statement = make_statement(session, settings, facilitator=fatima, text="We agree.")
    me = signed_in(fatima)
    sid = statement.id
    me.post(f"/api/statements/{sid}/versions", json={"name": "Final"})
    # A round that should have closed on the workshop's last day, long ago.
    opened = me.post(
        f"/api/statements/{sid}/rounds", json={"version": 1, "closes_on": "2017-12-15"}
    )
    rid = opened.json()["id"]
    assert opened.json()["closed_at"] is None

    late = me.post(f"/api/statements/{sid}/rounds/{rid}/stances", json={"kind": "approve"})

    assert late.status_code == 409  # closed when first looked at after the date
    closed = me.get(f"/api/statements/{sid}/rounds/{rid}").json()
    assert closed["closed_at"] is not None
    assert closed["approved"] is False  # nobody had responded
    events = me.get(f"/api/statements/{sid}/audit").json()["data"]
    assert events[0]["kind"] == "round.closed"
    assert events[0]["actor"] is None
