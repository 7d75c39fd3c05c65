"""Changing roles, removing members, leaving; a statement always keeps a facilitator."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.user import User
from tests.factories import add_member, make_statement, make_user


def test_change_member_role(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    boss, delegate = make_user(session), make_user(session, organisation="Wikimedia UK")
    statement = make_statement(session, settings, facilitator=boss)
    add_member(session, statement, delegate, Role.editor)
    facilitator, member = signed_in(boss), signed_in(delegate)
    path = f"/api/statements/{statement.id}/members/{delegate.id}"
    response = facilitator.patch(
        path, json={"role": "viewer", "organisation": "Wikimedia UK (board)"}
    )
    assert response.status_code == 200
    assert response.json()["role"] == "viewer"
    assert member.get(f"/api/statements/{statement.id}").json()["my_role"] == "viewer"
    # As a viewer the member can no longer change anything.
    assert member.patch(f"/api/statements/{statement.id}", json={"title": "x"}).status_code == 403
    events = facilitator.get(f"/api/statements/{statement.id}/audit").json()["data"]
    by_kind = {event["kind"]: event["data"] for event in events}
    assert (by_kind["member.role_changed"]["old"], by_kind["member.role_changed"]["new"]) == (
        "editor",
        "viewer",
    )
    assert by_kind["member.organisation_changed"]["new"] == "Wikimedia UK (board)"


def test_change_member_role_of_non_member(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    boss, stranger = make_user(session), make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    response = signed_in(boss).patch(
        f"/api/statements/{statement.id}/members/{stranger.id}", json={"role": "editor"}
    )
    assert response.status_code == 404
    assert signed_in(stranger).get(f"/api/statements/{statement.id}").status_code == 404


def test_last_facilitator_kept(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    boss = make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    me = signed_in(boss)
    path = f"/api/statements/{statement.id}/members/{boss.id}"
    demoted = me.patch(path, json={"role": "editor"})
    assert demoted.status_code == 409
    assert "always needs a facilitator" in demoted.json()["detail"]
    assert me.delete(path).status_code == 409
    assert me.get(f"/api/statements/{statement.id}").json()["my_role"] == "facilitator"


def test_facilitator_hands_over_then_steps_down(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    boss, successor = make_user(session), make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    add_member(session, statement, successor, Role.editor)
    me = signed_in(boss)
    base = f"/api/statements/{statement.id}/members"
    assert me.patch(f"{base}/{successor.id}", json={"role": "facilitator"}).status_code == 200
    assert me.patch(f"{base}/{boss.id}", json={"role": "editor"}).status_code == 200
    assert (
        signed_in(successor).get(f"/api/statements/{statement.id}/invitations").status_code == 200
    )


def test_removed_member_loses_access(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    boss, delegate = make_user(session), make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    add_member(session, statement, delegate, Role.editor)
    member = signed_in(delegate)
    assert member.get(f"/api/statements/{statement.id}").status_code == 200
    response = signed_in(boss).delete(f"/api/statements/{statement.id}/members/{delegate.id}")
    assert response.status_code == 204
    assert member.get(f"/api/statements/{statement.id}").status_code == 404
    names = [
        m["user_id"]
        for m in signed_in(boss).get(f"/api/statements/{statement.id}/members").json()["data"]
    ]
    assert names == [boss.id]


def test_member_leaves_statement(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    boss, delegate, other = make_user(session), make_user(session), make_user(session)
    statement = make_statement(session, settings, facilitator=boss)
    add_member(session, statement, delegate, Role.reviewer)
    add_member(session, statement, other, Role.reviewer)
    member = signed_in(delegate)
    refused = member.delete(f"/api/statements/{statement.id}/members/{other.id}")
    assert refused.status_code == 403
    assert member.delete(f"/api/statements/{statement.id}/members/{delegate.id}").status_code == 204
    assert member.get("/api/statements").json()["count"] == 0
    events = signed_in(boss).get(f"/api/statements/{statement.id}/audit").json()["data"]
    assert events[0]["kind"] == "member.left"


def test_list_members_facilitators_first(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    boss = make_user(session, name="Zed", organisation="Workshop")
    statement = make_statement(session, settings, facilitator=boss)
    for name, organisation, role in [
        ("Bo", "Wikimedia UK", Role.viewer),
        ("Al", "Wikimedia Israel", Role.editor),
        ("Cy", "Creative Commons", Role.editor),
    ]:
        add_member(
            session, statement, make_user(session, name=name, organisation=organisation), role
        )
    listed = signed_in(boss).get(f"/api/statements/{statement.id}/members").json()
    assert listed["count"] == 4
    assert [(m["name"], m["role"]) for m in listed["data"]] == [
        ("Zed", "facilitator"),
        ("Cy", "editor"),
        ("Al", "editor"),
        ("Bo", "viewer"),
    ]


def test_audit_log_names_members_and_pages_back(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    boss, delegate = make_user(session), make_user(session, name="Dana", organisation="WMUK")
    statement = make_statement(session, settings, facilitator=boss)
    add_member(session, statement, delegate, Role.editor)
    me = signed_in(boss)
    base = f"/api/statements/{statement.id}"
    me.patch(f"{base}/members/{delegate.id}", json={"organisation": "Wikimedia UK"})
    me.patch(f"{base}/members/{delegate.id}", json={"organisation": "Wikimedia UK"})  # no change
    me.delete(f"{base}/members/{delegate.id}")
    events = me.get(f"{base}/audit").json()["data"]
    assert [e["kind"] for e in events] == [
        "member.removed",
        "member.organisation_changed",
        "member.joined",
        "statement.created",
    ]
    removed, changed, joined = events[0]["data"], events[1]["data"], events[2]["data"]
    assert removed == {"member_id": delegate.id, "member": "Dana"}
    assert (changed["old"], changed["new"]) == ("WMUK", "Wikimedia UK")
    assert joined["member_id"] == delegate.id
    older = me.get(f"{base}/audit", params={"before": events[1]["id"], "limit": 1}).json()
    assert [e["kind"] for e in older["data"]] == ["member.joined"]
