"""On a phone 390 CSS pixels wide, used by touch: every control is a target a finger can hit
(at least 24 by 24 CSS pixels, WCAG 2.5.8, by the rule stated in `a11y.SMALL_TARGETS`), no page
is wider than the screen, the statement page's narrow layout passes axe-core too, and the
statement's side tabs (People, Comments, ...) are within reach without scrolling past the draft."""

import pytest
from playwright.sync_api import Page, expect

from .a11y import axe_source, axe_violations, phone, rounds, small_targets, workshop
from .helpers import AccordUI, make_administrator

pytestmark = pytest.mark.browser

STATEMENT_TABS = ["Comments", "People", "Versions", "Review", "History", "Activity", "About"]


def settled(page: Page, path: str, ready: str) -> None:
    """Open `path` and wait until its content has been drawn (`ready` is visible)."""
    page.goto(path)
    expect(page.locator(ready).first).to_be_visible()
    expect(page.get_by_text("Loading").filter(visible=True)).to_have_count(0)


@pytest.mark.slow
def test_statement_pages_have_targets_a_finger_can_hit(accord_ui: AccordUI) -> None:
    world = workshop(accord_ui)
    page = phone(accord_ui, world.facilitator)
    base = f"/statements/{world.statement_id}"
    settled(page, base, ".thread")
    axe = axe_source()  # the narrow layout's own findings (a panel that scrolls, say)
    found = small_targets(page)
    for tab in STATEMENT_TABS:
        page.get_by_role("tab", name=tab).tap()
        expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        found += [f"[{tab} tab] {line}" for line in small_targets(page)]
        if axe is not None:
            found += [f"[{tab} tab] {line}" for line in axe_violations(page, axe)]
    for path, ready in [
        (f"{base}/history", "input[type=range]"),
        (f"{base}/compare?from=1&to=2", "ins"),
        (f"{base}/compare?from=1&to=2&view=side", "table ins"),
        (f"{base}/versions/1", "textarea"),
        (f"{base}/settings", "table"),
        *((f"{base}/rounds/{number}", "table.round-grid") for number in rounds(accord_ui, world)),
    ]:
        settled(page, path, ready)
        found += small_targets(page)
    assert not found, "\n".join(found)


@pytest.mark.slow
def test_other_pages_have_targets_a_finger_can_hit(accord_ui: AccordUI) -> None:
    world = workshop(accord_ui)
    make_administrator(accord_ui.server, world.facilitator)
    page = phone(accord_ui, world.facilitator)
    found: list[str] = []
    signed_in_pages = [("/", "a[href^='/statements/']"), ("/account", "form"), ("/users", "table")]
    for path, ready in signed_in_pages:
        settled(page, path, ready)
        found += small_targets(page)
    visitor = phone(accord_ui)
    for path, ready in [
        ("/signin", "form"),
        (f"/invite/{world.invitation_token}", "h1"),
        (f"/s/{world.slug}", "article"),
        ("/no/such/page", "h1"),
    ]:
        settled(visitor, path, ready)
        found += small_targets(visitor)
    assert not found, "\n".join(found)


LONG_DRAFT = "\n\n".join(
    f"{n}. We commit to clause {n}, which this workshop wrote together over two days."
    for n in range(1, 41)
)


def test_side_tabs_are_in_reach_above_a_long_draft_on_a_phone(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    setup = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(setup, "Statement", LONG_DRAFT)
    accord_ui.add_member(setup, statement_id, dmitri, "editor")
    page = phone(accord_ui, fatima)
    page.goto(f"/statements/{statement_id}")
    draft = page.get_by_label("Statement text")
    expect(draft).to_have_value(LONG_DRAFT)
    box = draft.bounding_box()
    assert box is not None
    assert box["height"] > 2 * 844  # the draft is longer than two screens

    people = page.get_by_role("tab", name="People")
    expect(people).to_be_in_viewport()  # without scrolling
    people.tap()
    expect(page.get_by_role("tabpanel").get_by_text("Dmitri Delegate")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") == 0
    # The draft starts within the first screen too: the panel above it is kept short.
    expect(draft).to_be_in_viewport()
