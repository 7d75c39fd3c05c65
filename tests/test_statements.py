"""Creating, listing, reading and changing statements, and the limits on what is sent."""

from collections.abc import Callable, Iterator

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.user import User
from tests.factories import make_user


def test_create_statement_makes_creator_facilitator(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    me = signed_in(make_user(session, organisation="Wikimedia Norway"))
    response = me.post(
        "/api/statements",
        json={
            "title": "Statement on Partnerships",
            "context": "Workshop, day two",
            "text": "# Draft\n",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["my_role"] == "facilitator"
    assert body["slug"] == "statement-on-partnerships"
    assert body["member_count"] == 1
    assert body["state"] == "drafting"
    assert me.get(f"/api/statements/{body['id']}/text").json() == {"rev": 1, "text": "# Draft\n"}
    members = me.get(f"/api/statements/{body['id']}/members").json()
    assert members["data"][0]["organisation"] == "Wikimedia Norway"


def test_create_statement_slug_unique(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    me = signed_in(make_user(session))
    slugs = [
        me.post("/api/statements", json={"title": "Ünïcode Partnerships!"}).json()["slug"]
        for _ in range(3)
    ]
    assert slugs == ["unicode-partnerships", "unicode-partnerships-2", "unicode-partnerships-3"]


def test_create_statement_rejects_bad_input(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    me = signed_in(make_user(session))
    too_long = me.post("/api/statements", json={"title": "x" * (settings.max_title_chars + 1)})
    assert too_long.status_code == 422
    assert "at most 200 characters" in too_long.json()["detail"]
    blank = me.post("/api/statements", json={"title": "   "})
    assert blank.status_code == 422
    planted = me.post("/api/statements", json={"title": "Mine", "state": "published"})
    assert planted.status_code == 422
    assert "state: is not a field that can be set here" in planted.json()["detail"]
    nul = me.post("/api/statements", json={"title": "Nul", "text": "a\u0000b"})
    assert nul.status_code == 422
    assert me.get("/api/statements").json()["count"] == 0


def test_create_statement_text_over_limit(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    me = signed_in(make_user(session))
    text = "é" * (settings.max_text_bytes // 2 + 1)  # two bytes each in UTF-8
    response = me.post("/api/statements", json={"title": "Big", "text": text})
    assert response.status_code == 413
    assert "limit is 1048576" in response.json()["detail"]
    assert me.get("/api/statements").json()["count"] == 0


def test_request_body_over_limit(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    me = signed_in(make_user(session))
    response = me.post(
        "/api/statements",
        content=b"{" + b" " * settings.max_body_bytes + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "larger than the limit" in response.json()["detail"]


def test_text_no_database_keeps_refused(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    me = signed_in(make_user(session))
    json_body = {"Content-Type": "application/json"}
    # PostgreSQL keeps no NUL in text, and half a surrogate pair has no UTF-8 form at all.
    for body in [r'{"title": "a\u0000b"}', r'{"title": "T", "context": "\ud800 \udc00"}']:
        response = me.post("/api/statements", content=body, headers=json_body)
        assert response.status_code == 422, body
        assert "NUL character" in response.json()["detail"]
    for path in ["/api/public/a%00b", "/api/statements?title=%00"]:
        assert me.get(path).status_code == 422, path
    # A pair spelt as escapes is one character, and an escaped backslash before u0000 is text.
    kept = me.post(
        "/api/statements", content=r'{"title": "\ud83d\ude00 \\u0000"}', headers=json_body
    )
    assert kept.status_code == 201, kept.text
    assert kept.json()["title"] == "😀 \\u0000"
    assert me.get("/api/statements").json()["count"] == 1


def test_update_statement_settings(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    me = signed_in(make_user(session))
    sid = me.post("/api/statements", json={"title": "Draft"}).json()["id"]
    response = me.patch(
        f"/api/statements/{sid}",
        json={
            "title": "Final title",
            "context": "For the movement",
            "slug": "partnerships-2017",
            "finalise_by": "2017-12-15",
            "publish_on": "2018-01-15",
            "approval_rule": "quorum",
            "approval_quorum": 9,
        },
    )
    assert response.status_code == 200, response.text
    read = me.get(f"/api/statements/{sid}").json()
    assert read["title"] == "Final title"
    assert read["slug"] == "partnerships-2017"
    assert read["finalise_by"] == "2017-12-15"
    assert (read["approval_rule"], read["approval_quorum"]) == ("quorum", 9)
    cleared = me.patch(f"/api/statements/{sid}", json={"publish_on": None}).json()
    assert cleared["publish_on"] is None
    assert cleared["finalise_by"] == "2017-12-15"
    events = me.get(f"/api/statements/{sid}/audit").json()["data"]
    assert [e["kind"] for e in events][:2] == ["statement.updated", "statement.updated"]


def test_update_statement_rejects_inconsistent_settings(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    me = signed_in(make_user(session))
    sid = me.post("/api/statements", json={"title": "Draft"}).json()["id"]
    me.post("/api/statements", json={"title": "Taken"})
    cases = [
        ({"approval_rule": "quorum"}, 422, "how many organisations"),
        ({"finalise_by": "2018-01-15", "publish_on": "2017-12-15"}, 422, "cannot come before"),
        ({"slug": "taken"}, 409, "/s/taken is taken"),
        ({"slug": "Not A Slug"}, 422, "slug"),
        ({"approval_rule": "dictator"}, 422, "approval_rule"),
        ({"created_by": 5}, 422, "created_by: is not a field"),
        ({"title": None}, 422, "title"),
    ]
    before = me.get(f"/api/statements/{sid}").json()
    for body, status, words in cases:
        response = me.patch(f"/api/statements/{sid}", json=body)
        assert response.status_code == status, body
        assert words in response.json()["detail"], response.json()
    assert me.get(f"/api/statements/{sid}").json() == before


def test_list_statements_only_mine(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    alice, bob = signed_in(make_user(session)), signed_in(make_user(session))
    alice.post("/api/statements", json={"title": "Alice one"})
    alice.post("/api/statements", json={"title": "Alice two"})
    bob.post("/api/statements", json={"title": "Bob's"})
    listed = alice.get("/api/statements").json()
    assert listed["count"] == 2
    assert {s["title"] for s in listed["data"]} == {"Alice one", "Alice two"}


def test_read_text_at_revision(signed_in: Callable[[User], TestClient], session: Session) -> None:
    me = signed_in(make_user(session))
    sid = me.post("/api/statements", json={"title": "T", "text": "Hello 🌍"}).json()["id"]
    assert me.get(f"/api/statements/{sid}/text", params={"rev": 0}).json() == {"rev": 0, "text": ""}
    assert me.get(f"/api/statements/{sid}/text").json()["text"] == "Hello 🌍"
    future = me.get(f"/api/statements/{sid}/text", params={"rev": 7})
    assert future.status_code == 404
    assert "at revision 1" in future.json()["detail"]
    assert me.get(f"/api/statements/{sid}/text", params={"rev": -1}).status_code == 422


def test_read_routes_refuse_revisions_past_the_largest(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    me = signed_in(make_user(session))
    sid = me.post("/api/statements", json={"title": "T", "text": "Hello"}).json()["id"]
    for route, name in [
        ("text", "rev"),
        ("authorship", "rev"),
        ("audit", "before"),
        ("history", "before"),
        ("changes", "after"),
    ]:
        # No database column keeps such a number: a refusal, not a server error.
        response = me.get(f"/api/statements/{sid}/{route}", params={name: 2**63})
        assert response.status_code == 422, (route, response.text)
        assert name in response.json()["detail"]


def test_unknown_api_path_answers_json(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is nothing at this address."}


def test_security_headers(client: TestClient) -> None:
    response = client.get("/api/me")
    assert response.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_openapi_schema_served(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/statements/{statement_id}/invitations" in schema["paths"]
    assert "/" not in schema["paths"]  # pages are not part of the API


def test_request_body_streamed_over_limit(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    me = signed_in(make_user(session))

    def chunks() -> Iterator[bytes]:
        yield b'{"title": "Streamed", "text": "'
        for _ in range(settings.max_body_bytes // 65536 + 1):
            yield b"x" * 65536
        yield b'"}'

    response = me.post(
        "/api/statements", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert me.get("/api/statements").json()["count"] == 0


def test_create_statement_invalid_json(
    signed_in: Callable[[User], TestClient], session: Session
) -> None:
    me = signed_in(make_user(session))
    response = me.post(
        "/api/statements", content=b'{"title": "x",}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "The body is not valid JSON (error at character 14)."


def test_unknown_page_answers_html(client: TestClient) -> None:
    response = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "There is nothing here" in response.text
    assert (
        client.get("/api/nope", headers={"Accept": "text/html"})
        .headers["content-type"]
        .startswith("application/json")
    )
