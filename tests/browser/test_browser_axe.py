"""axe-core finds no WCAG 2.1 A or AA violation on any page, as a facilitator sees it with a
statement that has versions, comments, a publication and an open round, nor on the pages a
signed-out visitor sees (sign in, an invitation, the public page, a page that does not exist).
The public page, with a stylesheet of its own, also shows a focus ring of 3:1 or more."""

import pytest
from playwright.sync_api import Page, expect

from .a11y import Workshop, axe_source, axe_violations, rounds, weak_focus_rings, workshop
from .helpers import AccordUI, make_administrator

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # each builds a whole statement first

STATEMENT_TABS = ["Comments", "People", "Versions", "Review", "History", "Activity", "About"]


@pytest.fixture
def axe() -> str:
    source = axe_source()
    if source is None:
        pytest.skip("axe-core is missing: pip install -e '.[test]' brings axe-playwright-python")
    return source


def settled(page: Page, path: str, ready: str) -> None:
    """Open `path` and wait until its content has been drawn (`ready` is visible)."""
    page.goto(path)
    expect(page.locator(ready).first).to_be_visible()
    expect(page.get_by_text("Loading").filter(visible=True)).to_have_count(0)


def test_statement_page_and_each_tab_pass_axe(accord_ui: AccordUI, axe: str) -> None:
    world = workshop(accord_ui)
    page = world.page
    settled(page, f"/statements/{world.statement_id}", ".thread")
    expect(page.locator(".sync-status")).to_have_attribute("data-state", "connected")
    found = axe_violations(page, axe)
    for tab in STATEMENT_TABS:
        page.get_by_role("tab", name=tab).click()
        expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        expect(page.get_by_role("tabpanel")).to_be_visible()
        found += [f"[{tab} tab] {line}" for line in axe_violations(page, axe)]
    assert not found, "\n".join(found)


def test_history_compare_version_round_and_consent_pages_pass_axe(
    accord_ui: AccordUI, axe: str
) -> None:
    world = workshop(accord_ui)
    page = world.page
    base = f"/statements/{world.statement_id}"
    # A stance with a reason on a section of the open round: a framed cell on its consent map.
    latest = rounds(accord_ui, world)[0]
    consent = accord_ui.api(page, "GET", f"/api{base}/rounds/{latest}/consent")
    stance = {"kind": "block", "reason": "Not yet.", "section": consent["data"][0]["section"]}
    accord_ui.api(page, "POST", f"/api{base}/rounds/{latest}/stances", stance)
    found: list[str] = []
    for path, ready in [
        (f"{base}/history", ".history-text, textarea, pre, article"),
        (f"{base}/compare?from=1&to=2", "ins"),
        (f"{base}/compare?from=1&to=2&view=side", "table ins"),
        (f"{base}/versions/1", "textarea"),
        *((f"{base}/rounds/{number}", "table.round-grid") for number in rounds(accord_ui, world)),
        *(
            (f"{base}/rounds/{number}/consent", "table.consent-grid")
            for number in rounds(accord_ui, world)
        ),
    ]:
        settled(page, path, ready)
        found += axe_violations(page, axe)
    # The consent map again, with the stance's reason shown.
    settled(page, f"{base}/rounds/{latest}/consent", "table.consent-grid")
    page.get_by_role("button", name="Block").focus()
    expect(page.get_by_role("tooltip")).to_have_text("Not yet.")
    found += axe_violations(page, axe)
    assert not found, "\n".join(found)


def test_list_account_accounts_and_settings_pages_pass_axe(accord_ui: AccordUI, axe: str) -> None:
    world = workshop(accord_ui)
    make_administrator(accord_ui.server, world.facilitator)
    page = world.page
    found: list[str] = []
    for path, ready in [
        ("/", "a[href^='/statements/']"),
        ("/account", "form"),
        ("/users", "table"),
        (f"/statements/{world.statement_id}/settings", "table, form"),
    ]:
        settled(page, path, ready)
        found += axe_violations(page, axe)
    assert not found, "\n".join(found)


def test_signed_out_public_and_missing_pages_pass_axe(accord_ui: AccordUI, axe: str) -> None:
    world: Workshop = workshop(accord_ui)
    visitor = accord_ui.new_page()
    found: list[str] = []
    for path, ready in [
        ("/signin", "form"),
        (f"/invite/{world.invitation_token}", "h1"),
        (f"/s/{world.slug}", "article"),
        (f"/s/{world.slug}/v/1", "article"),
        ("/no/such/page", "h1"),
    ]:
        settled(visitor, path, ready)
        found += axe_violations(visitor, axe)
    # The public page has a stylesheet of its own: its focus ring is checked here too.
    visitor.goto(f"/s/{world.slug}")
    stops, weak = weak_focus_rings(visitor)
    assert any(stop.startswith("a ") for stop in stops), stops
    assert not found + weak, "\n".join(found + weak)
