"""A new comment that concerns a person is said to them in the page's announcements: someone
else commenting on words they wrote, or answering in a thread they are in; nothing else."""

import pytest
from playwright.sync_api import Page, expect

from .helpers import AccordUI, comment_on, open_statement

pytestmark = pytest.mark.browser

# Every announcement made on a page from now on, in order.
RECORD = """() => {
    window.said = [];
    const region = document.querySelector('#announcements');
    new MutationObserver(() => window.said.push(region.textContent.trim()))
        .observe(region, { childList: true, characterData: true, subtree: true });
}"""


def _comment(page: Page, words: str, body: str) -> None:
    comment_on(page, words, body)
    expect(page.locator(".thread", has_text=body)).to_have_count(1)


def _said(page: Page, words: str) -> str:
    """Wait until `words` have been announced on `page`; all that was announced, in order."""
    page.wait_for_function("(words) => window.said.join(' ').includes(words)", arg=words)
    said: list[str] = page.evaluate("window.said")
    return " ".join(said)


def test_comments_on_my_words_and_in_my_threads_are_announced_once(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    # Fatima writes the first sentence, Rosa the second.
    statement_id = accord_ui.create_statement(page, "Partnerships", "We value free knowledge.")
    other = accord_ui.add_member(page, statement_id, rosa, "editor")
    open_statement(other, statement_id)  # Rosa is here first: her arrival is not news to Fatima
    open_statement(page, statement_id)
    other.get_by_label("Statement text").click()
    other.keyboard.press("Control+End")
    other.keyboard.insert_text(" Partners need support.")
    text = "We value free knowledge. Partners need support."
    expect(page.get_by_label("Statement text")).to_have_value(text)
    page.evaluate(RECORD)

    # Rosa on her own words, in no thread of Fatima's; Fatima on her own: not for Fatima to hear.
    _comment(other, "need support", "Which support?")
    expect(page.locator(".thread", has_text="Which support?")).to_have_count(1)
    _comment(page, "We value", "Who is we?")
    expect(other.locator(".thread", has_text="Who is we?")).to_have_count(1)

    # Rosa on Fatima's words, then in Fatima's thread: each said once, and nothing else was.
    _comment(other, "free knowledge", "Whose knowledge?")
    reply = other.locator(".thread", has_text="Who is we?").get_by_label("Reply")
    reply.fill("The movement.")
    reply.press("Control+Enter")
    expect(page.locator(".comment", has_text="The movement.")).to_have_count(1)
    assert _said(page, "replied") == (
        "Rosa Reviewer commented on your passage: “free knowledge”."
        " Rosa Reviewer replied in a thread you are in."
    )
