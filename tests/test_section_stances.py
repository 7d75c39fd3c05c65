"""Stances on sections: each supersedes only the same person's stance on the same section;
the consent map; carried over exactly where a section's text did not change; taken back."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.statement import Statement
from app.models.user import User
from tests.factories import add_member, make_statement, make_user, save_text

TEXT = (
    "We, the partners, agree.\n\n"
    "## Trust\nWe trust each other.\n\n"
    "## Resources and Structures\nMoney is shared fairly.\n"
)
World = tuple[Statement, TestClient, TestClient, TestClient]


@pytest.fixture
def world(session: Session, settings: Settings, signed_in: Callable[[User], TestClient]) -> World:
    """Fatima facilitates; Ben (Wikimedia UK) edits; Rosa (Creative Commons) reviews."""
    fatima = make_user(session, name="Fatima", organisation="Workshop")
    ben = make_user(session, name="Ben", organisation="Wikimedia UK")
    rosa = make_user(session, name="Rosa", organisation="Creative Commons")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    add_member(session, statement, ben, Role.editor)
    add_member(session, statement, rosa, Role.reviewer)
    return statement, signed_in(fatima), signed_in(ben), signed_in(rosa)


def _round(client: TestClient, sid: int, name: str) -> int:
    saved = client.post(f"/api/statements/{sid}/versions", json={"name": name})
    assert saved.status_code == 201, saved.text
    number = saved.json()["number"]
    opened = client.post(f"/api/statements/{sid}/rounds", json={"version": number})
    assert opened.status_code == 201, opened.text
    rid: int = opened.json()["id"]
    return rid


def _consent(client: TestClient, sid: int, rid: int) -> dict[str, dict[str, Any]]:
    found = client.get(f"/api/statements/{sid}/rounds/{rid}/consent")
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["count"] == len(body["data"])
    return {item["section"]: item for item in body["data"]}


def _stances(item: dict[str, Any]) -> dict[str, tuple[str, int | None]]:
    return {s["name"]: (s["kind"], s["carried_from"]) for s in item["stances"]}


def test_a_stance_on_a_section_stands_beside_the_others(world: World) -> None:
    statement, fatima, ben, rosa = world
    sid = statement.id
    rid = _round(fatima, sid, "Draft 1")
    url = f"/api/statements/{sid}/rounds/{rid}/stances"
    for client in (fatima, ben, rosa):
        assert client.post(url, json={"kind": "approve", "section": "trust"}).status_code == 201
    ben.post(url, json={"kind": "approve"})  # on the whole version
    changed = rosa.post(
        url,
        json={
            "kind": "request_changes",
            "reason": "Say who shares it.",
            "section": "resources-and-structures",
        },
    )
    assert changed.status_code == 201
    # Rosa's stance on Resources did not supersede hers on Trust, nor Ben's whole-version one.
    consent = _consent(ben, sid, rid)
    assert list(consent) == ["preamble", "trust", "resources-and-structures"]
    assert _stances(consent["trust"]) == {
        "Fatima": ("approve", None),
        "Ben": ("approve", None),
        "Rosa": ("approve", None),
    }
    assert consent["trust"]["agreed"] is True
    resources = consent["resources-and-structures"]
    assert resources["agreed"] is False
    assert resources["summary"] == (
        "Resources and Structures: Creative Commons requests changes (Say who shares it.); "
        "2 organisations have not responded"
    )
    assert consent["preamble"]["summary"] == "Preamble: 3 organisations have not responded"
    # The version's verdict counts stances on the whole version only.
    review = fatima.get(f"/api/statements/{sid}/rounds/{rid}").json()
    assert review["tally"]["counts"] == {
        "approve": 1,
        "abstain": 0,
        "request_changes": 0,
        "block": 0,
    }
    by_rosa = [(s["section"], s["kind"]) for s in review["stances"] if s["name"] == "Rosa"]
    assert by_rosa == [("trust", "approve"), ("resources-and-structures", "request_changes")]
    # A new stance on the same section supersedes the old one, which is kept.
    rosa.post(url, json={"kind": "approve", "section": "resources-and-structures"})
    consent = _consent(ben, sid, rid)
    assert _stances(consent["resources-and-structures"]) == {"Rosa": ("approve", None)}
    kept = fatima.get(f"/api/statements/{sid}/rounds/{rid}").json()["stances"]
    assert len([s for s in kept if s["name"] == "Rosa"]) == 3


def test_a_stance_on_a_section_the_version_lacks_is_refused(world: World) -> None:
    statement, fatima, _, rosa = world
    rid = _round(fatima, statement.id, "Draft 1")
    url = f"/api/statements/{statement.id}/rounds/{rid}/stances"
    refused = rosa.post(url, json={"kind": "approve", "section": "culture"})
    assert refused.status_code == 422
    assert "culture" in refused.json()["detail"]
    assert all(not item["stances"] for item in _consent(rosa, statement.id, rid).values())
    assert rosa.post(url, json={"kind": "approve", "section": ""}).status_code == 422


def test_stances_carry_over_exactly_where_the_text_did_not_change(world: World) -> None:
    statement, fatima, ben, rosa = world
    sid = statement.id
    first = _round(fatima, sid, "Draft 1")
    url = f"/api/statements/{sid}/rounds/{first}/stances"
    for section in ("preamble", "trust", "resources-and-structures"):
        rosa.post(url, json={"kind": "approve", "section": section})
    ben.post(url, json={"kind": "block", "reason": "Too vague.", "section": "trust"})
    ben.post(url, json={"kind": "approve"})
    fatima.post(f"/api/statements/{sid}/rounds/{first}/close").raise_for_status()
    # Money changes; a blank line after Trust changes nothing that counts.
    save_text(
        ben,
        sid,
        TEXT.replace("Money is shared", "Money is always shared").replace(
            "each other.\n", "each other.\n\n"
        ),
    )
    second = _round(fatima, sid, "Draft 2")

    consent = _consent(fatima, sid, second)
    assert _stances(consent["trust"]) == {"Rosa": ("approve", 1), "Ben": ("block", 1)}
    assert _stances(consent["preamble"]) == {"Rosa": ("approve", 1)}
    assert _stances(consent["resources-and-structures"]) == {}
    # Whole-version stances never carry: the version is another.
    review = fatima.get(f"/api/statements/{sid}/rounds/{second}").json()
    assert review["tally"]["counts"]["approve"] == 0

    # Rosa is asked only about what changed, shown what changed since she approved it.
    mine = rosa.get(f"/api/statements/{sid}/rounds/{second}/sections").json()["data"]
    asked = {item["section"]: item for item in mine}
    assert [key for key, item in asked.items() if item["asked"]] == ["resources-and-structures"]
    assert asked["trust"]["carried_from"] == 1
    money = asked["resources-and-structures"]
    assert (money["approved_on"], money["changed"]) == (1, True)
    assert ["insert", "always "] in money["diff"]

    # Taken back, a carried stance is gone, and does not come back in the next round.
    url = f"/api/statements/{sid}/rounds/{second}"
    assert rosa.delete(f"{url}/stances/trust").status_code == 204
    assert rosa.delete(f"{url}/stances/trust").status_code == 404
    assert _stances(_consent(fatima, sid, second)["trust"]) == {"Ben": ("block", 1)}
    fatima.post(f"{url}/close").raise_for_status()
    third = _round(fatima, sid, "Draft 3")
    consent = _consent(fatima, sid, third)
    assert _stances(consent["trust"]) == {"Ben": ("block", 1)}
    assert _stances(consent["preamble"]) == {"Rosa": ("approve", 1)}


def test_taking_back_is_ones_own_and_only_in_an_open_round(world: World) -> None:
    statement, fatima, ben, rosa = world
    sid = statement.id
    rid = _round(fatima, sid, "Draft 1")
    url = f"/api/statements/{sid}/rounds/{rid}"
    rosa.post(f"{url}/stances", json={"kind": "approve", "section": "trust"})
    assert ben.delete(f"{url}/stances/trust").status_code == 404
    fatima.post(f"{url}/close").raise_for_status()
    closed = rosa.delete(f"{url}/stances/trust")
    assert closed.status_code == 409
    assert closed.json()["detail"]
    assert _stances(_consent(fatima, sid, rid)["trust"]) == {"Rosa": ("approve", None)}


def test_only_stances_on_the_whole_version_sign_it(world: World) -> None:
    """Approving sections is not signing: the publication names each signatory once, for
    their stance on the whole version."""
    statement, fatima, ben, rosa = world
    sid = statement.id
    fatima.patch(f"/api/statements/{sid}", json={"approval_rule": "majority"}).raise_for_status()
    rid = _round(fatima, sid, "Final")
    url = f"/api/statements/{sid}/rounds/{rid}/stances"
    for section in ("preamble", "trust"):
        fatima.post(url, json={"kind": "approve", "section": section}).raise_for_status()
        rosa.post(url, json={"kind": "approve", "section": section}).raise_for_status()
    fatima.post(url, json={"kind": "approve"}).raise_for_status()
    ben.post(url, json={"kind": "abstain"}).raise_for_status()
    fatima.post(f"/api/statements/{sid}/rounds/{rid}/close").raise_for_status()
    published = fatima.post(f"/api/statements/{sid}/publications", json={"version": 1})
    assert published.status_code == 201, published.text
    public = fatima.get(f"/api/public/{statement.slug}").json()
    assert [s["name"] for s in public["signatories"]] == ["Fatima"]
    assert [s["name"] for s in public["abstentions"]] == ["Ben"]
