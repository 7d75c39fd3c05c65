"""Amendments over the API: a facilitator puts a suggestion to the vote, those with a say vote,
and the statement's approval rule decides; the tally is kept with the suggestion."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config import Settings
from app.models.base import utcnow
from app.models.membership import Role
from app.models.statement import Statement
from app.models.suggestion import Suggestion
from app.models.suggestion_vote import SuggestionVote
from app.models.user import User
from tests.factories import add_member, make_statement, make_user, save_text
from tests.test_races import AT_ONCE, at_once, audited, statuses

TEXT = "We value free knowledge. Partners need support."


@dataclass
class Group:
    sid: int
    fatima: TestClient  # facilitator
    ben: TestClient  # editor
    rosa: TestClient  # reviewer
    vera: TestClient  # viewer

    def path(self, suggestion: int, tail: str = "") -> str:
        return f"/api/statements/{self.sid}/suggestions/{suggestion}{tail}"

    def suggest(self, text: str) -> int:
        made = self.rosa.post(
            f"/api/statements/{self.sid}/suggestions", json={"base_rev": 1, "text": text}
        )
        assert made.status_code == 201, made.text
        suggestion: int = made.json()["id"]
        return suggestion

    def suggestion(self, suggestion: int) -> dict[str, Any]:
        listed = self.fatima.get(f"/api/statements/{self.sid}/suggestions").json()["data"]
        found: dict[str, Any] = next(s for s in listed if s["id"] == suggestion)
        return found

    def text(self) -> str:
        found: str = self.fatima.get(f"/api/statements/{self.sid}/text").json()["text"]
        return found


@pytest.fixture
def group(signed_in: Callable[[User], TestClient], session: Session, settings: Settings) -> Group:
    fatima = make_user(session, name="Fatima", organisation="Wikimedia Norway")
    ben = make_user(session, name="Ben Smith", organisation="Wikimedia UK")
    rosa = make_user(session, name="Rosa", organisation="Creative Commons")
    vera = make_user(session, name="Vera", organisation="Press")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    add_member(session, statement, ben, Role.editor)
    add_member(session, statement, rosa, Role.reviewer)
    add_member(session, statement, vera, Role.viewer)
    return Group(statement.id, signed_in(fatima), signed_in(ben), signed_in(rosa), signed_in(vera))


def test_only_a_facilitator_puts_an_open_suggestion_to_the_vote(group: Group) -> None:
    made = group.suggest(TEXT.replace("support", "help"))
    assert group.ben.post(group.path(made, "/vote")).status_code == 403
    assert group.rosa.post(group.path(made, "/vote")).status_code == 403
    assert group.suggestion(made)["status"] == "open"
    opened = group.fatima.post(group.path(made, "/vote"))
    assert opened.status_code == 200, opened.text
    assert (opened.json()["status"], opened.json()["tally"]) == ("voting", None)
    again = group.fatima.post(group.path(made, "/vote"))
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "This suggestion is voting, no longer open.",
    )
    assert group.fatima.post(group.path(999999, "/vote")).status_code == 404
    opened_events = audited(group.fatima, group.sid, "suggestion.vote_opened")
    assert [e["data"]["suggestion"] for e in opened_events] == [made]


def test_a_later_vote_supersedes_the_earlier_and_both_are_kept(
    group: Group, session: Session
) -> None:
    made = group.suggest(TEXT.replace("support", "help"))
    early = group.rosa.post(group.path(made, "/votes"), json={"kind": "support"})
    assert (early.status_code, early.json()["detail"]) == (
        409,
        "This suggestion is open, not put to a vote.",
    )
    group.fatima.post(group.path(made, "/vote"))
    first = group.rosa.post(group.path(made, "/votes"), json={"kind": "support"})
    assert first.status_code == 201, first.text
    later = group.rosa.post(
        group.path(made, "/votes"), json={"kind": "oppose", "reason": " Too vague. "}
    )
    assert later.status_code == 201, later.text
    assert (later.json()["kind"], later.json()["reason"]) == ("oppose", "Too vague.")
    assert group.ben.post(group.path(made, "/votes"), json={"kind": "abstain"}).status_code == 201

    votes = group.vera.get(group.path(made, "/votes")).json()  # viewers may follow it
    assert votes["count"] == 2
    assert [(v["name"], v["kind"], v["organisation"]) for v in votes["data"]] == [
        ("Rosa", "oppose", "Creative Commons"),
        ("Ben Smith", "abstain", "Wikimedia UK"),
    ]
    kept = session.exec(select(SuggestionVote).where(SuggestionVote.suggestion_id == made)).all()
    assert sorted((v.kind, v.superseded_at is None) for v in kept) == [
        ("abstain", True),
        ("oppose", True),
        ("support", False),
    ]
    assert len(audited(group.fatima, group.sid, "suggestion.voted")) == 3


@pytest.mark.parametrize(
    ("who", "body", "code"),
    [
        ("vera", {"kind": "support"}, 403),  # viewers have no say
        ("rosa", {"kind": "approve"}, 422),  # a stance, not a vote
        ("rosa", {}, 422),
        ("rosa", {"kind": "support", "weight": 2}, 422),
        ("rosa", {"kind": "support", "reason": "x" * 10_001}, 422),
    ],
)
def test_a_bad_vote_is_refused_and_nothing_is_kept(
    group: Group, who: str, body: dict[str, Any], code: int
) -> None:
    made = group.suggest(TEXT.replace("support", "help"))
    group.fatima.post(group.path(made, "/vote"))
    refused = getattr(group, who).post(group.path(made, "/votes"), json=body)
    assert refused.status_code == code, refused.text
    assert isinstance(refused.json()["detail"], str)
    assert group.fatima.get(group.path(made, "/votes")).json()["count"] == 0


def test_a_vote_not_adopted_rejects_the_suggestion_and_keeps_the_tally(group: Group) -> None:
    made = group.suggest(TEXT.replace("support", "help"))
    group.fatima.post(group.path(made, "/vote"))
    group.rosa.post(group.path(made, "/votes"), json={"kind": "support", "reason": "Plainer."})
    group.ben.post(group.path(made, "/votes"), json={"kind": "oppose", "reason": "Weaker."})
    assert group.ben.post(group.path(made, "/vote/close")).status_code == 403
    assert group.suggestion(made)["tally"] is None  # not until it closes

    closed = group.fatima.post(group.path(made, "/vote/close"))
    assert closed.status_code == 200, closed.text
    answer = closed.json()
    assert answer["status"] == "rejected"
    tally = answer["tally"]
    assert (tally["rule"], tally["adopted"]) == ("consent", False)
    assert tally["counts"] == {"support": 1, "oppose": 1, "abstain": 0, "none": 1}
    assert "waiting for Fatima" in tally["missing"]
    assert [(v["name"], v["kind"], v["reason"]) for v in tally["votes"]] == [
        ("Rosa", "support", "Plainer."),
        ("Ben Smith", "oppose", "Weaker."),
    ]
    kept = group.suggestion(made)
    assert (kept["status"], kept["decision_reason"]) == (
        "rejected",
        "Not adopted by the group's vote",
    )
    assert kept["tally"] == tally  # kept with it for good
    assert group.text() == TEXT
    again = group.fatima.post(group.path(made, "/vote/close"))
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "This suggestion is rejected, not put to a vote.",
    )
    assert group.rosa.post(group.path(made, "/votes"), json={"kind": "oppose"}).status_code == 409
    closings = audited(group.fatima, group.sid, "suggestion.vote_closed")
    assert [(e["actor"], e["data"]["adopted"]) for e in closings] == [("Fatima", False)]


def test_the_vote_on_a_suggestion_whose_words_changed_cannot_close(group: Group) -> None:
    made = group.suggest(TEXT.replace("Partners", "Our partners"))
    group.fatima.post(group.path(made, "/vote"))
    group.rosa.post(group.path(made, "/votes"), json={"kind": "support"})
    save_text(group.ben, group.sid, TEXT.replace("Partners", "Allies"))

    refused = group.fatima.post(group.path(made, "/vote/close"))
    assert (refused.status_code, refused.json()["detail"]) == (
        409,
        "This suggestion is outdated, not put to a vote.",
    )
    assert group.ben.post(group.path(made, "/votes"), json={"kind": "oppose"}).status_code == 409
    kept = group.suggestion(made)
    assert (kept["status"], kept["tally"]) == ("outdated", None)
    assert audited(group.fatima, group.sid, "suggestion.vote_closed") == []

    # Made again on the text as it is now, it may be put to a vote afresh.
    now = TEXT.replace("Partners", "Allies")
    again = group.rosa.put(
        group.path(made), json={"base_rev": 2, "text": now.replace("Allies", "Our allies")}
    )
    assert again.status_code == 200, again.text
    assert group.fatima.post(group.path(made, "/vote")).status_code == 200
    assert group.fatima.get(group.path(made, "/votes")).json()["count"] == 0


def test_close_a_vote_at_once(
    group: Group, signed_in: Callable[[User], TestClient], session: Session
) -> None:
    made = group.suggest(TEXT.replace("support", "help"))
    group.fatima.post(group.path(made, "/vote"))
    group.ben.post(group.path(made, "/votes"), json={"kind": "oppose", "reason": "No."})
    fatima = session.exec(select(User).where(User.name == "Fatima")).one()
    clients = [signed_in(fatima) for _ in range(AT_ONCE)]

    closed = at_once(clients, lambda c, _: c.post(group.path(made, "/vote/close")))

    assert statuses(closed) == [200] + [409] * (AT_ONCE - 1), [r.text for r in closed]
    assert len(audited(group.fatima, group.sid, "suggestion.vote_closed")) == 1
    assert group.suggestion(made)["status"] == "rejected"


def test_votes_and_close_at_once_count_every_vote_recorded(
    group: Group, signed_in: Callable[[User], TestClient], session: Session
) -> None:
    made = group.suggest(TEXT.replace("support", "help"))
    group.fatima.post(group.path(made, "/vote"))
    statement_id = group.sid
    people = [make_user(session, name=f"Voter {n}") for n in range(AT_ONCE - 1)]
    statement = session.get(Statement, statement_id)
    assert statement is not None
    for person in people:
        add_member(session, statement, person, Role.reviewer)
    clients = [signed_in(person) for person in people] + [group.fatima]

    answers = at_once(
        clients,
        lambda c, i: (
            c.post(group.path(made, "/vote/close"))
            if i == AT_ONCE - 1
            else c.post(group.path(made, "/votes"), json={"kind": "oppose"})
        ),
    )

    assert all(r.status_code in (200, 201, 409) for r in answers), [r.text for r in answers]
    recorded = sum(1 for r in answers[:-1] if r.status_code == 201)
    tally = group.suggestion(made)["tally"]
    assert tally["counts"]["oppose"] == recorded  # every vote recorded was counted


def test_a_vote_adopted_applies_the_suggestion_and_keeps_the_tally(group: Group) -> None:
    made = group.suggest(TEXT.replace("need support", "need steady support"))
    group.fatima.patch(f"/api/statements/{group.sid}", json={"approval_rule": "majority"})
    group.fatima.post(group.path(made, "/vote"))
    group.rosa.post(group.path(made, "/votes"), json={"kind": "support"})
    group.ben.post(group.path(made, "/votes"), json={"kind": "abstain", "reason": "Either way."})

    closed = group.fatima.post(group.path(made, "/vote/close"))
    assert closed.status_code == 200, closed.text
    answer = closed.json()
    assert (answer["status"], answer["tally"]["adopted"]) == ("accepted", True)
    assert answer["tally"]["summary"] == "1 approve, 0 against, 1 abstain"
    assert answer["suggestion"]["status"] == "accepted"
    assert group.text() == "We value free knowledge. Partners need steady support."
    kept = group.suggestion(made)
    assert (kept["status"], kept["tally"]) == ("accepted", answer["tally"])
    again = group.fatima.post(group.path(made, "/vote/close"))
    assert again.status_code == 409
    closings = audited(group.fatima, group.sid, "suggestion.vote_closed")
    assert [(e["actor"], e["data"]["adopted"]) for e in closings] == [("Fatima", True)]


def test_close_an_adopted_vote_at_once_applies_it_once(
    group: Group, signed_in: Callable[[User], TestClient], session: Session
) -> None:
    made = group.suggest(TEXT.replace("We value", "We all value"))
    group.fatima.patch(f"/api/statements/{group.sid}", json={"approval_rule": "majority"})
    group.fatima.post(group.path(made, "/vote"))
    group.rosa.post(group.path(made, "/votes"), json={"kind": "support"})
    fatima = session.exec(select(User).where(User.name == "Fatima")).one()
    clients = [signed_in(fatima) for _ in range(AT_ONCE)]

    closed = at_once(clients, lambda c, _: c.post(group.path(made, "/vote/close")))

    assert statuses(closed) == [200] + [409] * (AT_ONCE - 1), [r.text for r in closed]
    assert group.text() == TEXT.replace("We value", "We all value")
    assert group.suggestion(made)["status"] == "accepted"
    assert len(audited(group.fatima, group.sid, "suggestion.vote_closed")) == 1


def test_a_close_interrupted_before_its_suggestion_was_applied_can_be_closed_again(
    session: Session, settings: Settings, signed_in: Callable[[User], TestClient]
) -> None:
    """A worker stopped between counting an adopted vote and applying it: a while later the
    vote is open again, and closing it again applies the suggestion."""
    facilitator = make_user(session, name="Fatima")
    statement = make_statement(session, settings, facilitator=facilitator, text=TEXT)
    fatima = signed_in(facilitator)
    sid = statement.id
    made = fatima.post(
        f"/api/statements/{sid}/suggestions",
        json={"base_rev": 1, "text": TEXT.replace("We", "We all")},
    ).json()
    path = f"/api/statements/{sid}/suggestions/{made['id']}"
    assert fatima.post(f"{path}/vote").status_code == 200
    assert fatima.post(f"{path}/votes", json={"kind": "support"}).status_code == 201
    long_ago = (utcnow() - timedelta(hours=1)).isoformat()
    session.exec(
        update(Suggestion)
        .where(col(Suggestion.id) == made["id"])
        .values(tally={"closed_at": long_ago, "adopted": True})
    )
    session.commit()
    closed = fatima.post(f"{path}/vote/close")
    assert (closed.status_code, closed.json()["status"]) == (200, "accepted"), closed.text
    assert fatima.get(f"/api/statements/{sid}/text").json()["text"] == TEXT.replace("We", "We all")
