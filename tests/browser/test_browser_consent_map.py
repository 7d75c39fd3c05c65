"""The consent map of a round: organisations and their people against the sections, each
stance told by a symbol and a word, its reason a hover, a focus or a tap away; it keeps up
with stances as they are recorded, marks the sections the rule agrees, says where each stands
in words, shows the stances carried over from an earlier version, and scrolls sideways on a
phone under a first column that stays put."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from .a11y import phone
from .helpers import AccordUI

pytestmark = pytest.mark.browser

TEXT = """We, the affiliates gathered in Kraków, agree on what follows.

## Resources and Structures

Each affiliate shares its budget every year.

## Partners

We name every partner on our pages.
"""
SECOND = TEXT.replace("every year", "every year, in the spring")
REASON = "Say which budget: the whole one, or the programmes' alone?"


def _cell(grid: Locator, person: str, column: int) -> Locator:
    """The cell of `person`'s row in the `column`th section (0: the preamble)."""
    return grid.get_by_role("row", name=person).get_by_role("cell").nth(column)


def _sections(ui: AccordUI, page: Page, base: str, round_id: int) -> list[str]:
    consent = ui.api(page, "GET", f"{base}/rounds/{round_id}/consent")
    return [section["section"] for section in consent["data"]]


def test_consent_map_follows_stances_live_and_tells_them_apart(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Resources", TEXT)
    others = {
        name: accord_ui.add_member(page, statement_id, accord_ui.person(name, org), "reviewer")
        for name, org in [
            ("Dmitri Delegate", "Wikimedia Norway"),
            ("Rosa Reviewer", "Creative Commons"),
            ("Chen Contributor", "Creative Commons"),
        ]
    }
    base = f"/api/statements/{statement_id}"
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Day one"})
    round_id = accord_ui.api(page, "POST", f"{base}/rounds", {"version": 1})["id"]
    preamble, resources, partners = _sections(accord_ui, page, base, round_id)

    page.goto(f"/statements/{statement_id}/rounds/{round_id}")
    page.get_by_role("link", name="Consent map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent map: version 1")
    expect(page.locator(".consent-live")).to_contain_text("Live")
    grid = page.get_by_role("table", name="Stances by organisation and section")
    headers = grid.get_by_role("columnheader")
    expect(headers).to_have_text(
        ["Organisation and person", "Preamble", "Resources and Structures", "Partners"]
    )
    expect(grid.get_by_role("rowheader", name="Creative Commons", exact=True)).to_be_visible()
    expect(_cell(grid, "Rosa Reviewer", 1)).to_have_text("…Not yet")
    words = page.get_by_role("region", name="Each section in words")
    expect(words).to_contain_text("Partners: 2 organisations have not responded")

    # Dmitri asks for changes to one section: his cell says so at once, with its reason.
    stances = f"{base}/rounds/{round_id}/stances"
    asked = {"kind": "request_changes", "reason": REASON, "section": resources}
    accord_ui.api(others["Dmitri Delegate"], "POST", stances, asked)
    dmitri = _cell(grid, "Dmitri Delegate", 1)
    expect(dmitri).to_have_attribute("data-stance", "request_changes")
    expect(dmitri).to_contain_text("✎Request changes")
    expect(words).to_contain_text(
        f"Resources and Structures: Wikimedia Norway requests changes ({REASON}); "
        "1 organisation has not responded"
    )
    reason = page.get_by_role("tooltip")
    expect(reason).to_be_hidden()
    dmitri.hover()  # pointing at it shows the reason
    expect(reason).to_be_visible()
    expect(reason).to_have_text(REASON)
    page.get_by_role("heading", level=1).hover()
    expect(reason).to_be_hidden()
    # And so does the keyboard: from the grid, Tab reaches the one stance with a reason.
    page.get_by_role("region", name="Stances by organisation and section").focus()
    page.keyboard.press("Tab")
    expect(dmitri.get_by_role("button", name="Request changes")).to_be_focused()
    expect(reason).to_be_visible()
    expect(dmitri.get_by_role("button")).to_have_accessible_description(REASON)
    page.keyboard.press("Escape")
    expect(reason).to_be_hidden()

    # Everyone approves Partners, all at once: the rule holds for it, and its column says so.
    partners_header = headers.nth(3)
    expect(partners_header).not_to_contain_text("Agreed")
    everyone = [("Fatima Facilitator", page), *others.items()]
    for _, person in everyone:
        accord_ui.api(person, "POST", stances, {"kind": "approve", "section": partners})
    for name, _ in everyone:
        expect(_cell(grid, name, 2)).to_have_text("✓Approve")
    expect(partners_header).to_contain_text("✓ Agreed")
    expect(headers.nth(2)).not_to_contain_text("Agreed")
    expect(words.get_by_role("listitem").nth(2)).to_contain_text("Agreed")
    block = {"kind": "block", "reason": "Not before the board has seen it.", "section": preamble}
    accord_ui.api(others["Chen Contributor"], "POST", stances, block)
    expect(_cell(grid, "Chen Contributor", 0)).to_contain_text("✕Block")
    expect(words).to_contain_text("Preamble: Creative Commons blocks (Not before the board")

    # A facilitator locks the agreed section, and the round closes: the map keeps up.
    accord_ui.api(page, "POST", f"{base}/sections/{partners}/lock")
    expect(partners_header).to_contain_text("Locked")
    accord_ui.api(page, "POST", f"{base}/rounds/{round_id}/close")
    expect(page.locator(".consent-state")).to_contain_text("The round is closed")


def test_stance_carried_over_to_the_next_round_says_where_it_came_from(
    accord_ui: AccordUI,
) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Resources", TEXT)
    reviewer = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    base = f"/api/statements/{statement_id}"
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Day one"})
    first = accord_ui.api(page, "POST", f"{base}/rounds", {"version": 1})["id"]
    _, resources, partners = _sections(accord_ui, page, base, first)
    for section in (resources, partners):
        approval = {"kind": "approve", "section": section}
        accord_ui.api(reviewer, "POST", f"{base}/rounds/{first}/stances", approval)
    accord_ui.api(page, "POST", f"{base}/rounds/{first}/close")

    # Resources changes on day two; Partners reads as it did.
    rev = accord_ui.api(page, "GET", f"{base}/text")["rev"]
    accord_ui.api(page, "POST", f"{base}/text", {"base_rev": rev, "text": SECOND})
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Day two"})
    second = accord_ui.api(page, "POST", f"{base}/rounds", {"version": 2})["id"]

    page.goto(f"/statements/{statement_id}/rounds/{second}/consent")
    grid = page.get_by_role("table", name="Stances by organisation and section")
    carried = _cell(grid, "Rosa Reviewer", 2)
    expect(carried.get_by_role("button", name="Approve")).to_have_text("✓Approve↻")
    expect(_cell(grid, "Rosa Reviewer", 1)).to_have_text("…Not yet")
    carried.get_by_role("button", name="Approve").click()  # a tap pins the details open
    note = carried.get_by_role("tooltip")
    expect(note).to_be_visible()
    expect(note).to_have_text(re.compile("carried from version 1", re.IGNORECASE))
    page.get_by_role("heading", level=1).hover()
    expect(note).to_be_visible()
    carried.get_by_role("button", name="Approve").click()
    expect(note).to_be_hidden()

    # For a projector: larger type, and the map alone on the screen.
    large = page.get_by_role("button", name="Large type")
    large.click()
    expect(large).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Full screen").click()
    page.wait_for_function("() => document.fullscreenElement === document.getElementById('main')")
    leave = page.get_by_role("button", name="Leave full screen")
    expect(leave).to_be_visible()
    leave.click()
    expect(page.get_by_role("button", name="Full screen")).to_be_visible()


def test_consent_map_scrolls_sideways_on_a_phone_under_its_first_column(
    accord_ui: AccordUI,
) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    many = TEXT + "".join(f"\n## Part {n}\n\nWords of part {n}.\n" for n in range(1, 7))
    statement_id = accord_ui.create_statement(page, "Statement on Resources", many)
    base = f"/api/statements/{statement_id}"
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Day one"})
    round_id = accord_ui.api(page, "POST", f"{base}/rounds", {"version": 1})["id"]

    small = phone(accord_ui, fatima)
    small.goto(f"/statements/{statement_id}/rounds/{round_id}/consent")
    grid = small.get_by_role("table", name="Stances by organisation and section")
    name = grid.get_by_role("rowheader", name="Fatima Facilitator")
    expect(name).to_be_visible()
    assert small.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    scroller = small.locator(".consent-scroll")
    assert scroller.evaluate("node => node.scrollWidth > node.clientWidth")
    before = name.bounding_box()
    scroller.evaluate("node => { node.scrollLeft = node.scrollWidth; }")
    expect(grid.get_by_role("columnheader", name="Part 6")).to_be_in_viewport()
    after = name.bounding_box()
    assert before is not None
    assert after is not None
    assert after["x"] == before["x"]  # the first column stays where it was
