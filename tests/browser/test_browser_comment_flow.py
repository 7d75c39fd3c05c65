"""The comment flow as people meet it: a thread whose passage is deleted says so at once on
every page and takes its passage again on undo; the keyboard lands on what one posted; on a
phone the button to comment is within reach of the selected words."""

import pytest
from playwright.sync_api import Page, expect

from .helpers import AccordUI, Person, comment_on, select_words

pytestmark = pytest.mark.browser

TEXT = "We value free knowledge. Partners need support."
WITHOUT = "We value . Partners need support."
# The words shaded as commented (a caret drawn inside a passage splits its mark).
PASSAGE_MARKS = (
    "[...document.querySelectorAll('.comment-passage')].map(n => n.textContent).join('')"
)


def _focused_within(page: Page, selector: str, words: str) -> None:
    """Wait until the focus is on, or in, an element matching `selector` that shows `words`."""
    page.wait_for_function(
        """([selector, words]) => {
            const found = document.activeElement?.closest(selector);
            return found !== null && found !== undefined && found.textContent.includes(words);
        }""",
        arg=[selector, words],
    )


def test_deleted_passage_shows_at_once_and_undo_reattaches_its_thread(
    accord_ui: AccordUI,
) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement", TEXT)
    other = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    for shown in (page, other):
        shown.goto(f"/statements/{statement_id}")
        expect(shown.locator(".sync-status")).to_have_text("Saved")
    comment_on(page, "free knowledge", "Whose knowledge?")
    for shown in (page, other):
        shown.wait_for_function(f"() => {PASSAGE_MARKS} === 'free knowledge'")

    select_words(page, "free knowledge")
    page.keyboard.press("Delete")
    for shown in (page, other):
        expect(shown.get_by_label("Statement text")).to_have_value(WITHOUT)
        expect(shown.locator(".thread .passage-gone")).to_have_text("Passage deleted")
        expect(shown.locator(".comment-passage")).to_have_count(0)

    page.keyboard.press("Control+z")
    for shown in (page, other):
        expect(shown.get_by_label("Statement text")).to_have_value(TEXT)
        expect(shown.locator(".thread .passage-gone")).to_have_count(0)
        shown.wait_for_function(f"() => {PASSAGE_MARKS} === 'free knowledge'")
    (thread,) = accord_ui.api(page, "GET", f"/api/statements/{statement_id}/threads")["data"]
    assert not thread["outdated"]
    assert TEXT[thread["start"] : thread["end"]] == "free knowledge"


def test_keyboard_lands_on_the_thread_and_the_reply_one_posted(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement", TEXT)
    page.goto(f"/statements/{statement_id}")
    expect(page.locator(".sync-status")).to_have_text("Saved")

    # "free knowledge" with the keyboard: nine characters in, then fourteen more selected.
    page.get_by_label("Statement text").focus()
    page.keyboard.press("Control+Home")
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    for _ in range(14):
        page.keyboard.press("Shift+ArrowRight")
    start = page.get_by_role("button", name="Comment on the selected text")
    for _ in range(10):
        page.keyboard.press("Tab")
        if start.evaluate("button => button === document.activeElement"):
            break
    expect(start).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your comment")).to_be_focused()
    expect(page.locator(".thread-quote-new")).to_have_text("free knowledge")
    page.keyboard.type("Whose knowledge?")
    page.keyboard.press("Control+Enter")

    _focused_within(page, ".thread", "Whose knowledge?")
    expect(page.locator(".thread")).to_have_count(1)

    reply = page.get_by_label("Reply")
    for _ in range(10):
        page.keyboard.press("Tab")
        if reply.evaluate("box => box === document.activeElement"):
            break
    expect(reply).to_be_focused()
    page.keyboard.type("Everyone's.")
    page.keyboard.press("Control+Enter")
    _focused_within(page, ".comment", "Everyone's.")
    expect(page.locator(".thread .comment")).to_have_count(2)


def _phone(accord_ui: AccordUI, person: Person) -> Page:
    """A signed-in page on a phone: narrow, touch, the mobile viewport."""
    context = accord_ui.browser.new_context(
        base_url=accord_ui.server.url,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
    )
    context.set_default_timeout(10_000)
    accord_ui.contexts.append(context)
    page = context.new_page()
    page.on("pageerror", lambda error: accord_ui.page_errors.append(str(error)))
    signing_in = {"email": person.email, "password": person.password}
    accord_ui.api(page, "POST", "/api/session", signing_in)
    return page


def test_comment_button_is_within_reach_of_the_selection_on_a_phone(
    accord_ui: AccordUI,
) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = _phone(accord_ui, fatima)
    long_draft = "\n\n".join(f"{number}. {TEXT}" for number in range(1, 41))
    statement_id = accord_ui.create_statement(page, "Statement", long_draft)
    page.goto(f"/statements/{statement_id}")
    expect(page.locator(".sync-status")).to_have_text("Saved")

    # Words in the middle of the draft, read there: the comments are far below.
    select_words(page, "20. We value")
    page.get_by_label("Statement text").evaluate(
        "area => { const box = area.getBoundingClientRect();"
        " window.scrollTo(0, window.scrollY + box.top + box.height / 2 - innerHeight / 2); }"
    )
    start = page.get_by_role("button", name="Comment on the selected text")
    expect(page.get_by_role("region", name="Comments")).not_to_be_in_viewport()
    expect(start).to_be_in_viewport()
    start.tap()
    box = page.get_by_label("Your comment")
    expect(box).to_be_focused()
    expect(page.locator(".thread-quote-new")).to_have_text("20. We value")
    box.fill("Which partners?")
    page.get_by_role("button", name="Comment", exact=True).tap()
    expect(page.locator(".thread")).to_contain_text("Which partners?")
    page.wait_for_function(f"() => {PASSAGE_MARKS} === '20. We value'")
    # Commented on: the focus is on the new thread, and the button is back in its place above
    # the threads rather than floating over them.
    _focused_within(page, ".thread", "Which partners?")
    thread, button = page.locator(".thread").bounding_box(), start.bounding_box()
    assert thread is not None
    assert button is not None
    assert button["y"] + button["height"] <= thread["y"]


def test_comment_button_floats_on_a_phone_whatever_tab_is_open(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = _phone(accord_ui, fatima)
    statement_id = accord_ui.create_statement(page, "Statement", TEXT)
    page.goto(f"/statements/{statement_id}")
    expect(page.locator(".sync-status")).to_have_text("Saved")
    people = page.get_by_role("tab", name="People")
    people.tap()
    expect(people).to_have_attribute("aria-selected", "true")

    select_words(page, "free knowledge")
    start = page.get_by_role("button", name="Comment on the selected text")
    expect(start).to_be_in_viewport()
    start.tap()
    expect(page.get_by_role("tab", name="Comments")).to_have_attribute("aria-selected", "true")
    box = page.get_by_label("Your comment")
    expect(box).to_be_focused()
    expect(page.locator(".thread-quote-new")).to_have_text("free knowledge")
    box.fill("Whose knowledge?")
    page.get_by_role("button", name="Comment", exact=True).tap()
    expect(page.locator(".thread")).to_contain_text("Whose knowledge?")
    page.wait_for_function(f"() => {PASSAGE_MARKS} === 'free knowledge'")
