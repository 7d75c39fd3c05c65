"""Accepting suggestions over the API: applied as their author's words, one decision only,
never onto text they were not made on; in bulk; by whom the statement says; and made again."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col

from app.collab import log
from app.config import Settings
from app.models.base import utcnow
from app.models.membership import Role
from app.models.operation import Operation
from app.models.statement import Statement
from app.models.suggestion import Suggestion, SuggestionStatus
from app.models.user import User
from app.services.suggestions import SAVE_AFTER, acceptance_client
from tests.factories import add_member, make_statement, make_user, save_text

TEXT = "We value free knowledge. Partners need support."
World = tuple[Statement, TestClient, TestClient, TestClient]


@pytest.fixture
def world(session: Session, settings: Settings, signed_in: Callable[[User], TestClient]) -> World:
    """A statement, its facilitator Fatima, an editor Ben and a reviewer Rosa."""
    fatima = make_user(session, name="Fatima")
    ben = make_user(session, name="Ben")
    rosa = make_user(session, name="Rosa")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    add_member(session, statement, ben, Role.editor)
    add_member(session, statement, rosa, Role.reviewer)
    return statement, signed_in(fatima), signed_in(ben), signed_in(rosa)


def _suggest(client: TestClient, sid: int, text: str, base_rev: int = 1) -> dict[str, object]:
    made = client.post(
        f"/api/statements/{sid}/suggestions", json={"base_rev": base_rev, "text": text}
    )
    assert made.status_code == 201, made.text
    found: dict[str, object] = made.json()
    return found


def _text(client: TestClient, sid: int) -> str:
    found: str = client.get(f"/api/statements/{sid}/text").json()["text"]
    return found


def test_an_accepted_suggestion_is_applied_as_its_authors_words(world: World) -> None:
    statement, _, ben, rosa = world
    sid = statement.id
    made = _suggest(rosa, sid, TEXT.replace("need support", "need our support"))
    save_text(ben, sid, "Together: " + TEXT)  # before it: it moves, and still applies

    accepted = ben.post(f"/api/statements/{sid}/suggestions/{made['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert (body["status"], body["rev"], body["applied_rev"]) == ("accepted", 3, 3)
    assert (body["author"]["name"], body["decided_by"]["name"]) == ("Rosa", "Ben")
    text = _text(ben, sid)
    assert text == "Together: " + TEXT.replace("need support", "need our support")
    assert text[body["start"] : body["end"]] == body["insert"]

    # The words are Rosa's; Ben accepted them.
    authorship = ben.get(f"/api/statements/{sid}/authorship").json()
    writers = {w["id"]: w["name"] for w in authorship["writers"]}
    position, named = 0, []
    for length, writer in authorship["runs"]:
        if position <= text.index("our ") < position + length:
            named.append(writers[writer])
        position += length
    assert named == ["Rosa"]
    [words] = authorship["accepted"]
    assert (words["suggestion"], words["accepted_by"]) == (made["id"], "Ben")
    assert text[words["start"] : words["end"]] == "our "
    # Typed on afterwards, the accepted words are found where they went.
    save_text(ben, sid, "Now. " + text)
    later = ben.get(f"/api/statements/{sid}/authorship").json()["accepted"][0]
    assert ("Now. " + text)[later["start"] : later["end"]] == "our "
    audit = ben.get(f"/api/statements/{sid}/audit").json()["data"]
    event = next(e for e in audit if e["kind"] == "suggestion.accepted")
    assert (event["actor"], event["data"]["rev"]) == ("Ben", 3)

    again = ben.post(f"/api/statements/{sid}/suggestions/{made['id']}/accept")
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "This suggestion is accepted, not open.",
    )
    assert _text(ben, sid) == "Now. " + text


def test_a_suggestion_whose_words_changed_is_not_accepted(world: World) -> None:
    statement, _, ben, rosa = world
    sid = statement.id
    made = _suggest(rosa, sid, TEXT.replace("free knowledge", "open knowledge"))
    changed = TEXT.replace("free", "fee")  # one of its characters gone
    save_text(ben, sid, changed)
    refused = ben.post(f"/api/statements/{sid}/suggestions/{made['id']}/accept")
    assert refused.status_code == 409
    assert _text(ben, sid) == changed
    listed = ben.get(f"/api/statements/{sid}/suggestions").json()["data"]
    # It keeps what it was made on, and shows what its characters read now.
    assert (listed[0]["status"], listed[0]["delete"], listed[0]["now"]) == (
        "outdated",
        "free",
        "fee",
    )
    save_text(ben, sid, "So: " + changed)  # and it follows the text while outdated
    listed = ben.get(f"/api/statements/{sid}/suggestions").json()["data"]
    assert listed[0]["now"] == "fee"
    changed = "So: " + changed

    # Made again on the text as it is now, it is open once more, and can be accepted.
    remade = rosa.put(
        f"/api/statements/{sid}/suggestions/{made['id']}",
        json={"base_rev": 3, "text": changed.replace("fee", "open")},
    )
    assert remade.status_code == 200, remade.text
    assert (remade.json()["status"], remade.json()["delete"]) == ("open", "fee")
    assert ben.post(f"/api/statements/{sid}/suggestions/{made['id']}/accept").status_code == 200
    assert _text(ben, sid) == "So: " + TEXT.replace("free", "open")


def test_typing_extends_ones_own_suggestion_and_only_its_author_may(world: World) -> None:
    statement, fatima, ben, rosa = world
    sid = statement.id
    at = TEXT.index("support")
    made = rosa.post(
        f"/api/statements/{sid}/suggestions",
        json={"base_rev": 1, "op": [at, "m", len(TEXT) - at], "reason": "Warmer."},
    ).json()
    path = f"/api/statements/{sid}/suggestions/{made['id']}"
    longer = rosa.put(path, json={"base_rev": 1, "op": [at, "more ", len(TEXT) - at]})
    assert longer.status_code == 200, longer.text
    assert (longer.json()["insert"], longer.json()["reason"]) == ("more ", "Warmer.")
    assert [s["id"] for s in rosa.get(f"/api/statements/{sid}/suggestions").json()["data"]] == [
        made["id"]
    ]
    assert ben.put(path, json={"base_rev": 1, "op": [at, "x", len(TEXT) - at]}).status_code == 403
    bad = rosa.put(path, json={"base_rev": 1, "op": ["x", 1, "y", len(TEXT) - 1]})
    assert bad.status_code == 422
    assert rosa.get(f"/api/statements/{sid}/suggestions").json()["data"][0]["insert"] == "more "
    assert fatima.post(f"{path}/reject").status_code == 200
    assert rosa.put(path, json={"base_rev": 1, "op": [at, "x", len(TEXT) - at]}).status_code == 409


def test_bulk_accept_applies_each_in_turn_and_says_why_not(world: World) -> None:
    statement, _, ben, rosa = world
    sid = statement.id
    first = _suggest(rosa, sid, TEXT.replace("We value", "We all value"))
    second = _suggest(rosa, sid, TEXT.replace("support", "help"))
    clashing = _suggest(rosa, sid, TEXT.replace(" support", ""))  # the same word
    done = ben.post(
        f"/api/statements/{sid}/suggestions/accept",
        json={"ids": [first["id"], second["id"], clashing["id"], 999_999]},
    )
    assert done.status_code == 200, done.text
    outcomes = {o["id"]: o for o in done.json()["data"]}
    assert outcomes[first["id"]]["status"] == "accepted"
    assert outcomes[second["id"]]["status"] == "accepted"
    assert outcomes[clashing["id"]]["status"] == "outdated"
    assert "changed" in outcomes[clashing["id"]]["detail"]
    assert outcomes[999_999]["status"] is None
    assert _text(ben, sid) == "We all value free knowledge. Partners need help."
    for ids in ([], [2**63], [0]):
        refused = ben.post(f"/api/statements/{sid}/suggestions/accept", json={"ids": ids})
        assert refused.status_code == 422, refused.text


def test_where_only_facilitators_decide_editors_may_not(world: World) -> None:
    statement, fatima, ben, rosa = world
    sid = statement.id
    setting = {"suggestions_decided_by": "facilitators"}
    assert ben.patch(f"/api/statements/{sid}", json=setting).status_code == 403
    changed = fatima.patch(f"/api/statements/{sid}", json=setting)
    assert (changed.status_code, changed.json()["suggestions_decided_by"]) == (200, "facilitators")
    bad = fatima.patch(f"/api/statements/{sid}", json={"suggestions_decided_by": "anyone"})
    assert bad.status_code == 422
    made = _suggest(rosa, sid, TEXT.replace("We value", "We all value"))
    path = f"/api/statements/{sid}/suggestions/{made['id']}"
    for verb in ("accept", "reject"):
        refused = ben.post(f"{path}/{verb}")
        assert refused.status_code == 403
        assert "only facilitators" in refused.json()["detail"]
    assert (
        ben.post(f"/api/statements/{sid}/suggestions/accept", json={"ids": [1]}).status_code == 403
    )
    assert fatima.post(f"{path}/accept").status_code == 200


def test_an_interrupted_acceptance_is_settled_by_the_log(world: World, session: Session) -> None:
    """A worker stopped between claiming a suggestion and hearing from the room: if its change
    is in the log the suggestion is accepted, otherwise it is open again after a while."""
    statement, _, ben, rosa = world
    sid = statement.id
    landed = _suggest(rosa, sid, TEXT.replace("We value", "We all value"))
    lost = _suggest(rosa, sid, TEXT.replace("need support", "need our support"))
    long_ago = utcnow() - timedelta(hours=1)
    session.exec(
        update(Suggestion)
        .where(col(Suggestion.id).in_([landed["id"], lost["id"]]))
        .values(status=SuggestionStatus.accepting, decided_at=long_ago)
    )
    session.commit()
    # The landed one's change, as the room would have logged it.
    response = ben.post(
        f"/api/statements/{sid}/text",
        json={"base_rev": 1, "text": TEXT.replace("We value", "We all value")},
    )
    assert response.status_code == 200
    session.exec(
        update(Operation)  # the log names the change by the acceptance's client id
        .where(col(Operation.statement_id) == sid, col(Operation.rev) == 2)
        .values(client_id=acceptance_client(int(str(landed["id"]))))
    )
    session.commit()
    listed = {s["id"]: s for s in ben.get(f"/api/statements/{sid}/suggestions").json()["data"]}
    assert (listed[landed["id"]]["status"], listed[landed["id"]]["applied_rev"]) == ("accepted", 2)
    assert listed[lost["id"]]["status"] == "open"
    assert ben.post(f"/api/statements/{sid}/suggestions/{lost['id']}/accept").status_code == 200


def test_a_listed_suggestion_stands_right_however_far_the_text_moved(
    world: World, session: Session
) -> None:
    """Listing carries suggestions without saving each move; far enough behind they are saved
    where they stand. Either way the list shows them on their own words."""
    statement, _, ben, rosa = world
    sid = statement.id
    made = _suggest(rosa, sid, TEXT.replace("Partners", "Our partners"))
    text = TEXT
    for rev in range(2, 2 + SAVE_AFTER + 50):
        log.add(session=session, statement_id=sid, rev=rev, op=["a", len(text)], author_id=None)
        text = "a" + text
        if rev in (3, SAVE_AFTER + 20):
            session.commit()
            [listed] = ben.get(f"/api/statements/{sid}/suggestions").json()["data"]
            assert text[listed["start"] : listed["end"]] == listed["delete"] == "P"
    session.commit()
    [listed] = ben.get(f"/api/statements/{sid}/suggestions").json()["data"]
    assert (listed["id"], listed["rev"]) == (made["id"], SAVE_AFTER + 51)
    assert text[listed["start"] : listed["end"]] == listed["delete"] == "P"
    assert text[listed["start"] :].startswith("Partners")
    assert _text(ben, sid) == text


def test_an_acceptance_that_did_nothing_is_not_taken_for_one_that_landed(
    world: World, session: Session
) -> None:
    """On PostgreSQL an acceptance put after another worker's edit of its words is logged as a
    change that does nothing. The suggestion stays outdated, and made again it is accepted."""
    statement, _, ben, rosa = world
    sid = statement.id
    made = _suggest(rosa, sid, TEXT.replace("We value", "We all value"))
    client = acceptance_client(int(str(made["id"])))
    log.add(session=session, statement_id=sid, rev=2, op=[len(TEXT)], author_id=None)
    session.exec(
        update(Operation)
        .where(col(Operation.statement_id) == sid, col(Operation.rev) == 2)
        .values(client_id=client, seq=1)
    )
    session.exec(
        update(Suggestion)
        .where(col(Suggestion.id) == made["id"])
        .values(status=SuggestionStatus.outdated)
    )
    session.commit()
    [listed] = ben.get(f"/api/statements/{sid}/suggestions").json()["data"]
    assert listed["status"] == "outdated"

    path = f"/api/statements/{sid}/suggestions/{made['id']}"
    again = rosa.put(path, json={"base_rev": 2, "text": TEXT.replace("We value", "We all value")})
    assert again.status_code == 200, again.text
    accepted = ben.post(f"{path}/accept")
    assert (accepted.status_code, accepted.json()["applied_rev"]) == (200, 3)
    assert _text(ben, sid) == TEXT.replace("We value", "We all value")
