"""Stances section by section on a version's page: a reviewer answers each section of the
version under review, with a reason where one is needed; a stance on a section whose words
stay the same carries over to the next round, which asks only about what changed, with the
words that changed shown, and a carried stance can be taken back."""

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from .a11y import axe_source, axe_violations, phone, small_targets
from .helpers import AccordUI, Person

pytestmark = pytest.mark.browser

TEXT = """We, the delegates in Kraków 🤝, agree on what follows.

## Trust

We share what we learn, openly and in good time.

## Resources

We pool our travel budgets.
"""
SECTIONS = "Your stance, section by section"


def _section(page: Page, title: str) -> Locator:
    block = page.get_by_role("region", name=SECTIONS)
    return block.get_by_role("region", name=title, exact=True)


def _consent(ui: AccordUI, page: Page, base: str, round_id: int) -> dict[str, Any]:
    """Each section's current stances, as the round's consent map gives them."""
    found = ui.api(page, "GET", f"{base}/rounds/{round_id}/consent")
    return {item["heading"] or "Preamble": item["stances"] for item in found["data"]}


def _under_review(ui: AccordUI, reviewer: str) -> tuple[Page, Page, str, Person]:
    """Fatima's statement with `reviewer` as its reviewer and version 1 saved: her page, the
    reviewer's, the statement's API address and the reviewer."""
    fatima = ui.person("Fatima Facilitator", "Wikimedia Norway")
    person = ui.person(reviewer, "Creative Commons")
    page = ui.signed_in(fatima)
    statement_id = ui.create_statement(page, "Statement on Partnerships", TEXT)
    theirs = ui.add_member(page, statement_id, person, "reviewer")
    base = f"/api/statements/{statement_id}"
    ui.api(page, "POST", f"{base}/versions", {"name": "Day one"})
    return page, theirs, base, person


def test_a_reviewer_answers_section_by_section(accord_ui: AccordUI) -> None:
    page, rosa, base, _ = _under_review(accord_ui, "Rosa Reviewer")
    address = base.removeprefix("/api")
    round_id = accord_ui.api(page, "POST", f"{base}/rounds", {"version": 1})["id"]

    rosa.goto(f"{address}/versions/1")
    block = rosa.get_by_role("region", name=SECTIONS)
    expect(block).to_contain_text("3 sections still to answer.")
    resources = _section(rosa, "Resources")
    expect(resources).to_contain_text("Your stance is asked")
    resources.get_by_label("Reason for Resources").fill("Which budgets? Name them.")
    resources.get_by_role("button", name="Request changes to Resources").click()
    expect(resources.get_by_text("Recorded: Request changes.")).to_be_focused()
    expect(resources).to_contain_text("Your stance: Request changes")
    expect(resources).to_contain_text("Which budgets? Name them.")
    expect(resources).not_to_contain_text("Your stance is asked")

    trust = _section(rosa, "Trust")  # by keyboard this time
    trust.get_by_role("button", name="Approve Trust").focus()
    rosa.keyboard.press("Enter")
    expect(trust.get_by_text("Recorded: Approve.")).to_be_focused()
    expect(trust).to_contain_text("Your stance: Approve")
    expect(block).to_contain_text("1 section still to answer.")

    preamble = _section(rosa, "Preamble")
    preamble.get_by_role("button", name="Block the preamble").click()
    expect(preamble.get_by_role("alert")).to_contain_text("needs a reason")
    expect(preamble).to_contain_text("Your stance is asked")

    consent = _consent(accord_ui, page, base, round_id)
    assert [(s["name"], s["kind"], s["reason"]) for s in consent["Resources"]] == [
        ("Rosa Reviewer", "request_changes", "Which budgets? Name them.")
    ]
    assert [(s["name"], s["kind"]) for s in consent["Trust"]] == [("Rosa Reviewer", "approve")]
    assert consent["Preamble"] == []
    # Her stance on the version as a whole is still to come: neither the Review tab nor the
    # round's record takes her stances on sections for one on the version.
    page.goto(address)
    page.get_by_role("tab", name="Review").click()
    row = page.get_by_role("region", name="Review").get_by_role("row", name="Rosa Reviewer")
    expect(row).to_contain_text("Not yet")
    expect(row).not_to_contain_text("Which budgets?")
    page.goto(f"{address}/rounds/{round_id}")
    expect(page.get_by_text("Nobody has given a reason or pointed at a passage.")).to_be_visible()

    rosa.reload()
    expect(_section(rosa, "Resources")).to_contain_text("Your stance: Request changes")
    expect(_section(rosa, "Resources")).to_contain_text("Which budgets? Name them.")
    expect(_section(rosa, "Trust")).to_contain_text("Your stance: Approve")
    expect(_section(rosa, "Preamble")).to_contain_text("Your stance is asked")

    # Each section is found in the text, past the emoji (two UTF-16 units, one code point).
    _section(rosa, "Resources").get_by_role("button", name="Show in the text (Resources)").click()
    text = rosa.get_by_label("Text of version 1")
    expect(text).to_be_focused()
    selected = text.evaluate("(area) => area.value.slice(area.selectionStart, area.selectionEnd)")
    assert selected == TEXT[TEXT.index("## Resources") :]


def _second_round(ui: AccordUI) -> tuple[Page, str, Person]:
    """Dmitri approves Trust and Resources in round 1 on version 1; Resources then changes,
    version 2 is saved and round 2 opens on it. His page, the statement's address, and him."""
    page, dmitri, base, person = _under_review(ui, "Dmitri Delegate")
    first = ui.api(page, "POST", f"{base}/rounds", {"version": 1})["id"]
    for section in ("trust", "resources"):
        stance = {"kind": "approve", "section": section}
        ui.api(dmitri, "POST", f"{base}/rounds/{first}/stances", stance)
    ui.api(page, "POST", f"{base}/rounds/{first}/close")
    rev = ui.api(page, "GET", f"{base}/text")["rev"]
    changed = TEXT.replace("our travel budgets", "our travel and hosting budgets")
    ui.api(page, "POST", f"{base}/text", {"base_rev": rev, "text": changed})
    ui.api(page, "POST", f"{base}/versions", {"name": "Day two"})
    ui.api(page, "POST", f"{base}/rounds", {"version": 2})
    return dmitri, base.removeprefix("/api"), person


def test_an_unchanged_section_carries_over_and_a_changed_one_is_asked(
    accord_ui: AccordUI,
) -> None:
    dmitri, address, _ = _second_round(accord_ui)
    dmitri.goto(f"{address}/versions/2")
    block = dmitri.get_by_role("region", name=SECTIONS)
    expect(block).to_contain_text(
        "1 section changed since you last approved it; 1 carried over; 2 still to answer."
    )
    trust = _section(dmitri, "Trust")
    expect(trust).to_contain_text("Your stance: Approve carried from version 1")
    expect(trust).not_to_contain_text("Your stance is asked")

    resources = _section(dmitri, "Resources")
    expect(resources).to_contain_text("Your stance is asked")
    changes = resources.get_by_role("region", name="Changes to Resources since version 1")
    expect(resources).to_contain_text("Changed since version 1, which you approved")
    expect(changes.locator("ins")).to_have_text("added: and hosting")
    expect(changes).to_contain_text("We pool our travel")
    expect(changes.locator("del")).to_have_count(0)
    expect(trust.get_by_role("region")).to_have_count(0)  # unchanged: no changes to show

    trust.get_by_role("button", name="Take back your stance on Trust").click()
    expect(trust.get_by_text("Taken back")).to_be_focused()
    expect(trust).to_contain_text("Your stance is asked")
    expect(trust).not_to_contain_text("carried from version 1")
    expect(block).to_contain_text(
        "1 section changed since you last approved it; 3 still to answer."
    )

    dmitri.reload()
    expect(_section(dmitri, "Trust")).to_contain_text("Your stance is asked")
    # Answered again, the section is his in this round, no longer carried.
    _section(dmitri, "Trust").get_by_role("button", name="Approve Trust").click()
    expect(_section(dmitri, "Trust")).to_contain_text("Your stance: Approve")
    expect(_section(dmitri, "Trust")).not_to_contain_text("carried")


def test_the_sections_pass_axe_and_fit_a_phone(accord_ui: AccordUI) -> None:
    _, address, dmitri = _second_round(accord_ui)
    page = phone(accord_ui, dmitri)
    page.goto(f"{address}/versions/2")
    expect(_section(page, "Resources").locator("ins")).to_be_visible()
    found = small_targets(page)
    source = axe_source()
    if source is not None:
        found += axe_violations(page, source)
    assert not found, "\n".join(found)
