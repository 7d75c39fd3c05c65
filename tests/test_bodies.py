"""Request bodies the API cannot take: nested too deep, not UTF-8, not JSON. Each gets its one
answer, on every route, and changes nothing."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import hypothesis
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session

from app.config import Settings
from app.middleware import MAX_NESTING, nesting
from app.models.membership import Role
from app.models.user import User
from tests.factories import PASSWORD, add_member, make_statement, make_user

JSON = {"Content-Type": "application/json"}
DEEP = 1_000


def _arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def _objects(depth: int, inner: str = "1") -> str:
    return '{"a":' * depth + inner + "}" * depth


def deep_bodies() -> dict[str, str]:
    """Bodies nested a thousand levels, or opening as many and never closing."""
    return {
        "arrays": _arrays(DEEP),
        "objects": _objects(DEEP),
        "a deep field": '{"title": "Deep", "text": ' + _arrays(DEEP) + "}",
        "a NUL at the bottom": _objects(DEEP, '"\\u0000"'),
        "never closed": "[" * 5 * DEEP,
    }


def routes(statement_id: int, facilitator_id: int) -> list[tuple[str, str]]:
    return [
        ("POST", "/api/session"),
        ("PATCH", "/api/me"),
        ("POST", "/api/tokens"),
        ("POST", "/api/statements"),
        ("PATCH", f"/api/statements/{statement_id}"),
        ("POST", f"/api/statements/{statement_id}/text"),
        ("PATCH", f"/api/statements/{statement_id}/members/{facilitator_id}"),
        ("POST", f"/api/statements/{statement_id}/threads"),
        ("POST", f"/api/statements/{statement_id}/versions"),
        ("PATCH", f"/api/users/{facilitator_id}"),
    ]


def _state(me: TestClient, statement_id: int) -> list[Any]:
    """What the routes above could change, as the facilitator sees it."""
    return [
        me.get("/api/me").json(),
        me.get("/api/tokens").json(),
        me.get("/api/statements").json(),
        me.get(f"/api/statements/{statement_id}/text").json(),
        me.get(f"/api/statements/{statement_id}/members").json(),
        me.get(f"/api/statements/{statement_id}/threads").json(),
        me.get(f"/api/statements/{statement_id}/versions").json(),
    ]


def test_send_deeply_nested_body_refused_on_every_route(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    facilitator = make_user(session)
    facilitator.admin = True
    session.add(facilitator)
    session.commit()
    statement = make_statement(session, settings, facilitator=facilitator, text="Draft.\n")
    add_member(session, statement, make_user(session), Role.editor)
    me = signed_in(facilitator)
    assert statement.id is not None
    assert facilitator.id is not None
    before = _state(me, statement.id)
    for method, path in routes(statement.id, facilitator.id):
        for name, body in deep_bodies().items():
            response = me.request(method, path, content=body, headers=JSON)
            assert response.status_code == 422, (method, path, name, response.text)
            detail = response.json()["detail"]
            assert f"at most {MAX_NESTING} levels" in detail, (method, path, name)
            assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert _state(me, statement.id) == before


def test_send_deeply_nested_body_in_pieces_refused(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    me = signed_in(make_user(session))

    def pieces() -> Iterator[bytes]:
        yield b'{"title": "Streamed", "text": '
        for _ in range(DEEP):
            yield b"["
        yield b"]" * DEEP + b"}"

    response = me.post("/api/statements", content=pieces(), headers=JSON)
    assert response.status_code == 422
    assert f"{DEEP + 1:,} levels deep" in response.json()["detail"]
    assert me.get("/api/statements").json()["count"] == 0


def test_send_body_nested_within_limit_validated_as_before(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    me = signed_in(make_user(session))
    # Nested as deep as allowed: the fields are checked, and found wanting, as any others.
    at_limit = '{"title": ' + _arrays(MAX_NESTING - 1) + "}"
    response = me.post("/api/statements", content=at_limit, headers=JSON)
    assert response.status_code == 422
    assert response.json()["detail"] == "title: Input should be a valid string"
    # Brackets, quotes and backslashes inside text are text, however many.
    text = '[[[ "quoted \\" [[[[ ]]" ]\n' * 500 + "{" * 2_000 + '\\"' + "[" * 2_000 + "\\"
    body = json.dumps({"title": "Brackets", "text": text})
    assert body.count("[") > 100 * MAX_NESTING
    created = me.post("/api/statements", content=body, headers=JSON)
    assert created.status_code == 201, created.text
    kept = me.get(f"/api/statements/{created.json()['id']}/text").json()["text"]
    assert kept == text


def test_send_body_not_utf8_or_not_json_answered_as_before(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    me = signed_in(make_user(session))
    not_utf8 = me.post("/api/statements", content=b'{"title": "Caf\xe9"}', headers=JSON)
    assert not_utf8.status_code == 400
    assert "detail" in not_utf8.json()
    not_json = me.post("/api/statements", content=b'{"title": [[[}', headers=JSON)
    assert not_json.status_code == 422
    assert not_json.json()["detail"].startswith("The body is not valid JSON")
    closes_first = me.post("/api/statements", content="]" * 100, headers=JSON)
    assert closes_first.status_code == 422
    assert closes_first.json()["detail"].startswith("The body is not valid JSON")
    assert me.get("/api/statements").json()["count"] == 0


def test_sign_in_with_shallow_body_still_works(client: TestClient, session: Session) -> None:
    person = make_user(session)
    response = client.post("/api/session", json={"email": person.email, "password": PASSWORD})
    assert response.status_code == 200


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    return 0


# Strings heavy in what a bracket counter could mistake: quotes, backslashes, brackets.
_TRICKY = st.text(alphabet=st.sampled_from('[]{}"\\\\ x\u00e9\u2028\U0001f600'), max_size=12)
_VALUES = st.recursive(
    st.none() | st.integers() | _TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TRICKY, inner, max_size=4),
    max_leaves=40,
)


@hypothesis.settings(max_examples=300, deadline=None)
@given(_VALUES, st.booleans())
def test_count_nesting_of_any_json_text(value: Any, ascii_only: bool) -> None:
    """The count from brackets outside strings is the depth a parser reaches."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert nesting(text.encode()) == _depth(value)
