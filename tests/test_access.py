"""Every statement route for each role, a non-member and an anonymous caller."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.comment import ThreadCreate
from app.models.membership import Role
from app.models.review import RoundCreate
from app.models.suggestion import SuggestionCreate
from app.models.user import User
from app.models.version import VersionCreate
from app.services import comments, reviews, suggestions, versions
from tests.factories import add_member, make_invitation, make_statement, make_user

CALLERS = ["facilitator", "editor", "reviewer", "viewer", "non-member", "anonymous"]
READ = {"facilitator": 200, "editor": 200, "reviewer": 200, "viewer": 200}
EDIT = {"facilitator": 200, "editor": 200, "reviewer": 403, "viewer": 403}
MANAGE = {"facilitator": 200, "editor": 403, "reviewer": 403, "viewer": 403}
SAVE = {"facilitator": 201, "editor": 201, "reviewer": 403, "viewer": 403}
COMMENT = {"facilitator": 200, "editor": 200, "reviewer": 200, "viewer": 403}
WRITE = {"facilitator": 201, "editor": 201, "reviewer": 201, "viewer": 403}
NOT_YOURS = {"facilitator": 403, "editor": 403, "reviewer": 403, "viewer": 403}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    allowed: dict[str, int]
    body: dict[str, Any] | None = None

    def expected(self, caller: str) -> int:
        if caller == "anonymous":
            return 401
        if caller == "non-member":
            return 404
        return self.allowed[caller]


ROUTES = [
    Route("GET", "/api/statements/{sid}", READ),
    Route("PATCH", "/api/statements/{sid}", MANAGE, {"context": "Changed"}),
    Route("GET", "/api/statements/{sid}/text", READ),
    Route("POST", "/api/statements/{sid}/text", EDIT, {"base_rev": 1, "text": "Draft!"}),
    Route("GET", "/api/statements/{sid}/audit", READ),
    Route("GET", "/api/statements/{sid}/changes", READ),
    Route("GET", "/api/statements/{sid}/history", READ),
    Route("GET", "/api/statements/{sid}/authorship", READ),
    Route("GET", "/api/statements/{sid}/versions", READ),
    Route("POST", "/api/statements/{sid}/versions", SAVE, {"name": "Draft 2"}),
    Route("GET", "/api/statements/{sid}/versions/{version}", READ),
    Route("POST", "/api/statements/{sid}/versions/{version}/restore", EDIT),
    Route("GET", "/api/statements/{sid}/members", READ),
    Route("GET", "/api/statements/{sid}/versions/{version}/export", READ),
    Route("GET", "/api/statements/{sid}/versions/{version}/suggestions", READ),
    # Version 1 is under review, not approved: the facilitator may publish, but not it.
    Route(
        "POST", "/api/statements/{sid}/publications", {**MANAGE, "facilitator": 409}, {"version": 1}
    ),
    Route("GET", "/api/statements/{sid}/rounds", READ),
    # The world's round is open, so the facilitator opening another meets a conflict.
    Route("POST", "/api/statements/{sid}/rounds", {**MANAGE, "facilitator": 409}, {"version": 1}),
    Route("GET", "/api/statements/{sid}/rounds/{round}", READ),
    Route("POST", "/api/statements/{sid}/rounds/{round}/stances", WRITE, {"kind": "approve"}),
    Route("POST", "/api/statements/{sid}/rounds/{round}/close", MANAGE),
    Route("GET", "/api/statements/{sid}/rounds/{round}/consent", READ),
    Route("GET", "/api/statements/{sid}/rounds/{round}/sections", READ),
    Route("GET", "/api/statements/{sid}/cockpit", MANAGE),
    Route("POST", "/api/statements/{sid}/rounds/{round}/remind", MANAGE),
    # Nobody has a stance on the section yet: those with a say find none to take back.
    Route(
        "DELETE",
        "/api/statements/{sid}/rounds/{round}/stances/{section}",
        {"facilitator": 404, "editor": 404, "reviewer": 404, "viewer": 403},
    ),
    Route("GET", "/api/statements/{sid}/sections", READ),
    Route("GET", "/api/statements/{sid}/versions/{version}/sections", READ),
    Route("POST", "/api/statements/{sid}/sections/{section}/lock", MANAGE),
    Route(
        "POST", "/api/statements/{sid}/sections/{section}/unlock", {**MANAGE, "facilitator": 409}
    ),
    Route("GET", "/api/statements/{sid}/suggestions", READ),
    Route("POST", "/api/statements/{sid}/suggestions", WRITE, {"base_rev": 1, "op": ["Oh, ", 5]}),
    Route("POST", "/api/statements/{sid}/suggestions/{suggestion}/reject", EDIT, {"reason": "No"}),
    Route("POST", "/api/statements/{sid}/suggestions/{suggestion}/withdraw", NOT_YOURS),
    Route(
        "PUT",
        "/api/statements/{sid}/suggestions/{suggestion}",
        NOT_YOURS,
        {"base_rev": 1, "op": ["Their ", 5]},
    ),
    Route("POST", "/api/statements/{sid}/suggestions/{suggestion}/accept", EDIT),
    Route("POST", "/api/statements/{sid}/suggestions/accept", EDIT, {"ids": [1]}),
    Route("POST", "/api/statements/{sid}/suggestions/{suggestion}/vote", MANAGE),
    # The world's suggestion is open, not put to a vote: those with a say meet a conflict.
    Route(
        "POST",
        "/api/statements/{sid}/suggestions/{suggestion}/votes",
        {"facilitator": 409, "editor": 409, "reviewer": 409, "viewer": 403},
        {"kind": "support"},
    ),
    Route("GET", "/api/statements/{sid}/suggestions/{suggestion}/votes", READ),
    Route(
        "POST",
        "/api/statements/{sid}/suggestions/{suggestion}/vote/close",
        {**MANAGE, "facilitator": 409},
    ),
    Route("GET", "/api/statements/{sid}/suggestions/{suggestion}/comments", READ),
    Route(
        "POST", "/api/statements/{sid}/suggestions/{suggestion}/comments", WRITE, {"body": "Yes"}
    ),
    Route("GET", "/api/statements/{sid}/threads", READ),
    Route("POST", "/api/statements/{sid}/threads", WRITE, {"start": 0, "end": 2, "body": "Hm"}),
    Route("POST", "/api/statements/{sid}/threads/{thread}/comments", WRITE, {"body": "Yes"}),
    Route("POST", "/api/statements/{sid}/threads/{thread}/resolve", COMMENT),
    Route("POST", "/api/statements/{sid}/threads/{thread}/reopen", COMMENT),
    Route("PATCH", "/api/statements/{sid}/comments/{comment}", NOT_YOURS, {"body": "Mine"}),
    Route("DELETE", "/api/statements/{sid}/comments/{comment}", {**NOT_YOURS, "facilitator": 204}),
    Route("GET", "/api/statements/{sid}/comments/{comment}/edits", READ),
    Route("GET", "/api/statements/{sid}/diff?from=1&to=live", READ),
    Route("PATCH", "/api/statements/{sid}/members/{other}", MANAGE, {"role": "viewer"}),
    Route("DELETE", "/api/statements/{sid}/members/{other}", {**MANAGE, "facilitator": 204}),
    Route(
        "POST",
        "/api/statements/{sid}/invitations",
        {**MANAGE, "facilitator": 201},
        {"role": "editor"},
    ),
    Route("GET", "/api/statements/{sid}/invitations", MANAGE),
    Route(
        "DELETE", "/api/statements/{sid}/invitations/{invitation}", {**MANAGE, "facilitator": 204}
    ),
]


@dataclass
class World:
    clients: dict[str, TestClient]
    ids: dict[str, int | str]
    snapshot: Callable[[], Any]


@pytest.fixture
def world(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> World:
    people = {name: make_user(session, name=name.title()) for name in CALLERS[:-1]}
    other = make_user(session, name="Other Member")
    statement = make_statement(session, settings, facilitator=people["facilitator"], text="Draft")
    for role in (Role.editor, Role.reviewer, Role.viewer):
        add_member(session, statement, people[role.value], role)
    add_member(session, statement, other, Role.editor)
    # The non-member has a statement of their own, so they are a real, active user.
    theirs = make_statement(session, settings, facilitator=people["non-member"], title="Theirs")
    make_invitation(session, settings, statement, people["facilitator"])
    versions.save_version(
        session=session,
        statement_id=statement.id,
        version_in=VersionCreate(name="Draft 1"),
        author=people["facilitator"],
    )
    session.commit()
    review = reviews.open_round(
        session=session,
        statement=statement,
        round_in=RoundCreate(version=1),
        actor=people["facilitator"],
    )
    session.commit()
    # A thread on the draft, begun by the other member: nobody else may edit their comment.
    thread = comments.start_thread(
        session=session,
        settings=settings,
        statement_id=statement.id,
        thread_in=ThreadCreate(start=0, end=2, body="Their comment"),
        author=other,
    )
    # A suggestion of the other member's: only they may withdraw it.
    suggestion = suggestions.make(
        session=session,
        settings=settings,
        statement_id=statement.id,
        author=other,
        suggestion_in=SuggestionCreate(base_rev=1, op=["Our ", 5]),
    )
    session.commit()
    clients = {name: signed_in(user) for name, user in people.items()}
    clients["anonymous"] = client
    facilitator = clients["facilitator"]
    sid = statement.id

    def snapshot() -> Any:
        return [
            facilitator.get(f"/api/statements/{sid}").json(),
            facilitator.get(f"/api/statements/{sid}/members").json(),
            facilitator.get(f"/api/statements/{sid}/invitations").json(),
            facilitator.get(f"/api/statements/{sid}/versions").json(),
            facilitator.get(f"/api/statements/{sid}/text").json(),
            facilitator.get(f"/api/statements/{sid}/threads").json(),
            facilitator.get(f"/api/statements/{sid}/rounds").json(),
            facilitator.get(f"/api/statements/{sid}/suggestions").json(),
            facilitator.get(f"/api/statements/{sid}/threads?suggestions=true").json(),
            facilitator.get(f"/api/statements/{sid}/sections").json(),
        ]

    return World(
        clients,
        {
            "sid": sid,
            "other": other.id,
            "invitation": 1,
            "version": 1,
            "thread": thread.id,
            "suggestion": suggestion.id,
            "comment": 1,
            "round": review.id,
            "theirs": theirs.id,
            "section": "preamble",
        },
        snapshot,
    )


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_statement_routes_follow_role_table(world: World, route: Route, caller: str) -> None:
    before = world.snapshot()
    path = route.path.format(**world.ids)
    response = world.clients[caller].request(route.method, path, json=route.body)
    assert response.status_code == route.expected(caller), response.text
    if response.status_code >= 400:
        assert isinstance(response.json()["detail"], str)
        # A refused request changes nothing and reveals nothing about the statement.
        assert world.snapshot() == before
        assert "Statement on Partnerships" not in response.text


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_statement_routes_refuse_ids_past_the_largest(world: World, route: Route) -> None:
    """An id no database column can keep is refused as invalid, not met with a server error."""
    for name in re.findall(r"{(\w+)}", route.path):
        if name == "section":
            continue  # a section's id is a word, not a number
        path = route.path.format(**{**world.ids, name: 2**63})
        response = world.clients["facilitator"].request(route.method, path, json=route.body)
        assert response.status_code == 422, (name, response.text)
        assert "less than or equal to" in response.json()["detail"]


def test_schema_declares_the_refusals_of_statement_routes(app: FastAPI) -> None:
    """What the access check answers is in the schema, 422 with its `errors`."""
    schema = app.openapi()
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/statements/{statement_id}"):
            continue
        for method, operation in operations.items():
            answers = operation["responses"]
            assert {"401", "403", "404", "422"} <= set(answers), (method, path)
            invalid = answers["422"]["content"]["application/json"]["schema"]["$ref"]
            assert invalid == "#/components/schemas/InvalidRequest", (method, path)
    fields = schema["components"]["schemas"]["InvalidRequest"]["properties"]
    assert set(fields) == {"detail", "errors"}


def test_role_table_covers_every_statement_route(app: FastAPI) -> None:
    tested = {(r.method, r.path.split("?")[0].replace("{sid}", "{statement_id}")) for r in ROUTES}
    tested = {
        (
            m,
            p.replace("{other}", "{user_id}")
            .replace("{invitation}", "{invitation_id}")
            .replace("{version}", "{number}")
            .replace("{thread}", "{thread_id}")
            .replace("{suggestion}", "{suggestion_id}")
            .replace("{comment}", "{comment_id}")
            .replace("{round}", "{round_id}"),
        )
        for m, p in tested
    }
    schema = app.openapi()["paths"]
    statement_routes = {
        (method.upper(), path)
        for path, operations in schema.items()
        if path.startswith("/api/statements/{statement_id}")
        for method in operations
    }
    assert statement_routes == tested


def test_personal_routes_need_sign_in(client: TestClient) -> None:
    for method, path in [
        ("GET", "/api/me"),
        ("PATCH", "/api/me"),
        ("GET", "/api/statements"),
        ("POST", "/api/statements"),
        ("GET", "/api/tokens"),
        ("POST", "/api/tokens"),
        ("DELETE", "/api/tokens/1"),
        ("DELETE", "/api/sessions"),
        ("POST", "/api/me/password"),
        ("GET", "/api/users"),
        ("PATCH", "/api/users/1"),
    ]:
        response = client.request(method, path, json={"name": "x", "title": "x"})
        assert response.status_code == 401, (method, path)
        assert response.json()["detail"] == "Sign in first."


def test_statement_of_another_member_hidden(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    alice, bob = make_user(session), make_user(session)
    theirs = make_statement(session, settings, facilitator=alice, title="Alice's private draft")
    response = signed_in(bob).get(f"/api/statements/{theirs.id}")
    missing = signed_in(bob).get("/api/statements/999999")
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()
    assert signed_in(bob).get("/api/statements").json() == {"data": [], "count": 0}


SUB_IDS = (
    "{version}",
    "{thread}",
    "{suggestion}",
    "{comment}",
    "{round}",
    "{invitation}",
    "{other}",
)
CROSSED = [route for route in ROUTES if any(sub in route.path for sub in SUB_IDS)]


@pytest.mark.parametrize("route", CROSSED, ids=lambda r: f"{r.method} {r.path}")
def test_ids_of_another_statement_are_not_found_in_ones_own(world: World, route: Route) -> None:
    """The facilitator of another statement names this statement's versions, threads,
    comments, rounds, invitations and members in their own statement's paths."""
    before = world.snapshot()
    path = route.path.format(**{**world.ids, "sid": world.ids["theirs"]})
    response = world.clients["non-member"].request(route.method, path, json=route.body)
    assert response.status_code == 404, response.text
    assert isinstance(response.json()["detail"], str)
    assert world.snapshot() == before
    for secret in ("Statement on Partnerships", "Their comment", "Draft 1"):
        assert secret not in response.text
