"""A sign-in that ends while the statement is open: signed out in another tab, or the account
disabled. The page stops editing and says so, keeps what was typed, and leads back."""

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from .helpers import ROOT, AccordUI, LiveServer, Person, open_statement

pytestmark = pytest.mark.browser

TITLE = "Statement on Partnerships"
START = "Partnerships serve free knowledge."


def _type_at_end(page: Page, text: str) -> None:
    page.get_by_label("Statement text").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def _server_text(accord_ui: AccordUI, page: Page, statement_id: int) -> str:
    text: str = accord_ui.api(page, "GET", f"/api/statements/{statement_id}/text")["text"]
    return text


def _sign_out_in_another_tab(page: Page) -> None:
    """The same browser, another tab: its Sign out ends the session the first tab uses too."""
    tab = page.context.new_page()
    tab.goto("/")
    tab.get_by_role("button", name="Sign out").click()
    expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()
    tab.close()


def _disable(server: LiveServer, person: Person) -> None:
    """What an operator does: `accord user disable`, in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "user", "disable", "--email", person.email],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=server.env(),
        timeout=60,
    )
    assert done.returncode == 0, f"accord user disable failed: {done.stderr}"


def _sign_in_again(page: Page, person: Person, statement_id: int) -> None:
    """Follow the notice's link and fill in the sign-in form."""
    notice = page.get_by_role("alert").filter(has_text="You were signed out.")
    notice.get_by_role("link", name="Sign in again").click()
    expect(page).to_have_url(re.compile(rf"/signin\?next=%2Fstatements%2F{statement_id}$"))
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()


def _expect_signed_out(page: Page, text: str) -> None:
    """The notice, the status, and a text that is still on show but takes no more typing."""
    notice = page.get_by_role("alert").filter(has_text="You were signed out.")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("link", name="Sign in again")).to_be_visible()
    expect(page.locator(".sync-status")).to_contain_text("Signed out")
    area = page.get_by_label("Statement text")
    expect(area).to_have_value(text)
    expect(area).to_have_attribute("readonly", "")
    _type_at_end(page, " Typed too late.")
    expect(area).to_have_value(text)


@dataclass
class _HeldBack:
    """The changes a page sends, kept from the server while `holding`."""

    holding: bool = True
    changes: list[str] = field(default_factory=list)


def _hold_back_changes(page: Page) -> _HeldBack:
    """Let every frame through but the page's changes, as a connection that stalls might."""
    held = _HeldBack()

    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def to_server(message: str | bytes) -> None:
            is_change = isinstance(message, str) and json.loads(message).get("type") == "op"
            if held.holding and is_change:
                assert isinstance(message, str)
                held.changes.append(message)
            else:
                server.send(message)

        socket.on_message(to_server)

    page.route_web_socket(re.compile(r"/ws/statements/"), route)
    return held


def test_sign_out_in_another_tab_stops_the_editor_and_leads_back(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    facilitator = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(facilitator, TITLE, START)
    page = accord_ui.add_member(facilitator, statement_id, dmitri, "editor")
    open_statement(page, statement_id)
    _type_at_end(page, " Agreed.")
    expect(page.locator(".sync-status")).to_have_text("Saved")

    _sign_out_in_another_tab(page)
    _expect_signed_out(page, START + " Agreed.")
    expect(page.get_by_role("alert")).to_contain_text("Everything you wrote before then is saved.")
    assert page.url.endswith(f"/statements/{statement_id}")

    # The draft goes on without him meanwhile.
    head = accord_ui.api(facilitator, "GET", f"/api/statements/{statement_id}/text")
    live = "Opening words. " + START + " Agreed."
    accord_ui.api(
        facilitator,
        "POST",
        f"/api/statements/{statement_id}/text",
        {"base_rev": head["rev"], "text": live},
    )

    _sign_in_again(page, dmitri, statement_id)
    expect(page).to_have_url(re.compile(rf"/statements/{statement_id}$"))
    area = page.get_by_label("Statement text")
    expect(area).to_have_value(live)
    expect(page.locator(".sync-status")).to_have_text("Saved")
    expect(area).not_to_have_attribute("readonly", "")
    _type_at_end(page, " Back.")
    expect(page.locator(".sync-status")).to_have_text("Saved")
    assert _server_text(accord_ui, facilitator, statement_id) == live + " Back."


def test_disabled_account_stops_the_editor_and_cannot_sign_in(accord_ui: AccordUI) -> None:
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(dmitri)
    statement_id = accord_ui.create_statement(page, TITLE, START)
    open_statement(page, statement_id)
    _type_at_end(page, " Draft.")
    expect(page.locator(".sync-status")).to_have_text("Saved")

    _disable(accord_ui.server, dmitri)
    # The server checks the live sockets' sign-ins every few seconds.
    notice = page.get_by_role("alert").filter(has_text="You were signed out.")
    expect(notice).to_be_visible(timeout=20_000)
    _expect_signed_out(page, START + " Draft.")

    _sign_in_again(page, dmitri, statement_id)
    expect(page.get_by_role("alert")).to_have_text("The email or password is not right.")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_changes_unsent_at_sign_out_arrive_after_signing_in_again(accord_ui: AccordUI) -> None:
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(dmitri)
    statement_id = accord_ui.create_statement(page, TITLE, START)
    held = _hold_back_changes(page)
    open_statement(page, statement_id)
    _type_at_end(page, " Kept.")
    expect(page.locator(".sync-status")).to_have_text("Saving…")
    assert _server_text(accord_ui, page, statement_id) == START

    _sign_out_in_another_tab(page)
    _expect_signed_out(page, START + " Kept.")
    expect(page.locator(".sync-status")).to_have_text(
        re.compile(r"^Signed out · \d+ unsynced changes$")
    )
    expect(page.get_by_role("alert")).to_contain_text(
        re.compile(r"This browser keeps your \d+ unsynced changes and sends them")
    )
    assert held.changes, "the change typed before signing out never left the page"

    held.holding = False
    _sign_in_again(page, dmitri, statement_id)
    expect(page).to_have_url(re.compile(rf"/statements/{statement_id}$"))
    expect(page.get_by_label("Statement text")).to_have_value(START + " Kept.")
    expect(page.locator(".sync-status")).to_have_text("Saved")
    assert _server_text(accord_ui, page, statement_id) == START + " Kept."


def test_unsent_changes_wait_for_their_writer_not_the_next_person(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    facilitator = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(facilitator, TITLE, START)
    page = accord_ui.add_member(facilitator, statement_id, dmitri, "editor")
    held = _hold_back_changes(page)
    open_statement(page, statement_id)
    _type_at_end(page, " Mine.")
    expect(page.locator(".sync-status")).to_have_text("Saving…")
    _sign_out_in_another_tab(page)
    _expect_signed_out(page, START + " Mine.")
    held.holding = False

    # Someone else signs in on the same browser: Dmitri's words are not sent in her name.
    _sign_in_again(page, fatima, statement_id)
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Fatima Facilitator")
    expect(page.get_by_label("Statement text")).to_have_value(START)
    expect(page.locator(".sync-status")).to_have_text("Saved")
    assert _server_text(accord_ui, facilitator, statement_id) == START

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(dmitri.email)
    page.get_by_label("Password").fill(dmitri.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My statements")).to_be_visible()
    open_statement(page, statement_id)
    expect(page.get_by_label("Statement text")).to_have_value(START + " Mine.")
    assert _server_text(accord_ui, facilitator, statement_id) == START + " Mine."
