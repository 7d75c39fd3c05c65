"""What someone is writing in the comments panel survives what others do meanwhile: a reply or
an edit half typed keeps its text, its caret and the focus when a live event redraws the
threads, and can then be sent."""

from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

TEXT = "We value free knowledge. Partners need support."
CARET = """box => box === document.activeElement
    ? [box.selectionStart, box.selectionEnd] : 'the box lost the focus'"""


def _thread(accord_ui: AccordUI, page: Page, statement_id: int, words: str, body: str) -> Any:
    """A thread on `words`, started through the API."""
    rev = accord_ui.api(page, "GET", f"/api/statements/{statement_id}/text")["rev"]
    at = TEXT.index(words)
    passage = {"start": at, "end": at + len(words), "rev": rev, "body": body}
    return accord_ui.api(page, "POST", f"/api/statements/{statement_id}/threads", passage)


def _reply(accord_ui: AccordUI, page: Page, statement_id: int, thread_id: int, body: str) -> None:
    path = f"/api/statements/{statement_id}/threads/{thread_id}/comments"
    accord_ui.api(page, "POST", path, {"body": body})


def test_half_typed_reply_and_edit_outlive_others_comments(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement", TEXT)
    other = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    first = _thread(accord_ui, page, statement_id, "free knowledge", "Whose knowledge?")
    second = _thread(accord_ui, page, statement_id, "Partners", "Which partners?")
    page.goto(f"/statements/{statement_id}")
    expect(page.locator(".sync-status")).to_have_text("Saved")
    expect(page.locator(".thread")).to_have_count(2)

    # Fatima starts a reply in the first thread and moves her caret back into the words.
    box = page.locator(f'[data-thread="{first["id"]}"]').get_by_label("Reply")
    box.click()
    page.keyboard.type("Everyone's, and tools")
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    assert box.evaluate(CARET) == [15, 15]

    # Meanwhile Rosa replies in both threads.
    _reply(accord_ui, other, statement_id, second["id"], "The chapters.")
    _reply(accord_ui, other, statement_id, first["id"], "Everyone's.")
    expect(page.locator(".thread .comment")).to_have_count(4)
    expect(box).to_have_value("Everyone's, and tools")
    assert box.evaluate(CARET) == [15, 15]
    page.keyboard.type(" data")  # where the caret was left
    page.keyboard.press("Control+Enter")
    expect(page.locator(f'[data-thread="{first["id"]}"] .comment')).to_have_count(3)
    expect(page.locator(".thread .comment").nth(2)).to_contain_text("Everyone's, and data tools")
    expect(box).to_have_value("")

    # An edit of her own comment, half typed, outlives Rosa resolving the other thread.
    mine = page.locator(f'[data-thread="{second["id"]}"] .comment').first
    mine.get_by_role("button", name="Edit").click()
    editing = page.get_by_label("Edit your comment")
    expect(editing).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" Name them")
    accord_ui.api(other, "POST", f"/api/statements/{statement_id}/threads/{first['id']}/resolve")
    expect(page.locator(".thread")).to_have_count(1)
    expect(editing).to_have_value("Which partners? Name them")
    assert editing.evaluate(CARET) == [25, 25]
    page.keyboard.press("Control+Enter")
    expect(page.locator(".thread .comment").first).to_contain_text("Which partners? Name them")
    expect(page.get_by_label("Edit your comment")).to_have_count(0)


def test_edit_started_while_a_reply_is_sent_keeps_the_focus(accord_ui: AccordUI) -> None:
    """Sending a reply moves the focus to it once it is listed, unless the person has started
    something else meanwhile: an edit begun before the list came back keeps the caret."""
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement", TEXT)
    first = _thread(accord_ui, page, statement_id, "free knowledge", "Whose knowledge?")
    second = _thread(accord_ui, page, statement_id, "Partners", "Which partners?")
    page.goto(f"/statements/{statement_id}")
    expect(page.locator(".thread")).to_have_count(2)

    # The list of threads is held back until Fatima has moved on.
    held: list[Route] = []
    released: list[bool] = []

    def hold(route: Route) -> None:
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route(f"**/api/statements/{statement_id}/threads", hold)
    box = page.locator(f'[data-thread="{first["id"]}"]').get_by_label("Reply")
    box.fill("Everyone's.")
    with page.expect_request(f"**/api/statements/{statement_id}/threads/{first['id']}/comments"):
        box.press("Control+Enter")
    expect(box).to_have_value("")
    mine = page.locator(f'[data-thread="{second["id"]}"] .comment').first
    mine.get_by_role("button", name="Edit").click()
    editing = page.get_by_label("Edit your comment")
    expect(editing).to_be_focused()

    released.append(True)
    for route in held:
        route.continue_()
    expect(page.locator(f'[data-thread="{first["id"]}"] .comment')).to_have_count(2)
    expect(editing).to_be_focused()
    page.keyboard.type(" Name them.")
    expect(editing).to_have_value("Which partners? Name them.")
