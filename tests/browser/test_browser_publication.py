"""The public page and comments show a reader everything the text holds: an image's
description in words (no image is loaded from elsewhere), a list's own numbers, struck text
struck, a table's alignment, who endorsed the statement and who abstained, and on paper each
link's address."""

import pytest
from playwright.sync_api import expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

TEXT = """# Statement on Open Data

Our survey:

![Chart: 80% agree](https://charts.example/survey.png)

3. Publish the data
4. Keep it open

| Region | Votes |
|:--|--:|
| North | 12 |

~~Withdrawn clause.~~
"""


def test_public_page_shows_what_the_text_holds(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Workshop facilitation")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Open Data", TEXT)
    base = f"/api/statements/{statement_id}"
    slug = accord_ui.api(page, "GET", base)["slug"]
    reviewer = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Final"})
    round_id = accord_ui.api(page, "POST", f"{base}/rounds", {"version": 1})["id"]
    accord_ui.api(page, "POST", f"{base}/rounds/{round_id}/stances", {"kind": "approve"})
    accord_ui.api(reviewer, "POST", f"{base}/rounds/{round_id}/stances", {"kind": "abstain"})
    accord_ui.api(page, "POST", f"{base}/rounds/{round_id}/close")
    accord_ui.api(page, "POST", f"{base}/publications", {"version": 1})

    visitor = accord_ui.new_page()
    requested: list[str] = []
    visitor.on("request", lambda request: requested.append(request.url))
    visitor.goto(f"/s/{slug}")
    text = visitor.locator("article")
    description = text.get_by_role("link", name="[Image: Chart: 80% agree]")
    expect(description).to_have_attribute("href", "https://charts.example/survey.png")
    assert text.locator("img").count() == 0
    items = text.locator("ol > li")
    expect(items).to_have_count(2)
    assert text.locator("ol").evaluate("e => e.start") == 3  # the list counts 3., 4.
    struck = text.get_by_text("Withdrawn clause.")
    assert "line-through" in struck.evaluate("e => getComputedStyle(e).textDecorationLine")
    votes = text.get_by_role("cell", name="12")
    assert votes.evaluate("e => getComputedStyle(e).textAlign").endswith("right")
    signed = visitor.get_by_role("region", name="Endorsed by")
    expect(signed).to_contain_text("Fatima Facilitator")
    expect(signed.get_by_role("heading", name="Abstained")).to_be_visible()
    expect(signed).to_contain_text("Rosa Reviewer")
    assert all(url.startswith(accord_ui.server.url) for url in requested), requested

    # On paper, a link's address follows its words.
    visitor.emulate_media(media="print")
    after = description.evaluate("e => getComputedStyle(e, '::after').content")
    assert after == '" (https://charts.example/survey.png)"', after


def test_comment_shows_struck_text_numbers_and_image_descriptions(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Workshop facilitation")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement", "We agree on open data.")
    body = "~~Withdrawn~~ as the chart shows: ![Chart: 80% agree](https://charts.example/c.png)"
    thread = {"start": 0, "end": 8, "body": body + "\n\n3. three\n4. four"}
    accord_ui.api(page, "POST", f"/api/statements/{statement_id}/threads", thread)
    page.goto(f"/statements/{statement_id}")
    page.get_by_role("tab", name="Comments (1)").click()
    shown = page.get_by_role("region", name="Comments").locator(".comment-body")
    expect(shown.locator("s")).to_have_text("Withdrawn")
    expect(shown.get_by_role("link", name="[Image: Chart: 80% agree]")).to_be_visible()
    assert shown.locator("ol").evaluate("e => e.start") == 3
    expect(shown.locator("img")).to_have_count(0)
