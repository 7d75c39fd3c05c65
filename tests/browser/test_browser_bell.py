"""The bell in the header: while a page is open its count rises as someone mentions or answers
the person; opening it lists what happened, following one leads there and marks it read, and
"Mark all as read" empties the count. A lost socket is opened again. It works by keyboard and on
a phone's narrow screen, and its open panel passes axe-core."""

import re

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from .a11y import axe_source, axe_violations, phone, small_targets
from .helpers import AccordUI, Person

pytestmark = pytest.mark.browser

TEXT = "We, the undersigned affiliates, agree to share what we learn."


def _statement_with(accord_ui: AccordUI) -> tuple[Person, Page, int]:
    """Fatima's statement with Rosa as an editor: Fatima, Rosa's page and the statement's id."""
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    setup = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(setup, "Statement on Sharing", TEXT)
    rosas = accord_ui.add_member(setup, statement_id, rosa, "editor")
    return fatima, rosas, statement_id


def _comment(accord_ui: AccordUI, page: Page, statement_id: int, words: str, body: str) -> int:
    """Start a thread on `words` with `body` as the person `page` is signed in as; its id."""
    start = TEXT.index(words)
    thread = {"start": start, "end": start + len(words), "body": body}
    started = accord_ui.api(page, "POST", f"/api/statements/{statement_id}/threads", thread)
    return int(started["id"])


def _bell(page: Page, unread: str) -> None:
    """Wait until the bell says `unread` ("none" or a number) unread notifications."""
    expect(page.get_by_role("button", name=re.compile("^Notifications"))).to_have_accessible_name(
        f"Notifications, {unread} unread"
    )


def test_bell_counts_a_mention_live_and_leads_to_it(accord_ui: AccordUI) -> None:
    fatima, rosas, statement_id = _statement_with(accord_ui)
    page = accord_ui.signed_in(fatima)
    page.goto("/")
    expect(page.get_by_role("heading", name="My statements")).to_be_visible()
    bell = page.get_by_role("button", name=re.compile("^Notifications"))
    _bell(page, "none")
    expect(bell.locator(".bell-count")).to_be_hidden()

    _comment(accord_ui, rosas, statement_id, "share", "@Fatima Facilitator, share what exactly?")
    _bell(page, "1")
    expect(bell).to_have_text("1")  # the badge, for those who see it

    bell.click()
    expect(bell).to_have_attribute("aria-expanded", "true")
    panel = page.get_by_role("region", name="Notifications")
    entry = panel.get_by_role("link", name=re.compile("Rosa Reviewer mentioned you"))
    expect(entry).to_contain_text("share what exactly?")
    expect(entry).to_contain_text("just now")
    expect(entry).to_contain_text("Unread")  # said to screen readers as well as shown

    entry.click()
    expect(page).to_have_url(re.compile(rf"/statements/{statement_id}(#.*)?$"))
    expect(page.get_by_role("heading", name="Statement on Sharing")).to_be_visible()
    _bell(page, "none")
    listed = accord_ui.api(page, "GET", "/api/notifications")
    assert listed["count"] == 0
    assert listed["data"][0]["read_at"] is not None


def test_bell_connects_again_after_losing_its_socket(accord_ui: AccordUI) -> None:
    fatima, rosas, statement_id = _statement_with(accord_ui)
    page = accord_ui.signed_in(fatima)
    attempts: list[WebSocketRoute] = []

    def bell_socket(socket: WebSocketRoute) -> None:
        attempts.append(socket)
        if len(attempts) == 1:
            socket.close()  # the first attempt fails, as while the server restarts
        else:
            socket.connect_to_server()

    page.route_web_socket(re.compile(r"/ws/notifications"), bell_socket)
    page.goto("/")
    _bell(page, "none")
    _comment(accord_ui, rosas, statement_id, "share", "@Fatima Facilitator, still there?")
    _bell(page, "1")
    assert len(attempts) == 2


def test_mark_all_as_read_empties_the_count(accord_ui: AccordUI) -> None:
    fatima, rosas, statement_id = _statement_with(accord_ui)
    page = accord_ui.signed_in(fatima)
    thread_id = _comment(accord_ui, page, statement_id, "what we learn", "Learn, or teach?")
    page.goto("/account")
    _bell(page, "none")

    # Rosa answers in Fatima's thread, then names her elsewhere: two notifications, live.
    reply = {"body": "Both, surely."}
    path = f"/api/statements/{statement_id}/threads/{thread_id}/comments"
    accord_ui.api(rosas, "POST", path, reply)
    _bell(page, "1")
    _comment(accord_ui, rosas, statement_id, "affiliates", "Which ones, @Fatima Facilitator?")
    _bell(page, "2")

    page.get_by_role("button", name="Notifications, 2 unread").click()
    panel = page.get_by_role("region", name="Notifications")
    expect(panel.get_by_role("link")).to_have_count(3)  # two notifications, and Email settings
    expect(panel.get_by_role("link").first).to_contain_text("Rosa Reviewer mentioned you")
    expect(panel.get_by_role("link").nth(1)).to_contain_text("Rosa Reviewer replied in a thread")
    panel.get_by_role("button", name="Mark all as read").click()
    _bell(page, "none")
    expect(panel.get_by_text("Unread")).to_have_count(0)
    assert accord_ui.api(page, "GET", "/api/notifications?unread=true")["data"] == []

    # Still none after a reload: the server holds them read.
    page.reload()
    _bell(page, "none")


def test_bell_opens_and_closes_by_keyboard(accord_ui: AccordUI) -> None:
    fatima, rosas, statement_id = _statement_with(accord_ui)
    _comment(accord_ui, rosas, statement_id, "share", "@Fatima Facilitator, a question.")
    page = accord_ui.signed_in(fatima)
    page.goto("/")
    _bell(page, "1")
    bell = page.get_by_role("button", name="Notifications, 1 unread")

    bell.focus()
    page.keyboard.press("Enter")
    expect(bell).to_have_attribute("aria-expanded", "true")
    panel = page.get_by_role("region", name="Notifications")
    entry = panel.get_by_role("link", name=re.compile("mentioned you"))
    expect(entry).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past "Mark all as read", onto the notification
    expect(entry).to_be_focused()

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(bell).to_have_attribute("aria-expanded", "false")
    expect(bell).to_be_focused()

    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    panel.get_by_role("link", name="Email settings").click()
    expect(page).to_have_url(re.compile(r"/account#email-notifications$"))
    expect(page.get_by_role("heading", name="Email notifications")).to_be_visible()


def test_bell_fits_a_phone_screen(accord_ui: AccordUI) -> None:
    fatima, rosas, statement_id = _statement_with(accord_ui)
    _comment(accord_ui, rosas, statement_id, "share", "@Fatima Facilitator, " + "long " * 60)
    page = phone(accord_ui, fatima)
    page.goto("/")
    _bell(page, "1")
    page.get_by_role("button", name="Notifications, 1 unread").tap()
    panel = page.get_by_role("region", name="Notifications")
    expect(panel.get_by_role("link", name=re.compile("mentioned you"))).to_be_visible()
    box = panel.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    assert small_targets(page) == []
    axe = axe_source()
    if axe is not None:  # the open panel, as axe-core sees it
        assert axe_violations(page, axe) == []
