"""Suggesting mode in the editor: what a person types there becomes one suggestion, drawn live
in everyone's editor, where it can be opened and accepted; reviewers may only suggest; and the
Suggestions tab accepts all of one person's suggestions at once."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import AccordUI, open_statement, select_words

pytestmark = pytest.mark.browser
TEXT = "We value free knowledge. Partnerships serve that aim."


def _suggesting(page: Page) -> None:
    page.get_by_role("button", name="Suggesting").click()
    expect(page.get_by_role("button", name="Suggesting")).to_have_attribute("aria-pressed", "true")


def _caret_at(page: Page, position: int) -> None:
    page.get_by_label("Statement text").evaluate(
        "(area, at) => { area.focus(); area.setSelectionRange(at, at); }", position
    )


def _listed(accord_ui: AccordUI, page: Page, statement_id: int) -> list[dict[str, Any]]:
    found = accord_ui.api(page, "GET", f"/api/statements/{statement_id}/suggestions")
    return list(found["data"])


def test_a_suggested_replacement_is_seen_live_and_accepted(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Partnerships", TEXT)
    other = accord_ui.add_member(page, statement_id, dmitri, "editor")
    open_statement(page, statement_id)
    open_statement(other, statement_id)

    _suggesting(other)
    select_words(other, "free")
    other.keyboard.type("open")
    expect(other.get_by_label("Statement text")).to_have_value(TEXT)  # the draft is unchanged

    # Fatima sees it in her editor at once: "free" struck, "open" put in beside it.
    marks = page.locator(".suggestion-layer")
    expect(marks.locator(".suggested-delete")).to_have_text("free")
    expect(marks.locator(".suggested-insert")).to_have_text("open")
    marks.locator(".suggested-insert-text").click()
    card = page.get_by_role("dialog", name="Suggestion by Dmitri Delegate")
    expect(card).to_contain_text("Replace free with open")
    card.get_by_role("button", name="Accept").click()

    accepted = TEXT.replace("free", "open")
    expect(page.get_by_label("Statement text")).to_have_value(accepted)
    expect(other.get_by_label("Statement text")).to_have_value(accepted)
    expect(marks.locator(".suggested-delete")).to_have_count(0)
    # The words accepted are Dmitri's: who wrote what names him.
    page.get_by_label("Show who wrote what").check()
    expect(page.get_by_role("list", name="Who wrote what")).to_contain_text("Dmitri Delegate")
    # And the Suggestions tab says who accepted them.
    other.get_by_role("tab", name="Suggestions").click()
    listed = other.get_by_role("region", name="Suggestions")
    expect(listed).to_contain_text("Accepted by Fatima Facilitator")


def test_a_reviewer_can_only_suggest(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Partnerships", TEXT)
    other = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    open_statement(page, statement_id)
    open_statement(other, statement_id)

    expect(other.get_by_role("button", name="Editing")).to_have_count(0)
    expect(other.get_by_role("button", name="Suggesting")).to_have_attribute("aria-pressed", "true")
    other.get_by_label("Reason for your suggestion").fill("Say whose aim.")
    _caret_at(other, TEXT.index("that aim"))
    other.keyboard.type("our ")
    expect(other.get_by_label("Statement text")).to_have_value(TEXT)

    flag = page.locator(".suggestion-layer .suggested-insert")
    expect(flag).to_have_text("our ")
    flag.locator(".suggested-insert-text").click()
    card = page.get_by_role("dialog", name="Suggestion by Rosa Reviewer")
    expect(card).to_contain_text("Say whose aim.")
    expect(card.get_by_role("button", name="Accept")).to_be_visible()
    # A viewer has no mode to choose: the text stays read only.
    viewer = accord_ui.add_member(
        page, statement_id, accord_ui.person("Vera Viewer", "Wikimedia France"), "viewer"
    )
    open_statement(viewer, statement_id)
    expect(viewer.get_by_role("button", name="Suggesting")).to_be_hidden()
    expect(viewer.locator(".suggestion-layer .suggested-insert")).to_have_text("our ")
    expect(viewer.get_by_label("Statement text")).not_to_be_editable()


def test_all_of_one_organisations_suggestions_are_accepted_at_once(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Partnerships", TEXT)
    reviewer = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    editor = accord_ui.add_member(page, statement_id, dmitri, "editor")
    path = f"/api/statements/{statement_id}/suggestions"
    free, aim, stop = TEXT.index("free"), TEXT.index("aim"), TEXT.index(".")
    size = len(TEXT)
    hers = [
        accord_ui.api(reviewer, "POST", path, {"base_rev": 1, "op": op})["id"]
        for op in ([free, "open", -4, size - free - 4], [aim, "shared ", size - aim])
    ]
    theirs = accord_ui.api(
        editor, "POST", path, {"base_rev": 1, "op": [stop, "!", -1, size - stop - 1]}
    )

    open_statement(page, statement_id)
    page.get_by_role("tab", name="Suggestions").click()
    panel = page.get_by_role("region", name="Suggestions")
    panel.get_by_label("Accept all open suggestions of").select_option(label="Creative Commons (2)")
    panel.get_by_role("button", name="Accept all").click()

    outcomes = panel.locator(".bulk-outcomes li")
    expect(outcomes).to_have_count(2)
    expect(outcomes).to_have_text([f"Suggestion {id_}: accepted." for id_ in hers])
    accepted = TEXT.replace("free", "open").replace("aim", "shared aim")
    expect(page.get_by_label("Statement text")).to_have_value(accepted)
    # Dmitri's stays open, and his organisation is the only one left to offer.
    expect(panel.get_by_role("button", name=f"Accept suggestion {theirs['id']}")).to_be_visible()
    expect(panel.get_by_label("Accept all open suggestions of").locator("option")).to_have_text(
        ["Wikimedia Ukraine (1)"]
    )


def test_consecutive_typing_makes_one_suggestion(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Partnerships", TEXT)
    open_statement(page, statement_id)
    page.get_by_role("tab", name="Suggestions").click()
    _suggesting(page)

    _caret_at(page, TEXT.index(" knowledge"))
    page.keyboard.type(" and opem")
    page.keyboard.press("Backspace")  # takes back the last suggested letter
    page.keyboard.type("n")

    panel = page.get_by_role("region", name="Suggestions")
    expect(panel.locator(".suggestion-change")).to_have_text(["Insert  and open"])
    expect(page.locator(".suggestion-layer .suggested-insert")).to_have_text(" and open")
    listed = _listed(accord_ui, page, statement_id)
    assert [(s["insert"], s["delete"], s["status"]) for s in listed] == [(" and open", "", "open")]
    expect(page.get_by_label("Statement text")).to_have_value(TEXT)
