"""Publishing: only an approved version, only by a facilitator, one winner of a race; the
permanent public pages, open to anyone; exports with safe names."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.statement import Statement
from app.models.user import User
from app.services.exports import file_name
from app.services.wikitext import wikitext
from tests.factories import add_member, make_statement, make_user

TEXT = """# Statement on Partnerships

We, **representatives** of *chapters* in Kraków and Zürich, agree. See
[Meta](https://meta.wikimedia.org/wiki/Partnerships).

## Themes

- Diversify
- Trust <script>alert(1)</script>

1. First
2. Second
"""


def _approved(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> tuple[Statement, TestClient, TestClient, TestClient]:
    fatima = make_user(session, name="Fatima", organisation="Workshop")
    ben = make_user(session, name="Ben <b>", organisation="Wikimedia UK")
    rosa = make_user(session, name="Rosa", organisation="Creative Commons")
    statement = make_statement(
        session, settings, facilitator=fatima, title="Partnerships: Kraków/../2017", text=TEXT
    )
    add_member(session, statement, ben, Role.editor)
    add_member(session, statement, rosa, Role.reviewer)
    me, editor, reviewer = signed_in(fatima), signed_in(ben), signed_in(rosa)
    sid = statement.id
    me.post(f"/api/statements/{sid}/versions", json={"name": "Final"})
    rid = me.post(f"/api/statements/{sid}/rounds", json={"version": 1}).json()["id"]
    stances = f"/api/statements/{sid}/rounds/{rid}/stances"
    me.post(stances, json={"kind": "approve"})
    editor.post(stances, json={"kind": "approve"})
    reviewer.post(stances, json={"kind": "abstain"})
    assert me.post(f"/api/statements/{sid}/rounds/{rid}/close").json()["approved"]
    return statement, me, editor, reviewer


def test_publish_guards(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    statement, me, editor, _ = _approved(signed_in, session, settings)
    sid = statement.id
    url = f"/api/statements/{sid}/publications"
    assert editor.post(url, json={"version": 1}).status_code == 403
    me.post(f"/api/statements/{sid}/versions", json={"name": "Not reviewed"})
    unapproved = me.post(url, json={"version": 2})
    assert unapproved.status_code == 409
    assert me.post(url, json={"version": 2**63}).status_code == 422  # past any version
    assert "not been approved" in unapproved.json()["detail"]

    # Two publishes at once: one wins, the other is told so.
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: me.post(url, json={"version": 1}).status_code, [1, 2]))
    assert sorted(answers) == [201, 409]
    assert me.get(f"/api/statements/{sid}").json()["state"] == "published"


def test_public_pages_open_to_anyone_and_never_change(
    client: TestClient,
    app: FastAPI,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> None:
    statement, me, _, _ = _approved(signed_in, session, settings)
    slug = statement.slug
    assert client.get(f"/api/public/{slug}").status_code == 404  # nothing published yet
    me.post(f"/api/statements/{statement.id}/publications", json={"version": 1})

    public = client.get(f"/api/public/{slug}").json()  # no session at all
    assert public["number"] == 1
    assert [s["name"] for s in public["signatories"]] == ["Ben <b>", "Fatima"]
    assert [s["organisation"] for s in public["abstentions"]] == ["Creative Commons"]
    assert "<script" not in public["html"]
    page = client.get(f"/s/{slug}")
    assert page.status_code == 200
    assert "Ben &lt;b&gt;" in page.text
    assert "<script>alert" not in page.text
    assert "Endorsed by" in page.text

    # The draft goes on; the publication does not move. A later one supersedes it.
    base = me.get(f"/api/statements/{statement.id}/text").json()["rev"]
    me.post(
        f"/api/statements/{statement.id}/text",
        json={"base_rev": base, "text": TEXT + "\nA closing line.\n"},
    )
    assert client.get(f"/api/public/{slug}/v/1").json()["text"] == TEXT
    assert client.get(f"/api/statements/{statement.id}/text").status_code == 401
    assert client.get(f"/api/statements/{statement.id}/versions/1/export").status_code == 401
    routes = app.openapi()["paths"]
    for path, operations in routes.items():
        if "/public/" in path or "publications" in path:
            assert set(operations) <= {"get", "post"}, path
    me.post(f"/api/statements/{statement.id}/versions", json={"name": "Second"})
    me.patch(f"/api/statements/{statement.id}", json={"approval_rule": "majority"})
    rid = me.post(f"/api/statements/{statement.id}/rounds", json={"version": 2}).json()["id"]
    me.post(f"/api/statements/{statement.id}/rounds/{rid}/stances", json={"kind": "approve"})
    me.post(f"/api/statements/{statement.id}/rounds/{rid}/close")
    assert (
        me.post(f"/api/statements/{statement.id}/publications", json={"version": 2}).status_code
        == 201
    )
    first = client.get(f"/s/{slug}/v/1").text
    assert "A later publication supersedes this one" in first
    latest = client.get(f"/s/{slug}").text
    assert "What changed since publication 1" in latest
    assert "<ins>" in latest
    assert client.get(f"/s/{slug}/v/9").status_code == 404
    # A number past any the database keeps is refused, not a server error.
    for path in [f"/s/{slug}/v/{2**63}", f"/api/public/{slug}/v/{2**63}"]:
        assert client.get(path).status_code == 422, path
    assert client.get(f"/api/public/{slug}/v/{2**63}/export").status_code == 422


def test_exports_in_every_format(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> None:
    statement, me, _, _ = _approved(signed_in, session, settings)
    me.post(f"/api/statements/{statement.id}/publications", json={"version": 1})
    url = f"/api/public/{statement.slug}/v/1/export"

    wiki = client.get(url, params={"format": "wikitext"})
    assert wiki.headers["content-disposition"] == (
        'attachment; filename="partnerships-krakow-2017-publication-1.wiki"; '
        "filename*=UTF-8''partnerships-krak%C3%B3w-2017-publication-1.wiki"
    )
    assert wiki.text.startswith("= Statement on Partnerships =\n")
    assert "'''representatives'''" in wiki.text
    assert "''chapters'' in Kraków and Zürich" in wiki.text
    assert "[https://meta.wikimedia.org/wiki/Partnerships Meta]" in wiki.text
    assert "== Themes ==" in wiki.text
    assert "* Diversify\n" in wiki.text
    assert "# First\n# Second" in wiki.text
    assert "Trust &lt;script&gt;alert(1)&lt;/script&gt;" in wiki.text  # words, not a tag

    html = client.get(url, params={"format": "html"})
    assert html.text.startswith("<!doctype html>")
    assert "<h2>Themes</h2>" in html.text
    assert "<script>" not in html.text
    assert client.get(url, params={"format": "md"}).text.startswith(TEXT)
    plain = client.get(url, params={"format": "txt"}).text
    assert "representatives" in plain
    assert "**" not in plain
    assert client.get(url, params={"format": "pdf"}).status_code == 422
    members = me.get(f"/api/statements/{statement.id}/versions/1/export", params={"format": "md"})
    assert members.text == TEXT


def test_safe_file_names_and_wiki_escaping() -> None:
    assert file_name("../../etc/passwd", "v1", "md") == "etc-passwd-v1.md"
    assert file_name('"; rm -rf / #', "v2", "txt") == "rm-rf-v2.txt"
    assert file_name("日本語", "v3", "html") == "statement-v3.html"
    assert wikitext("Use {{template}} and [[Link]].") == (
        "Use &#123;&#123;template&#125;&#125; and &#91;&#91;Link&#93;&#93;.\n"
    )
