"""Sections in the editor: the outline beside the text shows each section's state and takes
the caret there; a facilitator locks an agreed section from it, and from then on nobody can
type into that section (though around it, and in Suggesting mode, they still can)."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from .a11y import axe_source, axe_violations
from .helpers import AccordUI, open_statement

pytestmark = pytest.mark.browser

TITLE = "Statement on Partnerships"
TEXT = (
    "# Statement on Partnerships\n\nWe, the delegates in Kraków, agree.\n\n"
    "## Trust\n\nWe trust each other.\n\n"
    "## Scope\n\nOnly this group.\n"
)
LOCKED = "This section is agreed and locked; suggest a change instead."


def _server_text(accord_ui: AccordUI, page: Page, statement_id: int) -> str:
    text: str = accord_ui.api(page, "GET", f"/api/statements/{statement_id}/text")["text"]
    return text


def _caret_after(page: Page, words: str) -> None:
    """Put the caret just after the first occurrence of `words` in the text area."""
    page.get_by_label("Statement text").evaluate(
        """(area, words) => {
            const at = area.value.indexOf(words) + words.length;
            area.focus();
            area.setSelectionRange(at, at);
        }""",
        words,
    )


def _outline(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Sections")


def _entry(page: Page, heading: str) -> Locator:
    return (
        _outline(page)
        .get_by_role("listitem")
        .filter(has=page.get_by_role("button", name=heading, exact=True))
    )


def _pair(accord_ui: AccordUI) -> tuple[Page, Page, int]:
    """Fatima facilitates, Dmitri edits; both have the statement open."""
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, TITLE, TEXT)
    editor = accord_ui.add_member(page, statement_id, dmitri, "editor")
    open_statement(page, statement_id)
    open_statement(editor, statement_id)
    return page, editor, statement_id


def test_a_locked_section_cannot_be_typed_into_but_the_text_around_it_can(
    accord_ui: AccordUI,
) -> None:
    page, editor, statement_id = _pair(accord_ui)
    area = editor.get_by_label("Statement text")
    expect(_outline(editor).get_by_role("listitem")).to_have_count(3)
    expect(_entry(editor, "Trust")).to_contain_text("Drafting")
    # Only facilitators lock.
    expect(_outline(editor).get_by_role("button", name="Lock Trust")).to_have_count(0)

    # The outline takes the caret to a section.
    _entry(editor, "Scope").get_by_role("button", name="Scope").click()
    caret = area.evaluate("(area) => area.selectionStart")
    assert caret == TEXT.index("## Scope")

    # Fatima locks Trust from the outline; Dmitri's editor shows it locked, and by whom.
    _outline(page).get_by_role("button", name="Lock Trust").click()
    expect(_entry(page, "Trust")).to_contain_text("Locked")
    expect(_outline(page).get_by_role("button", name="Unlock Trust")).to_be_visible()
    expect(_entry(editor, "Trust")).to_contain_text("Locked")
    expect(_entry(editor, "Trust")).to_contain_text("by Fatima Facilitator")
    expect(editor.locator(".lock-layer .locked-label")).to_have_text("Locked by Fatima Facilitator")
    expect(editor.locator(".lock-layer .locked-section")).to_have_text(
        "## Trust\n\nWe trust each other."
    )

    # Typing inside it changes nothing, and says why.
    _caret_after(editor, "We trust")
    editor.keyboard.type(" fully")
    editor.keyboard.press("Backspace")
    expect(editor.locator(".notice", has_text=LOCKED)).to_be_visible()
    expect(area).to_have_value(TEXT)
    expect(editor.locator(".notice-error")).to_have_count(0)  # not sent, so not refused

    # Text typed in another section, and on a new line before the locked heading, is saved.
    _caret_after(editor, "Only this group.")
    editor.keyboard.type(" And our guests.")
    _caret_after(editor, "agree.")
    editor.keyboard.press("Enter")
    editor.keyboard.type("We meet every year.")
    written = TEXT.replace("this group.", "this group. And our guests.").replace(
        "agree.\n", "agree.\nWe meet every year.\n"
    )
    expect(area).to_have_value(written)
    expect(page.get_by_label("Statement text")).to_have_value(written)
    expect(editor.locator(".sync-status")).to_have_text("Saved")
    assert _server_text(accord_ui, page, statement_id) == written

    # Unlocked, the section takes typing again.
    _outline(page).get_by_role("button", name="Unlock Trust").click()
    expect(_entry(editor, "Trust")).to_contain_text("Drafting")
    expect(editor.locator(".lock-layer .locked-section")).to_have_count(0)
    _caret_after(editor, "We trust")
    editor.keyboard.type(" fully")
    trusting = written.replace("We trust", "We trust fully")
    expect(page.get_by_label("Statement text")).to_have_value(trusting)
    expect(editor.locator(".sync-status")).to_have_text("Saved")
    assert _server_text(accord_ui, page, statement_id) == trusting

    # A round opened on a version puts its sections in review, in everyone's outline.
    base = f"/api/statements/{statement_id}"
    version = accord_ui.api(page, "POST", f"{base}/versions", {"name": "Day two"})["number"]
    accord_ui.api(page, "POST", f"{base}/rounds", {"version": version})
    for heading in ("Statement on Partnerships", "Trust", "Scope"):
        expect(_entry(editor, heading)).to_contain_text("In review")


def test_suggesting_inside_a_locked_section_makes_a_suggestion(accord_ui: AccordUI) -> None:
    page, editor, statement_id = _pair(accord_ui)
    _outline(page).get_by_role("button", name="Lock Trust").click()
    expect(_entry(editor, "Trust")).to_contain_text("Locked")

    editor.get_by_role("button", name="Suggesting").click()
    _caret_after(editor, "We trust")
    editor.keyboard.type(" fully")
    expect(editor.locator(".suggestion-layer .suggested-insert")).to_have_text(" fully")
    expect(page.locator(".suggestion-layer .suggested-insert")).to_have_text(" fully")
    expect(editor.get_by_label("Statement text")).to_have_value(TEXT)
    expect(editor.locator(".notice", has_text=LOCKED)).to_have_count(0)
    found = accord_ui.api(page, "GET", f"/api/statements/{statement_id}/suggestions")["data"]
    assert [(one["insert"], one["status"]) for one in found] == [(" fully", "open")]


def test_the_outline_shows_every_state_and_passes_axe(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, TITLE, TEXT + "\n## Funding\n\nNone yet.\n")
    base = f"/api/statements/{statement_id}"
    ids = {s["heading"]: s["id"] for s in accord_ui.api(page, "GET", f"{base}/sections")["data"]}
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Day two"})
    round_id = accord_ui.api(page, "POST", f"{base}/rounds", {"version": 1})["id"]
    stances = f"{base}/rounds/{round_id}/stances"
    accord_ui.api(page, "POST", stances, {"kind": "approve", "section": ids["Trust"]})
    accord_ui.api(page, "POST", stances, {"kind": "approve", "section": ids["Scope"]})
    accord_ui.api(
        page,
        "POST",
        stances,
        {"kind": "block", "section": ids["Funding"], "reason": "Name the sums."},
    )
    accord_ui.api(page, "POST", f"{base}/sections/{ids['Trust']}/lock")
    open_statement(page, statement_id)
    expected = {
        "Statement on Partnerships": "In review",
        "Trust": "Locked",
        "Scope": "Agreed",
        "Funding": "Contested",
    }
    for heading, state in expected.items():
        expect(_entry(page, heading).locator(".section-state")).to_have_text(re.compile(state))

    source = axe_source()
    if source is not None:
        assert axe_violations(page, source) == []


def test_a_change_the_server_refuses_as_locked_is_explained(accord_ui: AccordUI) -> None:
    page, editor, statement_id = _pair(accord_ui)
    # Dmitri's page never hears which sections are locked: only the server stops him.
    editor.route("**/api/statements/*/sections", lambda route: None)
    base = f"/api/statements/{statement_id}"
    ids = {s["heading"]: s["id"] for s in accord_ui.api(page, "GET", f"{base}/sections")["data"]}
    accord_ui.api(page, "POST", f"{base}/sections/{ids['Trust']}/lock")

    _caret_after(editor, "We trust")
    editor.keyboard.type(" fully")
    expect(editor.get_by_label("Statement text")).to_have_value(TEXT)
    expect(editor.locator(".sync-status")).to_have_text("Saved")
    # Each refusal says why, in words: what was typed while the page took the server's text
    # again was not sent on the text that had been refused.
    said = "Your last change could not be saved: That section is agreed and locked"
    refusals = editor.locator(".notice-error")
    expect(refusals.filter(has_text=said).first).to_be_visible()
    expect(refusals.filter(has_not_text=said)).to_have_count(0)
    assert _server_text(accord_ui, page, statement_id) == TEXT
