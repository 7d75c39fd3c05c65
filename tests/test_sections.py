"""Sections through the API: ids that last through edits, renames, moves and versions; splits
shown as such; each section's state; locking and unlocking by facilitators only, audited."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.statement import Statement
from app.models.user import User
from app.models.version import VersionCreate
from app.services import versions
from tests.factories import add_member, make_statement, make_user, save_text

TEXT = (
    "We, the partners, agree.\n\n"
    "## Trust and Culture\nWe trust each other and share what we learn.\n\n"
    "## Resources and Structures\nMoney, people and tools are shared fairly.\n"
)
World = tuple[Statement, TestClient, TestClient]


@pytest.fixture
def world(session: Session, settings: Settings, signed_in: Callable[[User], TestClient]) -> World:
    fatima = make_user(session, name="Fatima", organisation="Workshop")
    ben = make_user(session, name="Ben", organisation="Wikimedia UK")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    add_member(session, statement, ben, Role.editor)
    return statement, signed_in(fatima), signed_in(ben)


def _sections(client: TestClient, path: str) -> list[dict[str, Any]]:
    found = client.get(path)
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["count"] == len(body["data"])
    items: list[dict[str, Any]] = body["data"]
    return items


def _ids(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(item["id"], item["heading"]) for item in items]


def test_the_drafts_sections_keep_their_ids_through_edits_renames_and_moves(world: World) -> None:
    statement, fatima, ben = world
    url = f"/api/statements/{statement.id}/sections"
    first = _sections(ben, url)
    assert _ids(first) == [
        ("preamble", ""),
        ("trust-and-culture", "Trust and Culture"),
        ("resources-and-structures", "Resources and Structures"),
    ]
    assert [(s["start"], s["end"]) for s in first] == [
        (0, TEXT.index("## Trust")),
        (TEXT.index("## Trust"), TEXT.index("## Resources")),
        (TEXT.index("## Resources"), len(TEXT)),
    ]
    assert all(s["state"] == "drafting" and not s["locked"] for s in first)

    # The heading renamed; the other section edited and moved above it.
    moved = (
        "We, the partners, agree.\n\n"
        "## Resources and Structures\nMoney, people, time and tools are shared fairly.\n\n"
        "## Mutual trust\nWe trust each other and share what we learn.\n"
    )
    save_text(ben, statement.id, moved)
    assert _ids(_sections(ben, url)) == [
        ("preamble", ""),
        ("resources-and-structures", "Resources and Structures"),
        ("trust-and-culture", "Mutual trust"),
    ]
    # Rewritten under the same heading, it stays; a new section gets an id of its own.
    rewritten = moved.replace("Money, people, time and tools", "Budgets") + (
        "\n## Diversity\nMany voices.\n"
    )
    save_text(ben, statement.id, rewritten)
    assert _ids(_sections(fatima, url)) == [
        ("preamble", ""),
        ("resources-and-structures", "Resources and Structures"),
        ("trust-and-culture", "Mutual trust"),
        ("diversity", "Diversity"),
    ]


def test_versions_keep_the_drafts_ids_and_a_split_is_shown(world: World) -> None:
    statement, fatima, _ = world
    base = f"/api/statements/{statement.id}"
    fatima.post(f"{base}/versions", json={"name": "Draft 1"}).raise_for_status()
    split = TEXT.replace(
        "We trust each other and share what we learn.",
        "We trust each other.\n\n## Learning\nWe share what we learn.",
    )
    save_text(fatima, statement.id, split)
    fatima.post(f"{base}/versions", json={"name": "Draft 2"}).raise_for_status()
    one = _sections(fatima, f"{base}/versions/1/sections")
    two = _sections(fatima, f"{base}/versions/2/sections")
    assert [s["id"] for s in one] == ["preamble", "trust-and-culture", "resources-and-structures"]
    assert _ids(two) == [
        ("preamble", ""),
        ("trust-and-culture", "Trust and Culture"),
        ("learning", "Learning"),
        ("resources-and-structures", "Resources and Structures"),
    ]
    assert two[2]["split_from"] == "trust-and-culture"
    # Read again, a version's sections are the same: they are kept.
    assert _sections(fatima, f"{base}/versions/2/sections") == two
    missing = fatima.get(f"{base}/versions/9/sections")
    assert missing.status_code == 404
    assert missing.json()["detail"]


def test_versions_from_before_sections_are_named_in_order(
    session: Session, settings: Settings, signed_in: Callable[[User], TestClient]
) -> None:
    """Versions saved with no layout kept (as before sections existed) are named, asked for
    in any order, each after the one before it."""
    fatima = make_user(session, name="Fatima")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    me = signed_in(fatima)
    base = f"/api/statements/{statement.id}"
    from app.models.version import VersionCreate
    from app.services import versions as versions_service

    versions_service.save_version(
        session=session,
        statement_id=statement.id,
        version_in=VersionCreate(name="1"),
        author=fatima,
    )
    session.commit()
    save_text(me, statement.id, TEXT.replace("## Trust and Culture", "## Trust"))
    versions_service.save_version(
        session=session,
        statement_id=statement.id,
        version_in=VersionCreate(name="2"),
        author=fatima,
    )
    session.commit()
    two = _sections(me, f"{base}/versions/2/sections")
    assert [s["id"] for s in two] == ["preamble", "trust-and-culture", "resources-and-structures"]
    assert [s["id"] for s in _sections(me, f"{base}/sections")] == [s["id"] for s in two]


def _save_version_as_before(
    session: Session, statement: Statement, author: User, name: str
) -> None:
    versions.save_version(
        session=session,
        statement_id=statement.id,
        version_in=VersionCreate(name=name),
        author=author,
    )
    session.commit()


def test_locking_is_for_facilitators_audited_and_one_lock_at_a_time(world: World) -> None:
    statement, fatima, ben = world
    base = f"/api/statements/{statement.id}"
    assert ben.post(f"{base}/sections/trust-and-culture/lock").status_code == 403
    unknown = fatima.post(f"{base}/sections/no-such/lock")
    assert unknown.status_code == 404
    assert unknown.json()["detail"]
    locked = fatima.post(f"{base}/sections/trust-and-culture/lock")
    assert locked.status_code == 200, locked.text
    assert locked.json()["locked"] is True
    assert locked.json()["locked_by"] == "Fatima"
    again = fatima.post(f"{base}/sections/trust-and-culture/lock")
    assert again.status_code == 409
    assert again.json()["detail"]
    states = {s["id"]: s["state"] for s in _sections(ben, f"{base}/sections")}
    assert states == {
        "preamble": "drafting",
        "trust-and-culture": "locked",
        "resources-and-structures": "drafting",
    }
    # Whole-text saves that change it are refused; beside it they go in.
    head = ben.get(f"{base}/text").json()["rev"]
    refused = ben.post(
        f"{base}/text",
        json={"base_rev": head, "text": TEXT.replace("each other", "all")},
    )
    assert refused.status_code == 409
    assert "locked" in refused.json()["detail"]
    assert ben.get(f"{base}/text").json() == {"rev": head, "text": TEXT}
    save_text(ben, statement.id, TEXT.replace("We, the partners", "We, all partners"))

    assert ben.post(f"{base}/sections/trust-and-culture/unlock").status_code == 403
    assert fatima.post(f"{base}/sections/no-such/unlock").status_code == 404
    unlocked = fatima.post(f"{base}/sections/trust-and-culture/unlock")
    assert unlocked.status_code == 200
    assert unlocked.json()["locked"] is False
    assert fatima.post(f"{base}/sections/trust-and-culture/unlock").status_code == 409
    save_text(ben, statement.id, TEXT.replace("each other", "all"))
    events = fatima.get(f"{base}/audit").json()["data"]
    kinds = [(e["kind"], e["data"].get("section")) for e in events if "section" in e["kind"]]
    assert kinds == [
        ("section.unlocked", "trust-and-culture"),
        ("section.locked", "trust-and-culture"),
    ]


def test_each_sections_state_follows_the_round(world: World) -> None:
    statement, fatima, ben = world
    base = f"/api/statements/{statement.id}"
    fatima.patch(base, json={"approval_rule": "majority"}).raise_for_status()
    fatima.post(f"{base}/versions", json={"name": "Draft 1"}).raise_for_status()
    rid = fatima.post(f"{base}/rounds", json={"version": 1}).json()["id"]
    stances = f"{base}/rounds/{rid}/stances"

    def states() -> dict[str, str]:
        return {s["id"]: s["state"] for s in _sections(ben, f"{base}/sections")}

    assert set(states().values()) == {"in_review"}
    fatima.post(stances, json={"kind": "approve", "section": "trust-and-culture"})
    ben.post(
        stances,
        json={"kind": "block", "reason": "Not fair yet.", "section": "resources-and-structures"},
    )
    assert states() == {
        "preamble": "in_review",
        "trust-and-culture": "agreed",
        "resources-and-structures": "contested",
    }
    fatima.post(f"{base}/rounds/{rid}/close").raise_for_status()
    save_text(ben, statement.id, TEXT.replace("each other", "all"))
    # Its text changed since the round: drafting again. The contested one is still contested.
    assert states() == {
        "preamble": "drafting",
        "trust-and-culture": "drafting",
        "resources-and-structures": "contested",
    }
