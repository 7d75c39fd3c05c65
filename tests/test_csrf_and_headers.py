"""Every state-changing route, read from the OpenAPI schema, refuses a signed-in browser's
request from another site; every answer carries the security headers."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.main import create_app
from app.models.user import User
from tests.factories import make_statement, make_user

UNSAFE = ("post", "put", "patch", "delete")
SCHEMA = create_app(Settings()).openapi()["paths"]
STATE_CHANGING = sorted(
    (method.upper(), path) for path, item in SCHEMA.items() for method in item if method in UNSAFE
)
READS = sorted(path for path, item in SCHEMA.items() if "get" in item)


def _filled(path: str) -> str:
    """The path with every parameter set to 1 (the statement, version, thread... made here)."""
    parts = [("1" if part.startswith("{") else part) for part in path.split("/")]
    return "/".join(parts)


@pytest.fixture
def facilitator(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> TestClient:
    user = make_user(session)
    make_statement(session, settings, facilitator=user, text="Our draft")
    return signed_in(user)


def test_the_schema_has_state_changing_routes() -> None:
    assert len(STATE_CHANGING) >= 20  # the list is read from the schema, not typed in by hand


@pytest.mark.parametrize(("method", "path"), STATE_CHANGING)
def test_foreign_site_cannot_use_the_session_cookie(
    facilitator: TestClient, method: str, path: str
) -> None:
    before = facilitator.get("/api/statements/1").json()
    for origin in ({"Origin": "https://attacker.example"}, {"Origin": "null"}):
        answer = facilitator.request(method, _filled(path), headers=origin, json={})
        assert answer.status_code == 403, (origin, answer.text)
        assert "not allowed" in answer.json()["detail"]
    # A cookie with no Origin or Referer at all is refused too (only tokens go without).
    request = facilitator.build_request(method, _filled(path), json={})
    del request.headers["origin"]
    answer = facilitator.send(request)
    assert answer.status_code == 403, answer.text
    assert "must carry an Origin header" in answer.json()["detail"]
    assert facilitator.get("/api/statements/1").json() == before


@pytest.mark.parametrize("path", READS)
def test_every_answer_carries_the_security_headers(facilitator: TestClient, path: str) -> None:
    answer = facilitator.get(_filled(path))
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert answer.headers["x-content-type-options"] == "nosniff"
    if path.startswith("/api/"):
        # Drafts and everything else of the API are never kept in a cache.
        assert answer.headers["cache-control"] == "no-store"
