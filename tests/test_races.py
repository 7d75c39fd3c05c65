"""Requests sent at the same moment: where only one may win, one does and the others get a
clear 409; where all may win, all do, each seeing the others' work. Every request comes from
its own client and thread, released together by a barrier."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.statement import Statement
from app.models.user import User
from tests.factories import add_member, make_invitation, make_statement, make_user

AT_ONCE = 8
SignedIn = Callable[[User], TestClient]


def at_once(
    clients: list[TestClient], send: Callable[[TestClient, int], httpx.Response]
) -> list[httpx.Response]:
    """Call `send(client, index)` for every client, each in its own thread, all released at
    the same moment."""
    barrier = threading.Barrier(len(clients), timeout=60)

    def go(index: int) -> httpx.Response:
        barrier.wait()
        return send(clients[index], index)

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(go, range(len(clients))))


def statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(response.status_code for response in responses)


def audited(client: TestClient, statement_id: int, kind: str) -> list[dict[str, Any]]:
    events = client.get(f"/api/statements/{statement_id}/audit").json()["data"]
    return [event for event in events if event["kind"] == kind]


@pytest.fixture
def fatima(session: Session) -> User:
    return make_user(session, name="Fatima", organisation="Workshop")


def _with_round(
    signed_in: SignedIn,
    session: Session,
    settings: Settings,
    facilitator: User,
    rule: str = "consent",
) -> tuple[Statement, int]:
    statement = make_statement(session, settings, facilitator=facilitator, text="We agree.")
    me = signed_in(facilitator)
    assert me.patch(f"/api/statements/{statement.id}", json={"approval_rule": rule}).is_success
    assert me.post(f"/api/statements/{statement.id}/versions", json={"name": "Final"}).is_success
    opened = me.post(f"/api/statements/{statement.id}/rounds", json={"version": 1})
    assert opened.status_code == 201, opened.text
    return statement, opened.json()["id"]


def test_create_statements_with_one_title_at_once(fatima: User, signed_in: SignedIn) -> None:
    clients = [signed_in(fatima) for _ in range(2 * AT_ONCE)]

    created = at_once(clients, lambda c, _: c.post("/api/statements", json={"title": "Joint"}))

    assert statuses(created) == [201] * len(clients), [r.text for r in created]
    slugs = [response.json()["slug"] for response in created]
    assert sorted(slugs) == sorted({"joint", *(f"joint-{n}" for n in range(2, len(clients) + 1))})
    assert clients[0].get("/api/statements").json()["count"] == len(clients)


def test_rename_statements_to_one_address_at_once(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    ids = [
        make_statement(session, settings, facilitator=fatima, title=f"Draft {n}").id
        for n in range(AT_ONCE)
    ]
    clients = [signed_in(fatima) for _ in ids]

    renamed = at_once(
        clients,
        lambda c, i: c.patch(f"/api/statements/{ids[i]}", json={"slug": "joint-statement"}),
    )

    assert statuses(renamed) == [200] + [409] * (AT_ONCE - 1), [r.text for r in renamed]
    refused = next(r for r in renamed if r.status_code == 409)
    assert (
        refused.json()["detail"] == "The address /s/joint-statement is taken by another statement."
    )
    mine = clients[0].get("/api/statements").json()["data"]
    assert [s["slug"] for s in mine].count("joint-statement") == 1


def test_open_review_rounds_at_once(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement = make_statement(session, settings, facilitator=fatima, text="We agree.")
    clients = [signed_in(fatima) for _ in range(AT_ONCE)]
    clients[0].post(f"/api/statements/{statement.id}/versions", json={"name": "Final"})
    url = f"/api/statements/{statement.id}/rounds"

    opened = at_once(clients, lambda c, _: c.post(url, json={"version": 1}))

    assert statuses(opened) == [201] + [409] * (AT_ONCE - 1), [r.text for r in opened]
    refused = next(r for r in opened if r.status_code == 409)
    assert refused.json()["detail"] == "A review round is already open; close it first."
    rounds = clients[0].get(url).json()["data"]
    assert [r["closed_at"] for r in rounds] == [None]
    assert len(audited(clients[0], statement.id, "round.opened")) == 1


def test_record_stances_by_one_person_at_once(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement, rid = _with_round(signed_in, session, settings, fatima)
    rosa = make_user(session, name="Rosa", organisation="Creative Commons")
    add_member(session, statement, rosa, Role.reviewer)
    clients = [signed_in(rosa) for _ in range(AT_ONCE)]
    url = f"/api/statements/{statement.id}/rounds/{rid}/stances"

    recorded = at_once(
        clients,
        lambda c, i: c.post(url, json={"kind": "request_changes", "reason": f"Reason {i}"}),
    )

    assert statuses(recorded) == [201] * AT_ONCE, [r.text for r in recorded]
    review = clients[0].get(f"/api/statements/{statement.id}/rounds/{rid}").json()
    hers = [s for s in review["stances"] if s["name"] == "Rosa"]
    assert sorted(s["reason"] for s in hers) == [f"Reason {i}" for i in range(AT_ONCE)]
    assert len([s for s in hers if s["superseded_at"] is None]) == 1
    assert review["tally"]["counts"]["request_changes"] == 1


def test_close_review_round_at_once(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement, rid = _with_round(signed_in, session, settings, fatima)
    clients = [signed_in(fatima) for _ in range(AT_ONCE)]
    clients[0].post(
        f"/api/statements/{statement.id}/rounds/{rid}/stances", json={"kind": "approve"}
    )
    url = f"/api/statements/{statement.id}/rounds/{rid}/close"

    closed = at_once(clients, lambda c, _: c.post(url))

    assert statuses(closed) == [200] + [409] * (AT_ONCE - 1), [r.text for r in closed]
    refused = next(r for r in closed if r.status_code == 409)
    assert refused.json()["detail"] == "This review round is already closed."
    assert len(audited(clients[0], statement.id, "round.closed")) == 1
    assert clients[0].get(f"/api/statements/{statement.id}").json()["state"] == "approved"


def test_stances_and_close_at_once_count_every_accepted_stance(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement, rid = _with_round(signed_in, session, settings, fatima, rule="majority")
    people = [make_user(session, name=f"Reviewer {n}") for n in range(AT_ONCE - 1)]
    for person in people:
        add_member(session, statement, person, Role.reviewer)
    clients = [signed_in(person) for person in people] + [signed_in(fatima)]
    base = f"/api/statements/{statement.id}/rounds/{rid}"

    answers = at_once(
        clients,
        lambda c, i: (
            c.post(f"{base}/close")
            if i == AT_ONCE - 1
            else c.post(f"{base}/stances", json={"kind": "approve"})
        ),
    )

    assert all(r.status_code in (200, 201, 409) for r in answers), [r.text for r in answers]
    accepted = sum(1 for r in answers[:-1] if r.status_code == 201)
    review = clients[0].get(base).json()
    assert review["closed_at"] is not None
    # Every stance the server accepted was recorded before the round closed, and counted.
    assert len(review["stances"]) == accepted
    assert review["approved"] is (accepted > 0)


def test_publish_one_version_at_once(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement, rid = _with_round(signed_in, session, settings, fatima)
    clients = [signed_in(fatima) for _ in range(AT_ONCE)]
    base = f"/api/statements/{statement.id}"
    clients[0].post(f"{base}/rounds/{rid}/stances", json={"kind": "approve"})
    assert clients[0].post(f"{base}/rounds/{rid}/close").json()["approved"]

    published = at_once(clients, lambda c, _: c.post(f"{base}/publications", json={"version": 1}))

    assert statuses(published) == [201] + [409] * (AT_ONCE - 1), [r.text for r in published]
    assert len(audited(clients[0], statement.id, "statement.published")) == 1
    assert clients[0].get(f"/api/public/{statement.slug}/v/2").status_code == 404


def test_save_versions_at_once(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement = make_statement(session, settings, facilitator=fatima, text="We agree.")
    clients = [signed_in(fatima) for _ in range(AT_ONCE)]
    url = f"/api/statements/{statement.id}/versions"

    saved = at_once(clients, lambda c, i: c.post(url, json={"name": f"Draft {i}"}))

    assert statuses(saved) == [201] * AT_ONCE, [r.text for r in saved]
    assert sorted(r.json()["number"] for r in saved) == list(range(1, AT_ONCE + 1))


def test_accept_one_invitation_at_once_as_one_person(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement = make_statement(session, settings, facilitator=fatima)
    token = make_invitation(session, settings, statement, fatima, max_uses=5)
    rosa = make_user(session, name="Rosa")
    clients = [signed_in(rosa) for _ in range(AT_ONCE)]

    joined = at_once(clients, lambda c, _: c.post(f"/api/invitations/{token}/accept", json={}))

    assert statuses(joined) == [200] * AT_ONCE, [r.text for r in joined]
    me = signed_in(fatima)
    assert [
        m["name"] for m in me.get(f"/api/statements/{statement.id}/members").json()["data"]
    ] == [
        "Fatima",
        "Rosa",
    ]
    [invitation] = me.get(f"/api/statements/{statement.id}/invitations").json()["data"]
    assert invitation["use_count"] == 1
    assert len(audited(me, statement.id, "member.joined")) == 1


def test_accept_invitation_at_once_past_its_limit(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement = make_statement(session, settings, facilitator=fatima)
    token = make_invitation(session, settings, statement, fatima, max_uses=3)
    clients = [signed_in(make_user(session)) for _ in range(AT_ONCE)]

    joined = at_once(clients, lambda c, _: c.post(f"/api/invitations/{token}/accept", json={}))

    assert statuses(joined) == [200] * 3 + [409] * (AT_ONCE - 3), [r.text for r in joined]
    refused = next(r for r in joined if r.status_code == 409)
    assert (
        refused.json()["detail"] == "This invitation link has already been used; ask for a new one."
    )
    me = signed_in(fatima)
    assert me.get(f"/api/statements/{statement.id}/members").json()["count"] == 4


def test_facilitators_step_down_at_once(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement = make_statement(session, settings, facilitator=fatima)
    others = [make_user(session, name=f"Facilitator {n}") for n in range(AT_ONCE - 1)]
    for person in others:
        add_member(session, statement, person, Role.facilitator)
    people = [fatima, *others]
    clients = [signed_in(person) for person in people]
    url = f"/api/statements/{statement.id}/members"

    answers = at_once(
        clients, lambda c, i: c.patch(f"{url}/{people[i].id}", json={"role": "editor"})
    )

    assert statuses(answers) == [200] * (AT_ONCE - 1) + [409], [r.text for r in answers]
    refused = next(r for r in answers if r.status_code == 409)
    assert "always needs a facilitator" in refused.json()["detail"]
    kept = next(c for c, r in zip(clients, answers, strict=True) if r.status_code == 409)
    roles = [m["role"] for m in kept.get(url).json()["data"]]
    assert roles.count("facilitator") == 1


def test_facilitators_leave_at_once(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement = make_statement(session, settings, facilitator=fatima)
    others = [make_user(session, name=f"Facilitator {n}") for n in range(AT_ONCE - 1)]
    for person in others:
        add_member(session, statement, person, Role.facilitator)
    people = [fatima, *others]
    clients = [signed_in(person) for person in people]
    url = f"/api/statements/{statement.id}/members"

    answers = at_once(clients, lambda c, i: c.delete(f"{url}/{people[i].id}"))

    assert statuses(answers) == [204] * (AT_ONCE - 1) + [409], [r.text for r in answers]
    stayed = next(c for c, r in zip(clients, answers, strict=True) if r.status_code == 409)
    assert [m["role"] for m in stayed.get(url).json()["data"]] == ["facilitator"]


def test_revoke_invitation_at_once(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement = make_statement(session, settings, facilitator=fatima)
    make_invitation(session, settings, statement, fatima)
    clients = [signed_in(fatima) for _ in range(AT_ONCE)]
    url = f"/api/statements/{statement.id}/invitations"
    [invitation] = clients[0].get(url).json()["data"]

    revoked = at_once(clients, lambda c, _: c.delete(f"{url}/{invitation['id']}"))

    assert statuses(revoked) == [204] * AT_ONCE
    assert len(audited(clients[0], statement.id, "invitation.revoked")) == 1


def _thread(signed_in: SignedIn, statement_id: int, author: User) -> int:
    started = signed_in(author).post(
        f"/api/statements/{statement_id}/threads",
        json={"start": 0, "end": 2, "body": "Who is we?"},
    )
    assert started.status_code == 201, started.text
    thread_id: int = started.json()["id"]
    return thread_id


def test_resolve_thread_at_once(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement = make_statement(session, settings, facilitator=fatima, text="We agree.")
    people = [make_user(session, name=f"Editor {n}") for n in range(AT_ONCE)]
    for person in people:
        add_member(session, statement, person, Role.editor)
    thread_id = _thread(signed_in, statement.id, fatima)
    clients = [signed_in(person) for person in people]
    url = f"/api/statements/{statement.id}/threads/{thread_id}"

    resolved = at_once(clients, lambda c, _: c.post(f"{url}/resolve"))

    assert statuses(resolved) == [200] * AT_ONCE
    # Whoever resolved it first is who resolved it, in every answer and afterwards.
    who = {(r.json()["resolved_by"], r.json()["resolved_at"]) for r in resolved}
    assert len(who) == 1
    [thread] = clients[0].get(f"/api/statements/{statement.id}/threads").json()["data"]
    assert {(thread["resolved_by"], thread["resolved_at"])} == who


def test_edit_comment_at_once_keeps_every_wording(
    fatima: User, signed_in: SignedIn, session: Session, settings: Settings
) -> None:
    statement = make_statement(session, settings, facilitator=fatima, text="We agree.")
    thread_id = _thread(signed_in, statement.id, fatima)
    clients = [signed_in(fatima) for _ in range(AT_ONCE)]
    [thread] = clients[0].get(f"/api/statements/{statement.id}/threads").json()["data"]
    comment_id = thread["comments"][0]["id"]
    url = f"/api/statements/{statement.id}/comments/{comment_id}"

    edited = at_once(clients, lambda c, i: c.patch(url, json={"body": f"Wording {i}"}))

    assert statuses(edited) == [200] * AT_ONCE
    final = clients[0].get(f"/api/statements/{statement.id}/threads").json()["data"][0]
    earlier = [e["body"] for e in clients[0].get(f"{url}/edits").json()["data"]]
    wordings = [*earlier, final["comments"][0]["body"]]
    # Each wording was current once and is kept once: no edit overwrote another unseen.
    assert sorted(wordings) == sorted(["Who is we?", *(f"Wording {i}" for i in range(AT_ONCE))])
    assert thread_id == final["id"]


def test_administrators_demote_each_other_at_once(session: Session, signed_in: SignedIn) -> None:
    admins = [make_user(session, name=f"Admin {n}") for n in range(2)]
    for admin in admins:
        admin.admin = True
        session.add(admin)
    session.commit()
    clients = [signed_in(admin) for admin in admins]
    others = [admins[1].id, admins[0].id]

    changed = at_once(
        clients, lambda c, i: c.patch(f"/api/users/{others[i]}", json={"admin": False})
    )

    assert statuses(changed) == [200, 403], [r.text for r in changed]
    session.expire_all()
    assert [admin.admin for admin in admins].count(True) == 1  # the site keeps one
