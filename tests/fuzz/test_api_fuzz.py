"""The HTTP API fuzzed from its own OpenAPI schema with schemathesis.

Every operation gets inputs made from its schema, valid and invalid, sent by a signed-in
site administrator who facilitates a statement that has a version, a thread, an open review
round and an invitation (and a second one with a publication). Whatever is sent, the answer
is no server error, its status code and body are the ones the schema declares, and a refusal
says why in a JSON `detail` sentence.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlmodel import Session

from app.config import Settings
from app.main import create_app
from app.models.comment import ThreadCreate
from app.models.membership import Role
from app.models.review import RoundCreate
from app.models.user import User
from app.models.version import VersionCreate
from app.services import comments, reviews, sessions, versions
from tests.factories import ORIGIN, add_member, make_invitation, make_statement, make_user

# The schema does not depend on the database: read it from an app that is never started.
SCHEMA = schemathesis.openapi.from_dict(
    create_app(Settings()).openapi(),
    config=schemathesis.Config.from_dict(
        {
            "seed": 1,
            "generation": {"deterministic": True, "database": "none", "max-examples": 25},
        }
    ),
)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@schemathesis.check
def refusal_says_why(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool:
    """Every 4xx answer is a JSON object whose `detail` is a sentence."""
    if 400 <= response.status_code < 500:
        detail = response.json().get("detail") if response.text.startswith("{") else None
        assert isinstance(detail, str), f"no detail in {response.text[:200]!r}"
        assert detail.strip(), "an empty detail"
    return True


@dataclass
class World:
    client: TestClient
    ids: dict[str, Any]


@pytest.fixture
def world(signed_in: Callable[[User], TestClient], session: Session, settings: Settings) -> World:
    facilitator, editor, other = make_user(session), make_user(session), make_user(session)
    facilitator.admin = True
    session.add(facilitator)
    statement = make_statement(session, settings, facilitator=facilitator, text="Hello world")
    add_member(session, statement, editor, Role.editor)
    add_member(session, statement, other, Role.reviewer)
    token = make_invitation(session, settings, statement, facilitator)
    versions.save_version(
        session=session,
        statement_id=statement.id,
        version_in=VersionCreate(name="Draft 1"),
        author=facilitator,
    )
    session.commit()
    review = reviews.open_round(
        session=session, statement=statement, round_in=RoundCreate(version=1), actor=facilitator
    )
    session.commit()
    thread = comments.start_thread(
        session=session,
        settings=settings,
        statement_id=statement.id,
        thread_in=ThreadCreate(start=0, end=5, body="Why hello?"),
        author=editor,
    )
    session.commit()
    api_token, _ = sessions.create_api_token(session=session, user=facilitator, name="script")
    session.commit()
    client = signed_in(facilitator)
    slug = _published(client, session, settings, facilitator)
    return World(
        client,
        {
            "statement_id": statement.id,
            "user_id": editor.id,
            "invitation_id": 1,
            "token": token,
            "number": 1,
            "thread_id": thread.id,
            "comment_id": 1,
            "round_id": review.id,
            "token_id": api_token.id,
            "slug": slug,
        },
    )


def _published(client: TestClient, session: Session, settings: Settings, me: User) -> str:
    """A second statement of mine, approved and published; its public address."""
    statement = make_statement(session, settings, facilitator=me, title="Published", text="Done.")
    base = f"/api/statements/{statement.id}"
    client.post(f"{base}/versions", json={"name": "Final"}).raise_for_status()
    review = client.post(f"{base}/rounds", json={"version": 1}).json()
    client.post(f"{base}/rounds/{review['id']}/stances", json={"kind": "approve"})
    client.post(f"{base}/rounds/{review['id']}/close").raise_for_status()
    client.post(f"{base}/publications", json={"version": 1}).raise_for_status()
    slug: str = client.get(base).json()["slug"]
    return slug


@pytest.mark.slow
@SCHEMA.given(random_ids=st.booleans())
@SCHEMA.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_as_its_schema_says(
    case: schemathesis.Case[Any], random_ids: bool, world: World
) -> None:
    if not random_ids:
        # Aim at what exists as often, so that the operation itself runs, not only its 404.
        for name, value in world.ids.items():
            if case.path_parameters and name in case.path_parameters:
                case.path_parameters[name] = value
        if case.operation.path.endswith("/diff"):
            case.query = {"from": "1", "to": "live"}
    kwargs = case.as_transport_kwargs(base_url=ORIGIN, headers={"Origin": ORIGIN})
    response = world.client.request(
        kwargs["method"],
        kwargs["url"],
        params=kwargs.get("params"),
        headers=kwargs.get("headers"),
        json=kwargs.get("json"),
        content=kwargs.get("data"),
    )
    case.validate_response(response, checks=[*CHECKS, refusal_says_why])
