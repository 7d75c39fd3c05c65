"""Comment threads: anchored passages that follow the text, replies, edits, tombstones,
resolving, mentions, safe Markdown, and who may do what."""

from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.statement import Statement
from app.models.user import User
from app.services import markdown
from tests.factories import add_member, make_statement, make_user, save_text

TEXT = "We value free knowledge. Partners need support."


@pytest.fixture
def people(session: Session, settings: Settings) -> tuple[Statement, User, User, User, User]:
    facilitator = make_user(session, name="Fatima")
    editor = make_user(session, name="Ben Smith")
    reviewer = make_user(session, name="Rosa")
    viewer = make_user(session, name="Vera")
    statement = make_statement(session, settings, facilitator=facilitator, text=TEXT)
    add_member(session, statement, editor, Role.editor)
    add_member(session, statement, reviewer, Role.reviewer)
    add_member(session, statement, viewer, Role.viewer)
    return statement, facilitator, editor, reviewer, viewer


def test_thread_follows_its_passage_and_outlives_it(
    signed_in: Callable[[User], TestClient],
    people: tuple[Statement, User, User, User, User],
) -> None:
    statement, _, editor, reviewer, _ = people
    sid = statement.id
    rosa, ben = signed_in(reviewer), signed_in(editor)
    start = TEXT.index("free knowledge")
    made = rosa.post(
        f"/api/statements/{sid}/threads",
        json={"start": start, "end": start + 14, "rev": 1, "body": "Say *whose* knowledge."},
    )
    assert made.status_code == 201, made.text
    thread = made.json()
    assert thread["quote"] == "free knowledge"
    assert thread["comments"][0]["html"] == "<p>Say <em>whose</em> knowledge.</p>\n"

    save_text(ben, sid, "Together we value open, free knowledge. Partners need support.")
    listed = rosa.get(f"/api/statements/{sid}/threads").json()["data"]
    text = rosa.get(f"/api/statements/{sid}/text").json()["text"]
    assert text[listed[0]["start"] : listed[0]["end"]] == "free knowledge"
    assert not listed[0]["outdated"]

    save_text(ben, sid, "Together we value open sharing. Partners need support.")
    gone = rosa.get(f"/api/statements/{sid}/threads").json()["data"][0]
    assert gone["outdated"]
    assert gone["quote"] == "free knowledge"
    assert gone["start"] == gone["end"]


def test_version_threads_never_move(
    signed_in: Callable[[User], TestClient],
    people: tuple[Statement, User, User, User, User],
) -> None:
    statement, facilitator, editor, _, _ = people
    sid = statement.id
    fatima, ben = signed_in(facilitator), signed_in(editor)
    fatima.post(f"/api/statements/{sid}/versions", json={"name": "Draft 1"})
    made = ben.post(
        f"/api/statements/{sid}/threads",
        json={"version": 1, "start": 3, "end": 8, "body": "Value?"},
    ).json()
    save_text(ben, sid, "Yes. " + TEXT)
    on_version = fatima.get(f"/api/statements/{sid}/threads", params={"version": "1"}).json()
    assert [(t["start"], t["end"], t["quote"]) for t in on_version["data"]] == [(3, 8, "value")]
    assert fatima.get(f"/api/statements/{sid}/threads").json()["data"] == []
    everything = fatima.get(f"/api/statements/{sid}/threads", params={"version": "all"}).json()
    assert [t["id"] for t in everything["data"]] == [made["id"]]


def test_replies_edits_tombstones_and_resolving(
    signed_in: Callable[[User], TestClient],
    people: tuple[Statement, User, User, User, User],
) -> None:
    statement, facilitator, editor, reviewer, viewer = people
    sid = statement.id
    fatima, ben, rosa = signed_in(facilitator), signed_in(editor), signed_in(reviewer)
    thread = rosa.post(
        f"/api/statements/{sid}/threads",
        json={"start": 0, "end": 2, "body": "Who is we? @Ben Smith, any idea?"},
    ).json()
    assert thread["comments"][0]["mentions"] == [editor.id]
    assert '<mark class="mention">@Ben Smith</mark>' in thread["comments"][0]["html"]
    tid = thread["id"]
    answer = ben.post(f"/api/statements/{sid}/threads/{tid}/comments", json={"body": "Us all."})
    assert answer.status_code == 201
    cid = answer.json()["id"]

    assert (
        rosa.patch(f"/api/statements/{sid}/comments/{cid}", json={"body": "x"}).status_code == 403
    )
    edited = ben.patch(f"/api/statements/{sid}/comments/{cid}", json={"body": "All of us."})
    assert edited.json()["body"] == "All of us."
    assert edited.json()["edits"] == 1
    earlier = ben.get(f"/api/statements/{sid}/comments/{cid}/edits").json()["data"]
    assert [e["body"] for e in earlier] == ["Us all."]

    assert rosa.delete(f"/api/statements/{sid}/comments/{cid}").status_code == 403
    assert fatima.delete(f"/api/statements/{sid}/comments/{cid}").status_code == 204
    comments = rosa.get(f"/api/statements/{sid}/threads").json()["data"][0]["comments"]
    assert [c["body"] for c in comments] == ["Who is we? @Ben Smith, any idea?", ""]
    assert comments[1]["deleted_at"] is not None
    assert ben.get(f"/api/statements/{sid}/comments/{cid}/edits").json()["count"] == 0
    assert ben.patch(f"/api/statements/{sid}/comments/{cid}", json={"body": "y"}).status_code == 409

    resolved = ben.post(f"/api/statements/{sid}/threads/{tid}/resolve").json()
    assert resolved["resolved_by"] == "Ben Smith"
    assert resolved["resolved_at"] is not None
    reopened = rosa.post(f"/api/statements/{sid}/threads/{tid}/reopen").json()
    assert reopened["resolved_at"] is None

    vera = signed_in(viewer)
    assert vera.get(f"/api/statements/{sid}/threads").status_code == 200
    refused = vera.post(f"/api/statements/{sid}/threads/{tid}/comments", json={"body": "Hi"})
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<svg onload=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "![x](javascript:alert(1))",
        "<iframe src=https://evil.example></iframe>",
        "<p style='background:url(javascript:alert(1))'>x</p>",
    ],
)
def test_hostile_markdown_renders_harmless(
    attack: str,
    signed_in: Callable[[User], TestClient],
    people: tuple[Statement, User, User, User, User],
) -> None:
    statement, _, editor, _, _ = people
    made = signed_in(editor).post(
        f"/api/statements/{statement.id}/threads", json={"start": 0, "end": 2, "body": attack}
    )
    found = _Markup()
    found.feed(made.json()["comments"][0]["html"])
    assert found.tags <= SAFE_TAGS, (attack, found.tags)
    for tag, name, value in found.attributes:
        assert name in {"href", "title", "rel", "class", "align"}, (attack, tag, name)
        if name == "href":
            assert value.startswith(("http://", "https://", "mailto:")), (attack, value)


SAFE_TAGS = {"p", "em", "strong", "a", "code", "pre", "blockquote", "ul", "ol", "li", "mark"}


class _Markup(HTMLParser):
    """Every element and attribute a piece of HTML would make in a browser."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def test_bad_threads_refused(
    signed_in: Callable[[User], TestClient],
    people: tuple[Statement, User, User, User, User],
    settings: Settings,
) -> None:
    statement, _, editor, _, _ = people
    ben = signed_in(editor)
    url = f"/api/statements/{statement.id}/threads"
    for body, status in [
        ({"start": 5, "end": 5, "body": "Empty passage"}, 422),
        ({"start": 0, "end": 999, "body": "Past the end"}, 422),
        ({"start": 0, "end": 2, "body": "   "}, 422),
        ({"start": 0, "end": 2, "rev": 9, "body": "Future"}, 404),
        ({"start": 0, "end": 2, "version": 4, "body": "No such version"}, 404),
        # Past the largest integer the database keeps: invalid, not a server error.
        ({"start": 0, "end": 2, "rev": 2**63, "body": "Far future"}, 422),
        ({"start": 0, "end": 2, "version": 2**63, "body": "Far future"}, 422),
        ({"start": 0, "end": 2, "body": "x" * (settings.max_comment_chars + 1)}, 413),
        ({"start": 0, "end": 2, "body": "x", "colour": "red"}, 422),
    ]:
        response = ben.post(url, json=body)
        assert response.status_code == status, (body, response.text)
        assert isinstance(response.json()["detail"], str)
    for version in ["²", "9" * 20, "-1"]:  # a digit int() refuses, a number past any version
        listed = ben.get(url, params={"version": version})
        assert listed.status_code == 422, (version, listed.text)
    assert ben.get(url).json()["count"] == 0


def test_the_same_words_mark_only_that_statements_people(
    signed_in: Callable[[User], TestClient],
    people: tuple[Statement, User, User, User, User],
    session: Session,
    settings: Settings,
) -> None:
    """Rendered comments are kept for the next load: a body is marked by who it mentions where
    it was written, not by where the same words were rendered before."""
    statement, facilitator, editor, _, _ = people
    other = make_statement(session, settings, facilitator=facilitator, text=TEXT)
    add_member(session, other, editor, Role.editor)
    body = "Thanks @Rosa and @Ben Smith."
    here = signed_in(facilitator)
    for sid in (statement.id, other.id, statement.id):
        made = here.post(
            f"/api/statements/{sid}/threads", json={"start": 0, "end": 2, "body": body}
        )
        assert made.status_code == 201
    listed = {
        sid: [
            c["html"]
            for t in here.get(f"/api/statements/{sid}/threads").json()["data"]
            for c in t["comments"]
        ]
        for sid in (statement.id, other.id)
    }
    both = '<mark class="mention">@Rosa</mark> and <mark class="mention">@Ben Smith</mark>'
    assert all(both in html for html in listed[statement.id])
    assert len(listed[statement.id]) == 2
    (alone,) = listed[other.id]
    assert "@Rosa and" in alone
    assert '<mark class="mention">@Rosa' not in alone
    assert '<mark class="mention">@Ben Smith</mark>' in alone
    # An edit shows its new words, not the rendering of the old ones.
    cid = here.get(f"/api/statements/{other.id}/threads").json()["data"][0]["comments"][0]["id"]
    edited = here.patch(f"/api/statements/{other.id}/comments/{cid}", json={"body": "*Thanks*"})
    assert edited.json()["html"] == "<p><em>Thanks</em></p>\n"


def test_kept_renderings_stay_within_their_budget() -> None:
    kept = markdown._Rendered(budget=1_000)
    for number in range(200):
        body = f"Comment number {number} with **some** words."
        kept.put((body, ()), markdown._render(body, ()))
        assert kept.used <= 1_000
    assert kept.get(("Comment number 199 with **some** words.", ())) is not None
    assert kept.get(("Comment number 0 with **some** words.", ())) is None
    # One body too large for a quarter of the budget is rendered each time, not kept.
    kept.put(("x" * 400, ()), "<p>" + "x" * 400 + "</p>")
    assert kept.get(("x" * 400, ())) is None
