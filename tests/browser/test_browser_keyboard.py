"""By keyboard alone a delegate signs in, opens a statement, writes in it and moves between the
side tabs; wherever focus goes, a ring shows it, in a colour that stands out (3:1 or more)
against what lies behind it."""

import pytest
from playwright.sync_api import Locator, Page, expect

from .a11y import weak_focus_rings
from .helpers import AccordUI

pytestmark = pytest.mark.browser

TEXT = "We, the undersigned, agree to share what we learn."


def tab_to(page: Page, target: Locator, key: str = "Tab", most: int = 40) -> None:
    """Press `key` until `target` has the focus; fail if it takes more than `most` presses."""
    for _ in range(most):
        if target.evaluate("node => node === document.activeElement"):
            return
        page.keyboard.press(key)
    expect(target).to_be_focused()


def test_sign_in_open_write_and_switch_tabs_by_keyboard(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    setup = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(setup, "Statement on Sharing", TEXT)
    accord_ui.add_member(setup, statement_id, dmitri, "editor")

    page = accord_ui.new_page()
    page.goto("/signin")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(dmitri.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(dmitri.password)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="My statements")).to_be_visible()
    # The first stop skips the header; the next is in the page's own content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    tab_to(page, page.get_by_role("link", name="Statement on Sharing"))
    page.keyboard.press("Enter")

    draft = page.get_by_label("Statement text")
    expect(draft).to_be_editable()
    tab_to(page, draft)
    page.keyboard.press("Control+End")
    page.keyboard.type(" Openly.")
    expect(draft).to_have_value(TEXT + " Openly.")
    expect(page.locator(".sync-status")).to_have_text("Saved")
    saved = accord_ui.api(setup, "GET", f"/api/statements/{statement_id}/text")
    assert saved["text"] == TEXT + " Openly."

    # Out of the text, the next stop is the side panel's chosen tab; arrows move between tabs.
    page.keyboard.press("Tab")
    expect(page.get_by_role("tab", name="Comments")).to_be_focused()
    page.keyboard.press("ArrowRight")
    people = page.get_by_role("tab", name="People")
    expect(people).to_be_focused()
    expect(people).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel")).to_contain_text("Fatima Facilitator")
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="About")).to_be_focused()
    expect(page.get_by_role("tabpanel")).to_contain_text("Approval rule")
    page.keyboard.press("Home")
    expect(page.get_by_role("tab", name="Comments")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(draft).to_be_focused()


def test_every_stop_on_the_statement_page_shows_a_ring_that_stands_out(
    accord_ui: AccordUI,
) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Sharing", TEXT)
    page.goto(f"/statements/{statement_id}")
    draft = page.get_by_label("Statement text")
    expect(draft).to_be_editable()

    stops, weak = weak_focus_rings(page)
    assert any(stop.startswith("textarea") for stop in stops), stops
    assert not weak, "\n".join(weak)
