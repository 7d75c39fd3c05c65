"""Comments in the browser: a thread on a passage stays on it while others edit, for everyone,
and resolving it clears the mark everywhere."""

import pytest
from playwright.sync_api import Page, expect

from .helpers import AccordUI, select_words

pytestmark = pytest.mark.browser

TEXT = "We value free knowledge. Partners need support."


def _wait_marked(page: Page, words: str) -> None:
    """Wait until the page marks `words` as commented (a caret drawn inside splits the mark)."""
    try:
        page.wait_for_function(
            "words => [...document.querySelectorAll('.comment-passage')]"
            ".map(node => node.textContent).join('') === words",
            arg=words,
        )
    except Exception:
        marked = page.evaluate(
            "() => [...document.querySelectorAll('.comment-passage')].map(n => n.textContent)"
        )
        value = page.get_by_label("Statement text").input_value()
        raise AssertionError(f"marked {marked!r} in {value!r}") from None


def test_comment_stays_on_its_passage_while_another_edits_before_it(
    accord_ui: AccordUI,
) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement", TEXT)
    other = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    other.goto(f"/statements/{statement_id}")
    page.goto(f"/statements/{statement_id}")
    expect(page.locator(".sync-status")).to_have_text("Saved")

    # Rosa (a reviewer, who may comment but not edit) comments on "free knowledge"...
    select_words(other, "free knowledge")
    other.get_by_role("button", name="Comment on the selected text").click()
    dialogs: list[str] = []
    for shown in (page, other):
        shown.on("dialog", lambda dialog: dialogs.append(dialog.message))
    other.get_by_label("Your comment").fill(
        "Whose *knowledge*? <script>alert(1)</script><img src=x onerror=alert(2)> "
        "[see](javascript:alert(3))"
    )
    # ...while Fatima types before it.
    mine = page.get_by_label("Statement text")
    mine.click()
    page.keyboard.press("Control+Home")
    page.keyboard.type("Together, ")
    other.get_by_role("button", name="Comment", exact=True).click()
    page.keyboard.type("all of us: ")

    for shown in (page, other):
        _wait_marked(shown, "free knowledge")
        thread = shown.get_by_role("region", name="Comments").locator(".thread")
        expect(thread).to_have_count(1)
        expect(thread.locator(".comment-body em")).to_have_text("knowledge")
        expect(thread).to_contain_text("<script>alert(1)</script><img src=x onerror=alert(2)>")
        expect(thread.locator(".comment-body img, .comment-body script")).to_have_count(0)
        expect(thread.locator(".comment-body a")).to_have_count(0)
    expect(page.get_by_role("tab", name="Comments (1)")).to_be_visible()
    expect(mine).to_have_value("Together, all of us: " + TEXT)

    # Clicking the thread selects its passage in the text.
    page.locator(".thread-quote").click()
    selected = mine.evaluate("a => a.value.slice(a.selectionStart, a.selectionEnd)")
    assert selected == "free knowledge"

    page.get_by_role("button", name="Resolve", exact=True).click()
    for shown in (page, other):
        expect(shown.locator(".comment-passage")).to_have_count(0)
        expect(shown.get_by_role("region", name="Comments").locator(".thread")).to_have_count(0)
    other.get_by_role("button", name="Resolved", exact=True).click()
    resolved = other.get_by_role("region", name="Comments").locator(".thread")
    expect(resolved).to_contain_text("Resolved by Fatima Facilitator")
    assert dialogs == []


def test_comment_on_a_version_shows_beside_it_and_in_the_diff(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement", TEXT)
    accord_ui.api(page, "POST", f"/api/statements/{statement_id}/versions", {"name": "Day one"})
    accord_ui.api(
        page,
        "POST",
        f"/api/statements/{statement_id}/text",
        {"base_rev": 1, "text": "Open. " + TEXT},
    )
    page.goto(f"/statements/{statement_id}")
    page.get_by_role("tab", name="Versions").click()
    page.get_by_role("link", name="Read and comment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Version 1: Day one")
    text = page.get_by_label("Text of version 1")
    expect(text).to_have_value(TEXT)
    text.evaluate("area => { area.focus(); area.setSelectionRange(9, 23); }")
    page.get_by_role("button", name="Comment on the selected text").click()
    page.get_by_label("Your comment").fill("Which knowledge?")
    page.get_by_role("button", name="Comment", exact=True).click()
    _wait_marked(page, "free knowledge")
    expect(page.locator(".thread")).to_contain_text("Which knowledge?")
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Edit your comment").fill("Whose knowledge, and free how?")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".comment-body")).to_have_text("Whose knowledge, and free how?")
    page.get_by_role("button", name="edited").click()
    expect(page.locator(".earlier-wordings")).to_contain_text("Which knowledge?")

    page.goto(f"/statements/{statement_id}/compare?from=1&to=live")
    expect(page.get_by_role("region", name="Comments on version 1")).to_have_count(0)
    page.get_by_label("To").select_option("live")
    page.get_by_label("From").select_option("live")
    page.get_by_label("To").select_option("1")
    beside = page.get_by_role("region", name="Comments on version 1")
    expect(beside).to_contain_text("free knowledge")
    expect(beside).to_contain_text("Fatima Facilitator: Whose knowledge, and free how?")
    # The live draft has no thread: the version's stays with the version.
    page.goto(f"/statements/{statement_id}")
    expect(page.locator(".thread")).to_have_count(0)
