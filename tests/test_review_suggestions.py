"""Review rounds that wait for suggestions, and the open suggestions that stand on a version:
a waiting round cannot approve its version while a suggestion on it is open."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col

from app.config import Settings
from app.models.membership import Role
from app.models.review import ReviewRound
from app.models.user import User
from tests.factories import add_member, make_statement, make_user, save_text

TEXT = "We value free knowledge. Partners need support."


@dataclass
class Workshop:
    sid: int
    fatima: TestClient  # the facilitator
    rosa: TestClient  # a reviewer

    def url(self, path: str = "") -> str:
        return f"/api/statements/{self.sid}{path}"

    def suggest(self, old: str, new: str, base_rev: int | None = None) -> dict[str, Any]:
        text = self.fatima.get(self.url("/text")).json()
        base = text["rev"] if base_rev is None else base_rev
        current = self.fatima.get(self.url(f"/text?rev={base}")).json()["text"]
        assert old in current
        made = self.rosa.post(
            self.url("/suggestions"),
            json={"base_rev": base, "text": current.replace(old, new, 1), "reason": "Clearer."},
        )
        assert made.status_code == 201, made.text
        found: dict[str, Any] = made.json()
        return found

    def open_round(self, version: int, **more: Any) -> dict[str, Any]:
        body = {"version": version, "suggestions_settled": True, **more}
        opened = self.fatima.post(self.url("/rounds"), json=body)
        assert opened.status_code == 201, opened.text
        review: dict[str, Any] = opened.json()
        return review

    def approve(self, round_id: int) -> None:
        for client in (self.fatima, self.rosa):
            stance = client.post(self.url(f"/rounds/{round_id}/stances"), json={"kind": "approve"})
            assert stance.status_code == 201, stance.text

    def round(self, round_id: int) -> dict[str, Any]:
        found: dict[str, Any] = self.fatima.get(self.url(f"/rounds/{round_id}")).json()
        return found


@pytest.fixture
def workshop(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> Workshop:
    fatima = make_user(session, name="Fatima", organisation="Workshop")
    rosa = make_user(session, name="Rosa", organisation="Creative Commons")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    add_member(session, statement, rosa, Role.reviewer)
    return Workshop(statement.id, signed_in(fatima), signed_in(rosa))


def save_version(workshop: Workshop, name: str) -> int:
    saved = workshop.fatima.post(workshop.url("/versions"), json={"name": name})
    assert saved.status_code == 201, saved.text
    number: int = saved.json()["number"]
    return number


@pytest.mark.parametrize("decision", ["reject", "withdraw"])
def test_close_waiting_round_refused_while_a_suggestion_is_open(
    workshop: Workshop, decision: str
) -> None:
    version = save_version(workshop, "Draft 1")
    review = workshop.open_round(version)
    assert (review["suggestions_settled"], review["open_suggestions"]) == (True, 0)
    first = workshop.suggest("free", "open")
    second = workshop.suggest("need support", "need steady support")
    workshop.approve(review["id"])
    assert workshop.round(review["id"])["open_suggestions"] == 2

    close = workshop.url(f"/rounds/{review['id']}/close")
    refused = workshop.fatima.post(close)
    assert refused.status_code == 409
    assert refused.json()["detail"] == "2 suggestions are still open: decide them first."
    still = workshop.round(review["id"])
    assert (still["closed_at"], still["approved"]) == (None, None)
    assert workshop.fatima.get(workshop.url()).json()["state"] == "review"

    workshop.fatima.post(workshop.url(f"/suggestions/{first['id']}/reject"))
    detail = workshop.fatima.post(close).json()["detail"]
    assert detail == "1 suggestion is still open: decide it first."
    decider = workshop.fatima if decision == "reject" else workshop.rosa
    decided = decider.post(workshop.url(f"/suggestions/{second['id']}/{decision}"))
    assert decided.status_code == 200, decided.text
    assert workshop.round(review["id"])["open_suggestions"] == 0

    closed = workshop.fatima.post(close)
    assert closed.status_code == 200, closed.text
    assert closed.json()["approved"] is True
    assert closed.json()["open_suggestions"] is None
    assert workshop.fatima.get(workshop.url()).json()["state"] == "approved"


def test_close_waiting_round_without_approval_while_a_suggestion_is_open(
    workshop: Workshop,
) -> None:
    review = workshop.open_round(save_version(workshop, "Draft 1"))
    workshop.suggest("free", "open")
    # Nobody has responded: the rule does not hold, so closing approves nothing and may go on.
    closed = workshop.fatima.post(workshop.url(f"/rounds/{review['id']}/close"))
    assert closed.status_code == 200, closed.text
    assert closed.json()["approved"] is False
    assert workshop.fatima.get(workshop.url()).json()["state"] == "drafting"


def test_close_round_that_does_not_wait_with_a_suggestion_open(workshop: Workshop) -> None:
    version = save_version(workshop, "Draft 1")
    review = workshop.open_round(version, suggestions_settled=False)
    assert (review["suggestions_settled"], review["open_suggestions"]) == (False, None)
    workshop.suggest("free", "open")
    workshop.approve(review["id"])
    closed = workshop.fatima.post(workshop.url(f"/rounds/{review['id']}/close"))
    assert closed.status_code == 200, closed.text
    assert closed.json()["approved"] is True


def test_open_round_waits_for_nothing_unless_asked(workshop: Workshop) -> None:
    save_version(workshop, "Draft 1")
    opened = workshop.fatima.post(workshop.url("/rounds"), json={"version": 1})
    assert opened.json()["suggestions_settled"] is False
    refused = workshop.fatima.post(
        workshop.url("/rounds"), json={"version": 1, "suggestions_settled": "maybe"}
    )
    assert refused.status_code == 422


def test_close_waiting_round_once_a_suggestion_is_outdated(workshop: Workshop) -> None:
    review = workshop.open_round(save_version(workshop, "Draft 1"))
    workshop.suggest("free", "open")
    workshop.approve(review["id"])
    assert workshop.round(review["id"])["open_suggestions"] == 1
    # Someone edits the very word it would replace: it is outdated, no longer open.
    save_text(workshop.fatima, workshop.sid, TEXT.replace("free", "shared"))
    assert workshop.round(review["id"])["open_suggestions"] == 0
    closed = workshop.fatima.post(workshop.url(f"/rounds/{review['id']}/close"))
    assert closed.json()["approved"] is True


def test_list_version_suggestions_on_an_older_version(workshop: Workshop) -> None:
    version = save_version(workshop, "Draft 1")
    later = "Today: " + TEXT.replace("Partners", "Our partners")
    save_text(workshop.fatima, workshop.sid, later)
    kept = workshop.suggest("free", "open")  # words the version has too
    new = workshop.suggest("Today", "Now")  # words typed after the version
    listed = workshop.fatima.get(workshop.url(f"/versions/{version}/suggestions")).json()
    assert [s["id"] for s in listed["data"]] == [kept["id"]]
    placed = listed["data"][0]
    assert TEXT[placed["start"] : placed["end"]] == "free"
    assert (placed["insert"], placed["author"]["name"]) == ("open", "Rosa")
    live = workshop.fatima.get(workshop.url("/suggestions?status=open")).json()
    assert {s["id"] for s in live["data"]} == {kept["id"], new["id"]}

    review = workshop.open_round(version)
    assert workshop.round(review["id"])["open_suggestions"] == 1


def test_list_version_suggestions_on_the_draft_as_it_reads_now(workshop: Workshop) -> None:
    version = save_version(workshop, "Draft 1")
    save_text(workshop.fatima, workshop.sid, "Something else entirely.")
    restored = workshop.fatima.post(workshop.url(f"/versions/{version}/restore"))
    assert restored.status_code == 200, restored.text
    # Every character was typed again since the version, but the draft reads as it does.
    made = workshop.suggest("support", "help")
    listed = workshop.fatima.get(workshop.url(f"/versions/{version}/suggestions")).json()
    assert [(s["id"], s["start"]) for s in listed["data"]] == [(made["id"], made["start"])]
    assert listed["data"][0]["rev"] == 1


def test_list_version_suggestions_of_a_missing_version(workshop: Workshop) -> None:
    missing = workshop.fatima.get(workshop.url("/versions/9/suggestions"))
    assert missing.status_code == 404
    assert missing.json()["detail"]


def test_waiting_round_past_its_date_closes_once_settled(
    workshop: Workshop, session: Session
) -> None:
    review = workshop.open_round(save_version(workshop, "Draft 1"))
    made = workshop.suggest("free", "open")
    workshop.approve(review["id"])
    # The closing date passes: the round waits on rather than approve over an open suggestion.
    session.execute(
        update(ReviewRound)
        .where(col(ReviewRound.id) == review["id"])
        .values(closes_on=date(2017, 12, 15))
    )
    session.commit()
    assert workshop.round(review["id"])["closed_at"] is None
    workshop.rosa.post(workshop.url(f"/suggestions/{made['id']}/withdraw"))
    after = workshop.round(review["id"])
    assert after["closed_at"] is not None
    assert after["approved"] is True
