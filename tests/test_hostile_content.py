"""Hostile content through the API: every text a person can set is kept as typed and never
comes back as live markup; crafted Markdown renders within a bounded amount of work or is
shown as written; export file names stay names."""

import re
import sys
import unicodedata
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.user import User
from app.services import exports, markdown
from tests.factories import add_member, make_invitation, make_statement, make_user
from tests.hostile import PATHOLOGICAL, XSS, XSS_BLOCKS, fitted

CORPUS = "\n\n".join(XSS + XSS_BLOCKS)
# A bound on the work of any one rendering, counted in Python function calls rather than timed,
# so that the count is the same on every machine however busy it is. Four million calls are
# about a third of a second on the two-core machines Accord is measured on; ordinary prose of
# the same length takes a few hundred. A quadratic step would pass it many times over.
CALLS = 4_000_000
# What a page or an export of Accord may hold: anything else in it came from someone's text.
SAFE_TAGS = {
    "html", "head", "body", "meta", "title", "link", "style", "main", "article", "section",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "em", "strong", "del", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
    "mark", "span", "div", "ins", "s",
}  # fmt: skip
SAFE_ATTRIBUTES = {"href", "title", "rel", "class", "align", "start", "id", "lang", "charset"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


class Markup(HTMLParser):
    """Every element and attribute a piece of HTML would make in a browser, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.title = ""
        self._in_title = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_title = tag == "title"
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_title:
            self.title += data

    def assert_inert(self, *, page: bool = False) -> None:
        """No element, attribute or address that could run script or reach another site."""
        assert set(self.tags) <= SAFE_TAGS, set(self.tags) - SAFE_TAGS
        for tag, name, value in self.attributes:
            assert not name.startswith("on"), (tag, name, value)
            assert name in SAFE_ATTRIBUTES or (
                page and name in {"name", "content", "aria-labelledby"}
            ), (tag, name, value)
            if name == "href" and (tag, value) != ("link", "data:,"):
                # A browser ignores blanks and controls inside a scheme ("java\tscript:").
                scheme = SCHEME.match(re.sub(r"[\x00-\x20]", "", value))
                assert scheme is None or scheme[1].lower() in {"http", "https", "mailto"}, value
            if tag == "link" and value.startswith(("http:", "https:")):
                pytest.fail(f"a page loads {value}")


def _publish(client: TestClient, sid: int, number: int) -> None:
    """Approve version `number` (the facilitator alone decides) and publish it."""
    round_id = client.post(f"/api/statements/{sid}/rounds", json={"version": number}).json()["id"]
    stance = {"kind": "approve", "reason": CORPUS[:10_000]}
    assert client.post(f"/api/statements/{sid}/rounds/{round_id}/stances", json=stance).is_success
    assert client.post(f"/api/statements/{sid}/rounds/{round_id}/close").json()["approved"]
    published = client.post(f"/api/statements/{sid}/publications", json={"version": number})
    assert published.status_code == 201, published.text


def _calls(work: Callable[..., object], *arguments: object) -> int:
    """How many Python functions (and built-ins) `work` calls: a measure of its cost that does
    not depend on the machine's speed or load."""
    count = 0

    def counted(frame: object, event: str, argument: object) -> None:
        nonlocal count
        count += event in ("call", "c_call")

    sys.setprofile(counted)
    try:
        work(*arguments)
    finally:
        sys.setprofile(None)
    return count


def _render_afresh(text: str) -> None:
    """Render `text` past the cache of rendered bodies: a mention no text holds is a new key."""
    markdown.render(text, ["no one by this name"])


def test_every_text_field_keeps_hostile_text_as_typed(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> None:
    fatima = make_user(session, name="Fatima", organisation="Workshop")
    ben = make_user(session, name="Ben", organisation="Wikimedia UK")
    statement = make_statement(session, settings, facilitator=fatima, text="We agree.")
    add_member(session, statement, ben, Role.editor)
    me, editor = signed_in(fatima), signed_in(ben)
    sid = statement.id
    base = f"/api/statements/{sid}"

    for title in fitted(XSS, settings.max_title_chars):
        made = me.post("/api/statements", json={"title": title, "context": CORPUS, "text": CORPUS})
        assert made.status_code == 201, made.text
        assert (made.json()["title"], made.json()["context"]) == (title, CORPUS)
    listed = {s["title"] for s in me.get("/api/statements").json()["data"]}
    assert set(fitted(XSS, settings.max_title_chars)) <= listed

    rev = me.get(f"{base}/text").json()["rev"]
    assert me.post(f"{base}/text", json={"base_rev": rev, "text": CORPUS}).is_success
    assert editor.get(f"{base}/text").json()["text"] == CORPUS

    for name in fitted(XSS, 120):
        assert editor.patch("/api/me", json={"name": name}).json()["name"] == name
        for organisation in fitted(XSS, 200)[:3]:
            patched = editor.patch("/api/me", json={"organisation": organisation})
            assert patched.json()["organisation"] == organisation
    members = me.get(f"{base}/members").json()["data"]
    assert fitted(XSS, 120)[-1] in {m["name"] for m in members}
    for organisation in fitted(XSS, 200):
        changed = me.patch(f"{base}/members/{ben.id}", json={"organisation": organisation})
        assert changed.json()["organisation"] == organisation
    audit = me.get(f"{base}/audit").json()["data"]
    assert fitted(XSS, 200)[-1] in {event["data"].get("new") for event in audit}

    for body in XSS + XSS_BLOCKS:
        thread = editor.post(f"{base}/threads", json={"start": 0, "end": 2, "body": body})
        assert thread.status_code == 201, thread.text
        tid, first = thread.json()["id"], thread.json()["comments"][0]
        assert first["body"] == body
        reply = me.post(f"{base}/threads/{tid}/comments", json={"body": body[::-1]}).json()
        assert reply["body"] == body[::-1]
        edited = editor.patch(f"{base}/comments/{first['id']}", json={"body": body + " (edited)"})
        assert edited.json()["body"] == body + " (edited)"
        earlier = editor.get(f"{base}/comments/{first['id']}/edits").json()["data"]
        assert [e["body"] for e in earlier] == [body]
        for comment in (first, reply, edited.json()):
            Markup(comment["html"]).assert_inert()

    for name in fitted(XSS, 200):
        saved = editor.post(f"{base}/versions", json={"name": name, "note": CORPUS})
        assert (saved.json()["name"], saved.json()["note"]) == (name, CORPUS)
    round_id = me.post(f"{base}/rounds", json={"version": 1}).json()["id"]
    stance = editor.post(
        f"{base}/rounds/{round_id}/stances", json={"kind": "block", "reason": CORPUS}
    ).json()
    assert [s["reason"] for s in stance["stances"]] == [CORPUS]

    for label in fitted(XSS, 200):
        invitation = me.post(f"{base}/invitations", json={"role": "viewer", "label": label})
        assert invitation.json()["label"] == label
    assert me.post("/api/tokens", json={"name": XSS[1]}).json()["name"] == XSS[1]

    token = make_invitation(session, settings, statement, fatima, role=Role.reviewer)
    preview = client.get(f"/api/invitations/{token}").json()
    assert preview["invited_by"] == "Fatima (Workshop)"
    joined = client.post(
        f"/api/invitations/{token}/accept",
        json={
            "name": XSS[0],
            "organisation": XSS[2],
            "email": "mallory@example.org",
            "password": "a long enough password",
        },
    )
    assert joined.status_code in (200, 201), joined.text
    assert (joined.json()["user"]["name"], joined.json()["user"]["organisation"]) == (
        XSS[0],
        XSS[2],
    )


@pytest.mark.parametrize("slug", [*XSS, "../etc", "a/b", "A-B", "a--b", "-a", "a b", "é"])
def test_hostile_slugs_are_refused(
    slug: str, signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    fatima = make_user(session, name="Fatima")
    statement = make_statement(session, settings, facilitator=fatima)
    refused = signed_in(fatima).patch(f"/api/statements/{statement.id}", json={"slug": slug})
    assert refused.status_code == 422
    assert isinstance(refused.json()["detail"], str)


def test_public_page_and_exports_show_hostile_text_inert(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> None:
    title = XSS[13]  # '"><script>alert(1)</script>'
    fatima = make_user(session, name=XSS[0], organisation=XSS[1])
    statement = make_statement(session, settings, facilitator=fatima, title=title, text=CORPUS)
    me = signed_in(fatima)
    sid = statement.id
    me.post(f"/api/statements/{sid}/versions", json={"name": XSS[2], "note": XSS[3]})
    _publish(me, sid, 1)

    public = client.get(f"/api/public/{statement.slug}").json()
    assert (public["title"], public["text"]) == (title, CORPUS)
    assert public["signatories"] == [{"name": XSS[0], "organisation": XSS[1]}]
    Markup(public["html"]).assert_inert()

    page = Markup(client.get(f"/s/{statement.slug}").text)
    page.assert_inert(page=True)
    assert page.title.strip() == title
    shown = "".join(page.text)
    assert XSS[0] in shown
    assert XSS[1] in shown

    for url in (
        f"/api/public/{statement.slug}/v/1/export",
        f"/api/statements/{sid}/versions/1/export",
    ):
        getter = client if url.startswith("/api/public") else me
        html = getter.get(url, params={"format": "html"}).text
        exported = Markup(html)
        exported.assert_inert(page=True)
        assert exported.title == title
        assert getter.get(url, params={"format": "md"}).text.startswith(CORPUS)
        wiki = getter.get(url, params={"format": "wikitext"}).text
        # Markup a wiki would act on is written as character references.
        assert "<script" not in wiki, wiki
        assert "{{" not in wiki, wiki


def _largest_affordable(make: Callable[[int], str]) -> str:
    """The costliest text of this shape that is still rendered rather than shown as written."""
    low, high = 1, 400_000
    while low < high:
        middle = (low + high + 1) // 2
        if markdown.affordable(make(middle)):
            low = middle
        else:
            high = middle - 1
    return make(low)


@pytest.mark.parametrize("shape", sorted(PATHOLOGICAL))
def test_pathological_markdown_renders_within_a_bound_or_is_shown_as_written(
    shape: str,
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> None:
    make = PATHOLOGICAL[shape]
    fatima = make_user(session, name="Fatima")
    me = signed_in(fatima)
    for text in (_largest_affordable(make), make(900_000)):
        assert len(text.encode()) <= settings.max_text_bytes, (shape, len(text))
        statement = make_statement(session, settings, facilitator=fatima, text=text)
        sid = statement.id
        me.post(f"/api/statements/{sid}/versions", json={"name": "Crafted"})
        for fmt in ("html", "txt", "wikitext"):
            answer = me.get(f"/api/statements/{sid}/versions/1/export", params={"format": fmt})
            assert answer.status_code == 200, (shape, fmt, answer.status_code)
            work = _calls(exports.export, "Crafted", text, fmt)
            if fmt == "html":  # the pages' rendering, which a cache would otherwise answer
                work = _calls(_render_afresh, text)
            assert work < CALLS, (shape, fmt, len(text), work)
        _publish(me, sid, 1)
        page = client.get(f"/s/{statement.slug}")
        assert page.status_code == 200, (shape, page.status_code)
        Markup(page.text).assert_inert(page=True)

        comment = text[: settings.max_comment_chars]
        made = me.post(
            f"/api/statements/{sid}/threads", json={"start": 0, "end": 1, "body": comment}
        )
        assert made.status_code == 201, made.text
        assert me.get(f"/api/statements/{sid}/threads").status_code == 200
        work = _calls(_render_afresh, comment)
        assert work < CALLS, (shape, len(comment), work)
        Markup(made.json()["comments"][0]["html"]).assert_inert()
        if len(text) > settings.max_comment_chars:
            too_long = me.post(
                f"/api/statements/{sid}/threads", json={"start": 0, "end": 1, "body": text}
            )
            assert too_long.status_code == 413
            assert "at most" in too_long.json()["detail"]


HOSTILE_TITLES = [
    "../../etc/passwd",
    "..\\..\\windows\\system32\\config",
    "con.txt",
    'say "no"; filename=evil.exe',
    "line\r\nSet-Cookie: stolen=1",
    "tab\tbell\x07escape\x1b[31m",
    "\u202etxt.exe",
    "x" * 300,
    "é" * 300,
    "....",
    ". . /",
    "日本語の声明",
    "\u0417\u0430\u044f\u0432\u043b\u0435\u043d\u0438\u0435 \u043e \u043c\u0438\u0440\u0435",
    "Kraków: a/b\\c",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_export_file_names_are_safe_whatever_the_title(title: str) -> None:
    header = exports.content_disposition(title, "v1", "md")
    found = re.fullmatch(
        r"attachment; filename=\"([a-z0-9-]+-v1\.md)\"(?:; filename\*=UTF-8''(\S+))?", header
    )
    assert found, header
    assert header.isascii()
    assert not {"\r", "\n", "\x00"} & set(header)
    fallback, own = found.group(1), found.group(2)
    assert len(fallback) <= 80 + len("-v1.md")
    assert not fallback.startswith("-")
    if own is None:
        assert title.isascii() or not any(c.isalnum() and not c.isascii() for c in title)
        return
    assert re.fullmatch(r"[A-Za-z0-9%._~-]+", own), own
    name = unquote(own, errors="strict")
    assert name.endswith("-v1.md")
    assert len(name) <= 80 + len("-v1.md")
    assert not any(unicodedata.category(c)[0] in "CZ" for c in name), name
    assert not {"/", "\\", ":"} & set(name)
    assert ".." not in name


def test_export_answers_carry_safe_file_names(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    fatima = make_user(session, name="Fatima")
    me = signed_in(fatima)
    for title in HOSTILE_TITLES:
        made = me.post("/api/statements", json={"title": title, "text": "We agree."})
        if made.status_code != 201:  # too long for a title, say: refused in words
            assert made.status_code == 422
            assert isinstance(made.json()["detail"], str)
            continue
        sid = made.json()["id"]
        me.post(f"/api/statements/{sid}/versions", json={"name": "One"})
        answer = me.get(f"/api/statements/{sid}/versions/1/export", params={"format": "txt"})
        disposition = answer.headers["content-disposition"]
        assert disposition == exports.content_disposition(made.json()["title"], "v1", "txt")
        assert list(answer.headers.keys()).count("set-cookie") == 0
    japanese = me.post("/api/statements", json={"title": "日本語の声明", "text": "x"}).json()
    me.post(f"/api/statements/{japanese['id']}/versions", json={"name": "One"})
    header = me.get(f"/api/statements/{japanese['id']}/versions/1/export").headers
    assert header["content-disposition"] == (
        "attachment; filename=\"statement-v1.md\"; filename*=UTF-8''"
        "%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%81%AE%E5%A3%B0%E6%98%8E-v1.md"
    )
