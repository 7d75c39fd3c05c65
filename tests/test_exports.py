"""Exports and the public page keep everything a reader needs: image descriptions, list
numbers and nesting, quotes, code, tables, struck text, footnote-like notes, and, for a
publication, who endorsed it and who abstained; and nothing an author writes acts as wiki
markup, link addresses included."""

import re
from collections.abc import Callable
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.user import User
from app.services import exports, markdown
from app.services.plaintext import plain
from app.services.wikitext import wikitext
from tests.factories import add_member, make_statement, make_user

IMAGE = "Our survey:\n\n![Chart: 80% agree](https://charts.example/survey.png)\n"


def _shown(wiki: str) -> str:
    """Near enough what a wiki shows of Accord's wikitext: its markup gone, references read."""
    text = re.sub(r"\[(?:https?|mailto):\S+ ([^\]]*)\]", r"\1", wiki)
    text = re.sub(r"^(=+) (.*) \1$", r"\2", text, flags=re.MULTILINE)
    text = re.sub(r"'{2,3}|<[^>]*>|^[*#:]+ |^[|!] ", "", text, flags=re.MULTILINE)
    return unescape(text)


def test_export_image_description_in_every_format() -> None:
    for shown in (plain(IMAGE), unescape(wikitext(IMAGE)), markdown.render(IMAGE)):
        assert "[Image: Chart: 80% agree]" in shown, shown
    # The pages load no image from elsewhere: the description links to the address instead.
    page = markdown.render(IMAGE)
    assert "<img" not in page
    assert 'href="https://charts.example/survey.png"' in page
    assert "(https://charts.example/survey.png)" in plain(IMAGE)
    assert "[https://charts.example/survey.png &#91;Image: Chart: 80% agree&#93;]" in wikitext(
        IMAGE
    )
    linked = "[![Logo of the group](https://e.example/logo.png)](https://group.example)"
    assert "[Image: Logo of the group] (https://group.example)" in plain(linked)
    assert ">[Image: Logo of the group]</a>" in markdown.render(linked)


# (Markdown, what a wiki must show, what must not be in the wikitext for it to show so)
WIKI_CORPUS = [
    ("Sign here ~~~~ or ~~~~~", "Sign here ~~~~ or ~~~~~", r"~~~"),
    (r"\_\_NOTOC\_\_ and \_\_NEWSECTIONLINK\_\_", "__NOTOC__ and __NEWSECTIONLINK__", r"__"),
    ("`__TOC__ ~~~~ {{x}}`", "__TOC__ ~~~~ {{x}}", r"__|~~~|\{\{"),
    ("{{delete|reason}} and {{subst:PAGENAME}}", "{{delete|reason}}", r"\{\{|\|"),
    ("[[Main Page|home]] and [[Category:Spam]]", "[[Main Page|home]]", r"\[\["),
    ("''not italics'' and '''not bold'''", "''not italics'' and '''not bold'''", r"''"),
    ("<ref>a</ref> <nowiki>b</nowiki> <!-- c -->", "<ref>a</ref> <nowiki>b</nowiki>", r"<"),
    ("&amp;lt;b&amp;gt; stays &amp;copy;", "&lt;b&gt; stays &copy;", r"&(?!amp;|lt;|gt;|#\d+;)"),
    (
        "ISBN 978-0-00-000000-2, RFC 2324, PMID 123",
        "ISBN 978-0-00-000000-2, RFC 2324",
        r"ISBN|RFC|PMID",
    ),
    ("See https://example.org/x or mailto:a@b.c", "https://example.org/x", r"https?:|mailto:"),
    ("-{zh-hans:x}- and {| not a table", "-{zh-hans:x}- and {| not a table", r"\{"),
    ("a soft-wrapped line\n---- is no rule", "---- is no rule", r"(?m)^-"),
    ("\\* a star first\n\n\\# a hash first", "* a star first", r"(?m)^[*#]"),
    (": not indented\n\n; not a term", ": not indented", r"(?m)^[:;]"),
    (r"\= not a heading =", "= not a heading =", r"(?m)^="),
    ("[\\* a star first](other.html)", "* a star first (other.html)", r"(?m)^\*"),
    ("| a | b |\n|---|---|\n| c \\| d | e !! f |", "c | d", r"!!|\| c \|"),
    ("[closing \\] bracket](https://e.example)", "closing ] bracket", r"\]\s*bracket"),
    ("*Wikimedia*'s view", "Wikimedia's view", r"'''"),
    ("**bold**'' after", "bold'' after", r"'{4,}"),
]


@pytest.mark.parametrize(("source", "shown", "markup"), WIKI_CORPUS)
def test_export_wikitext_keeps_author_text_out_of_markup(
    source: str, shown: str, markup: str
) -> None:
    wiki = wikitext(source)
    assert not re.search(markup, wiki), wiki
    assert shown in _shown(wiki), wiki


def test_export_wikitext_link_addresses_cannot_act() -> None:
    source = "[minutes](https://e.example/~~~~/__NOTOC__/a''b?x=1&copy=2)"
    wiki = wikitext(source)
    assert not re.search(r"~~~|__|''", wiki), wiki
    # The address is the same one, percent-encoded where it had to be.
    assert "[https://e.example/%7E%7E%7E%7E/%5F%5FNOTOC%5F%5F/a%27%27b?x=1&amp;copy=2 " in wiki
    # An address a wiki would not link stays words after the link's text.
    assert wikitext("[the page](other.html)") == "the page (other.html)\n"


def test_export_code_blocks_keep_their_text() -> None:
    source = "```\n&copy; ~~~~ </pre> {{x}}\n```\n"
    wiki = wikitext(source)
    assert not re.search(r"~~~|</pre> ", wiki), wiki
    body = re.fullmatch(r"<pre>(.*)</pre>\n", wiki, re.DOTALL)
    assert body, wiki
    assert unescape(body[1]) == "&copy; ~~~~ </pre> {{x}}", wiki
    assert plain(source) == "    &copy; ~~~~ </pre> {{x}}\n"


NUMBERED = "3. three\n4. four\n   1. nested one\n   2. nested two\n5. five\n"


def test_export_lists_keep_numbers_and_nesting() -> None:
    assert plain(NUMBERED) == "3. three\n4. four\n   1. nested one\n   2. nested two\n5. five\n"
    assert markdown.render(NUMBERED).startswith('<ol start="3">')  # the public page
    wiki = wikitext(NUMBERED)
    assert wiki.startswith('<ol start="3">\n<li>three</li>\n<li>four<ol><li>nested one</li>')
    assert wikitext("1. a\n   - b\n2. c\n") == "# a\n#* b\n# c\n"
    assert plain("- a\n  - b\n    - c\n") == "- a\n  - b\n    - c\n"


def test_export_list_items_of_several_paragraphs_stay_whole() -> None:
    source = "1. First point,\n   wrapped.\n\n   Its second paragraph.\n2. Second point\n"
    wiki = wikitext(source)
    assert wiki == "# First point, wrapped.\n#: Its second paragraph.\n# Second point\n"
    assert plain(source) == (
        "1. First point,\n   wrapped.\n\n   Its second paragraph.\n\n2. Second point\n"
    )


def test_export_headings_of_either_kind() -> None:
    source = "Our Statement\n=============\n\nA part\n------\n\nText.\n"
    assert plain(source) == "Our Statement\n=============\n\nA part\n------\n\nText.\n"
    assert wikitext(source) == "= Our Statement =\n\n== A part ==\n\nText.\n"


def test_export_quotes_keep_every_line() -> None:
    source = "> We quote\n> two lines\n>\n> - and a list\n"
    assert plain(source) == "> We quote\n> two lines\n>\n> - and a list\n"
    assert wikitext(source) == "<blockquote>\nWe quote two lines\n\n* and a list\n</blockquote>\n"


def test_export_tables_and_struck_text() -> None:
    source = "| Region | Votes |\n|:--|--:|\n| North | 12 |\n| South ~~9~~ | 10 |\n"
    assert plain(source) == (
        "Region      | Votes\n------------+------\nNorth       |    12\nSouth ~~9~~ |    10\n"
    )
    wiki = wikitext(source)
    assert wiki.startswith('{| class="wikitable"\n! style="text-align:left" | Region\n')
    assert "| South <s>9</s>\n" in wiki
    assert wiki.endswith("|}\n")
    page = markdown.render(source)
    assert "<s>9</s>" in page  # struck on the public page too, not silently kept
    assert '<td align="right">10</td>' in page


def test_export_footnote_like_notes_stay() -> None:
    source = "We agree.[^1]\n\n[^1]: Minutes\n"
    for shown in (plain(source), unescape(wikitext(source)), markdown.render(source)):
        assert "[^1]: Minutes" in shown, shown
    assert 'href="Minutes"' not in markdown.render(source)


def _published(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings, text: str
) -> str:
    """Fatima and Ben approve, Rosa abstains; the statement is published; its address."""
    fatima = make_user(session, name="Fatima", organisation="Workshop")
    ben = make_user(session, name="Ben ~~~~ <b>", organisation="Wikimedia UK")
    rosa = make_user(session, name="Rosa", organisation="Creative Commons")
    statement = make_statement(session, settings, facilitator=fatima, text=text)
    add_member(session, statement, ben, Role.editor)
    add_member(session, statement, rosa, Role.reviewer)
    me = signed_in(fatima)
    sid = statement.id
    me.post(f"/api/statements/{sid}/versions", json={"name": "Final"})
    rid = me.post(f"/api/statements/{sid}/rounds", json={"version": 1}).json()["id"]
    stances = f"/api/statements/{sid}/rounds/{rid}/stances"
    for person, kind in (
        (me, "approve"),
        (signed_in(ben), "approve"),
        (signed_in(rosa), "abstain"),
    ):
        assert person.post(stances, json={"kind": kind}).is_success
    assert me.post(f"/api/statements/{sid}/rounds/{rid}/close").json()["approved"]
    assert me.post(f"/api/statements/{sid}/publications", json={"version": 1}).status_code == 201
    return statement.slug


def test_export_publication_names_signatories_and_abstentions(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> None:
    slug = _published(signed_in, session, settings, "We agree.\n\n```\nan open fence\n")
    url = f"/api/public/{slug}/v/1/export"
    files = {fmt: client.get(url, params={"format": fmt}).text for fmt in exports.FORMATS}
    for fmt, body in files.items():
        shown = unescape(body) if fmt in ("html", "wikitext") else body
        shown = shown.replace("\\", "")  # Markdown's escapes
        assert "Endorsed by" in shown, fmt
        assert "Ben ~~~~ <b> (Wikimedia UK)" in shown, fmt
        assert "Fatima (Workshop)" in shown, fmt
        assert "Abstained" in shown, fmt
        assert "Rosa (Creative Commons)" in shown, fmt
        assert "publication 1" in shown, fmt
    assert not re.search("~~~|<b>", files["wikitext"])
    assert "<b>" not in files["html"]
    # The text left a code fence open: the Markdown file closes it before the names, so a
    # Markdown reader shows them as a list under a heading, not as code.
    tokens = markdown.parse(files["md"])
    headings = [t.content for i, t in enumerate(tokens) if tokens[i - 1].type == "heading_open"]
    assert headings == ["Endorsed by", "Abstained"]
    assert files["md"].startswith("We agree.\n\n```\nan open fence\n```\n")
    # A version's file is the text alone.
    assert exports.export("T", "We agree.\n", "md") == "We agree.\n"


def test_export_markdown_closes_what_the_text_leaves_open() -> None:
    assert exports.closed("Text\n\n~~~~\ncode") == "Text\n\n~~~~\ncode\n~~~~\n"
    assert exports.closed("Text\n\n<!-- a note") == "Text\n\n<!-- a note\n-->\n"
    assert exports.closed("Text\n\n<pre>\nx") == "Text\n\n<pre>\nx\n</pre>\n"
    assert exports.closed("Text\n\n```\ncode\n```\n") == "Text\n\n```\ncode\n```\n"


def test_public_page_shows_image_descriptions_and_names(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> None:
    slug = _published(signed_in, session, settings, IMAGE + "\n~~Withdrawn~~ clause.\n")
    page = client.get(f"/s/{slug}").text
    assert "[Image: Chart: 80% agree]" in page
    assert "<img" not in page
    assert "<s>Withdrawn</s>" in page
    for name in ("Ben ~~~~ &lt;b&gt;", "Rosa", "Abstained"):
        assert name in page


def test_public_page_says_no_one_endorsed_when_everyone_abstained(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> None:
    fatima = make_user(session, name="Fatima", organisation="Workshop")
    statement = make_statement(session, settings, facilitator=fatima, text="We agree.")
    me, sid = signed_in(fatima), statement.id
    me.post(f"/api/statements/{sid}/versions", json={"name": "Final"})
    rid = me.post(f"/api/statements/{sid}/rounds", json={"version": 1}).json()["id"]
    me.post(f"/api/statements/{sid}/rounds/{rid}/stances", json={"kind": "abstain"})
    assert me.post(f"/api/statements/{sid}/rounds/{rid}/close").json()["approved"]  # consent
    assert me.post(f"/api/statements/{sid}/publications", json={"version": 1}).status_code == 201
    page = client.get(f"/s/{statement.slug}").text
    assert re.search(r"Endorsed by</h2>\s*<p[^>]*>No one</p>", page), page
    text = client.get(f"/api/public/{statement.slug}/v/1/export", params={"format": "txt"}).text
    assert "Endorsed by\n-----------\n\n- No one\n" in text
