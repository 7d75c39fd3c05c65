"""The facilitator's cockpit over the API: each part made from real stances, threads and
suggestions, who may read it, and reminding those who have not responded."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.config import Settings
from app.models.base import utcnow
from app.models.membership import Role
from app.models.notification import OutboxMessage
from app.models.user import User
from tests.factories import add_member, make_statement, make_user, save_text

TEXT = (
    "We write this together.\n\n"
    "## Trust\n\nWe trust each other's judgement.\n\n"
    "## Resources\n\nWe share tools and money.\n"
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """This server sends email (the outbox keeps what it would send)."""
    return settings.model_copy(update={"smtp_url": "smtp://mail.example.org:25"})


@dataclass
class Group:
    sid: int
    fatima: TestClient  # facilitator, Wikimedia Norway
    ben: TestClient  # editor, Wikimedia UK
    ada: TestClient  # editor, Wikimedia UK
    rosa: TestClient  # reviewer, Creative Commons
    omar: TestClient  # reviewer, no organisation
    vera: TestClient  # viewer, Europeana
    outsider: TestClient

    @property
    def base(self) -> str:
        return f"/api/statements/{self.sid}"

    def remind(self, round_id: int) -> dict[str, list[str]]:
        answer = self.fatima.post(f"{self.base}/rounds/{round_id}/remind")
        assert answer.status_code == 200, answer.text
        found = answer.json()
        return {key: [person["name"] for person in found[key]] for key in ("reminded", "already")}

    def cockpit(self) -> dict[str, Any]:
        answer = self.fatima.get(f"{self.base}/cockpit")
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    def open_round(self, closes_in_days: int | None = None) -> int:
        saved = self.fatima.post(f"{self.base}/versions", json={"name": "For review"})
        assert saved.status_code == 201, saved.text
        body: dict[str, Any] = {"version": saved.json()["number"]}
        if closes_in_days is not None:
            body["closes_on"] = (utcnow().date() + timedelta(days=closes_in_days)).isoformat()
        opened = self.fatima.post(f"{self.base}/rounds", json=body)
        assert opened.status_code == 201, opened.text
        round_id: int = opened.json()["id"]
        return round_id

    def stance(self, client: TestClient, round_id: int, **body: Any) -> None:
        answer = client.post(f"{self.base}/rounds/{round_id}/stances", json=body)
        assert answer.status_code == 201, answer.text

    def thread(self, client: TestClient, words: str, body: str) -> int:
        start = TEXT.index(words)
        made = client.post(
            f"{self.base}/threads", json={"start": start, "end": start + len(words), "body": body}
        )
        assert made.status_code == 201, made.text
        thread_id: int = made.json()["id"]
        return thread_id


@pytest.fixture
def group(signed_in: Callable[[User], TestClient], session: Session, settings: Settings) -> Group:
    fatima = make_user(session, name="Fatima", organisation="Wikimedia Norway")
    people = {
        "ben": (make_user(session, name="Ben", organisation="Wikimedia UK"), Role.editor),
        "ada": (make_user(session, name="Ada", organisation="Wikimedia UK"), Role.editor),
        "rosa": (make_user(session, name="Rosa", organisation="Creative Commons"), Role.reviewer),
        "omar": (make_user(session, name="Omar", organisation=""), Role.reviewer),
        "vera": (make_user(session, name="Vera", organisation="Europeana"), Role.viewer),
    }
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    for user, role in people.values():
        add_member(session, statement, user, role)
    outsider = make_user(session, name="Olga", organisation="Elsewhere")
    return Group(
        sid=statement.id,
        fatima=signed_in(fatima),
        outsider=signed_in(outsider),
        **{name: signed_in(user) for name, (user, _) in people.items()},
    )


def _waiting(cockpit: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [
        (group["organisation"], [person["name"] for person in group["people"]])
        for group in cockpit["waiting"]["organisations"]
    ]


def test_read_cockpit_shows_who_has_not_responded_by_organisation(group: Group) -> None:
    rid = group.open_round(closes_in_days=2)
    group.stance(group.rosa, rid, kind="approve")
    # A stance on one section alone is no answer to the round on the whole version.
    group.stance(group.ben, rid, kind="approve", section="trust")

    cockpit = group.cockpit()
    assert cockpit["round"]["id"] == rid
    assert cockpit["round"]["version"] == 1
    assert _waiting(cockpit) == [
        ("Wikimedia Norway", ["Fatima"]),
        ("Wikimedia UK", ["Ada", "Ben"]),
        ("", ["Omar"]),
    ]
    assert (cockpit["waiting"]["count"], cockpit["waiting"]["of"]) == (4, 5)
    fatima = cockpit["waiting"]["organisations"][0]["people"][0]
    assert fatima["email"].endswith("@example.org")
    assert fatima["role"] == "facilitator"
    assert fatima["last_reminded_at"] is None

    group.stance(group.ada, rid, kind="abstain")
    group.stance(group.fatima, rid, kind="approve")
    assert _waiting(group.cockpit()) == [("Wikimedia UK", ["Ben"]), ("", ["Omar"])]


def test_read_cockpit_lists_blocks_and_requests_for_changes(group: Group) -> None:
    rid = group.open_round()
    trust = TEXT.index("judgement")
    group.stance(
        group.rosa,
        rid,
        kind="block",
        reason="Judgement of what?",
        start=trust,
        end=trust + len("judgement"),
    )
    group.stance(
        group.ben, rid, kind="request_changes", reason="Name the tools.", section="resources"
    )
    # A block taken back by approving is no longer a concern.
    group.stance(group.ada, rid, kind="block", reason="Too vague.")
    group.stance(group.ada, rid, kind="approve")
    group.stance(group.omar, rid, kind="abstain")

    concerns = group.cockpit()["concerns"]
    assert [
        (c["name"], c["organisation"], c["kind"], c["reason"], c["section"], c["heading"])
        for c in concerns
    ] == [
        ("Rosa", "Creative Commons", "block", "Judgement of what?", None, None),
        ("Ben", "Wikimedia UK", "request_changes", "Name the tools.", "resources", "Resources"),
    ]
    assert concerns[0]["quote"] == "judgement"
    assert concerns[1]["quote"] is None


def test_read_cockpit_counts_unresolved_threads_per_section(group: Group) -> None:
    group.thread(group.rosa, "We write", "Who is we?")
    trust = group.thread(group.ben, "each other", "Everyone?")
    resolved = group.thread(group.ada, "tools", "Which tools?")
    gone = group.thread(group.omar, "money", "How much?")
    group.fatima.post(f"{group.base}/threads/{trust}/comments", json={"body": "Yes, all."})
    group.fatima.post(f"{group.base}/threads/{resolved}/resolve").raise_for_status()
    # A new section before Trust, and the words under one thread deleted.
    save_text(
        group.fatima,
        group.sid,
        TEXT.replace("## Trust", "## Aims\n\nWe aim high.\n\n## Trust").replace(" and money", ""),
    )

    cockpit = group.cockpit()
    listed = [
        (s["section"], s["heading"], s["count"], [t["quote"] for t in s["threads"]])
        for s in cockpit["threads"]
    ]
    assert listed == [
        ("preamble", "", 1, ["We write"]),
        ("aims", "Aims", 0, []),
        ("trust", "Trust", 1, ["each other"]),
        ("resources", "Resources", 0, []),
        (None, "", 1, ["money"]),
    ]
    assert cockpit["unresolved"] == 3
    on_trust = cockpit["threads"][2]["threads"][0]
    assert (on_trust["id"], on_trust["started_by"], on_trust["comments"]) == (trust, "Ben", 2)
    assert cockpit["threads"][4]["threads"][0]["id"] == gone


def test_read_cockpit_lists_open_suggestions_and_amendments(group: Group) -> None:
    def suggest(client: TestClient, old: str, new: str, reason: str) -> int:
        made = client.post(
            f"{group.base}/suggestions",
            json={"base_rev": 1, "text": TEXT.replace(old, new), "reason": reason},
        )
        assert made.status_code == 201, made.text
        suggestion: int = made.json()["id"]
        return suggestion

    plain = suggest(group.rosa, "tools", "software", "Plainer.")
    voted = suggest(group.ben, "judgement", "good judgement", "Warmer.")
    rejected = suggest(group.omar, "together", "as one", "Shorter.")
    path = f"{group.base}/suggestions"
    group.fatima.post(f"{path}/{voted}/vote").raise_for_status()
    group.fatima.post(f"{path}/{rejected}/reject", json={"reason": "No."}).raise_for_status()

    found = group.cockpit()["suggestions"]
    assert [(s["id"], s["status"], s["author"], s["organisation"]) for s in found] == [
        (plain, "open", "Rosa", "Creative Commons"),
        (voted, "voting", "Ben", "Wikimedia UK"),
    ]
    assert (found[0]["delete"], found[0]["insert"], found[0]["reason"]) == (
        "tools",
        "software",
        "Plainer.",
    )
    assert found[0]["age_days"] == 0
    assert found[0]["vote_opened_at"] is None
    assert found[1]["vote_opened_at"] is not None


def test_read_cockpit_tells_how_far_away_the_round_closes(group: Group) -> None:
    nothing = group.cockpit()
    assert (nothing["round"], nothing["waiting"], nothing["deadlines"]) == (None, None, [])
    assert nothing["concerns"] == []

    rid = group.open_round(closes_in_days=2)
    cockpit = group.cockpit()
    closes_on = (utcnow().date() + timedelta(days=2)).isoformat()
    assert cockpit["round"]["closes_on"] == closes_on
    # It closes once that day is over: more than two days from now, less than three.
    assert cockpit["round"]["left"]["days"] == 2
    assert cockpit["round"]["left"]["words"].startswith("2 days")
    assert [(d["round"], d["closes_on"]) for d in cockpit["deadlines"]] == [(rid, closes_on)]
    assert cockpit["deadlines"][0]["what"] == "The review round on version 1 closes"


def test_read_cockpit_of_a_round_without_a_date(group: Group) -> None:
    group.open_round()
    cockpit = group.cockpit()
    assert cockpit["round"]["closes_on"] is None
    assert cockpit["round"]["left"] is None
    assert cockpit["deadlines"] == []


def test_read_cockpit_is_for_facilitators_alone(group: Group, client: TestClient) -> None:
    group.open_round()
    path = f"{group.base}/cockpit"
    for member in (group.ben, group.rosa, group.vera):
        refused = member.get(path)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Only a facilitator of this statement may do this."
    hidden = group.outsider.get(path)
    assert hidden.status_code == 404
    assert "Trust" not in hidden.text
    assert client.get(path).status_code == 401
    assert group.fatima.get(f"/api/statements/{group.sid + 1000}/cockpit").status_code == 404


def _mailed(session: Session) -> list[str]:
    """Who the outbox holds a reminder for, by address."""
    session.expire_all()
    found = session.exec(
        select(OutboxMessage.to_address)
        .where(col(OutboxMessage.subject).contains("is awaited"))
        .order_by(col(OutboxMessage.id))
    )
    return list(found.all())


def test_remind_emails_who_has_not_responded_once_a_day(group: Group, session: Session) -> None:
    rid = group.open_round(closes_in_days=3)
    group.stance(group.rosa, rid, kind="approve")
    before = len(_mailed(session))

    # The facilitator reminding is not reminded; the viewer has no say; Rosa has responded.
    assert group.remind(rid) == {"reminded": ["Ada", "Ben", "Omar"], "already": []}
    mailed = _mailed(session)[before:]
    waiting = {
        person["name"]: person
        for organisation in group.cockpit()["waiting"]["organisations"]
        for person in organisation["people"]
    }
    assert sorted(mailed) == sorted(waiting[name]["email"] for name in ("Ada", "Ben", "Omar"))
    assert waiting["Ben"]["last_reminded_at"] is not None
    assert waiting["Fatima"]["last_reminded_at"] is None

    # The same day again: nobody is emailed twice, and the answer says who was already told.
    group.stance(group.omar, rid, kind="abstain")
    assert group.remind(rid) == {"reminded": [], "already": ["Ada", "Ben"]}
    assert len(_mailed(session)) == before + 3


def test_remind_refuses_a_closed_round(group: Group, session: Session) -> None:
    rid = group.open_round()
    group.fatima.post(f"{group.base}/rounds/{rid}/close").raise_for_status()
    before = _mailed(session)
    refused = group.fatima.post(f"{group.base}/rounds/{rid}/remind")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "This review round is closed: there is nobody to remind."
    assert _mailed(session) == before
    missing = group.fatima.post(f"{group.base}/rounds/{rid + 1000}/remind")
    assert missing.status_code == 404


def test_remind_is_for_facilitators_alone(
    group: Group, client: TestClient, session: Session
) -> None:
    rid = group.open_round()
    path = f"{group.base}/rounds/{rid}/remind"
    before = _mailed(session)
    for member in (group.ben, group.rosa, group.vera):
        assert member.post(path).status_code == 403
    assert group.outsider.post(path).status_code == 404
    assert client.post(path).status_code == 401
    assert _mailed(session) == before
    assert group.cockpit()["waiting"]["organisations"][0]["people"][0]["last_reminded_at"] is None
