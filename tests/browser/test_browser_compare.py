"""Comparing versions in the browser: two saved versions, inline and side by side, restore."""

import pytest
from playwright.sync_api import Dialog, expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

KEPT = [f"Paragraph {n} stays exactly as it was written on the first day." for n in range(1, 7)]
FIRST = "\n\n".join(["We agree on <b>trust</b>.", *KEPT]) + "\n"
SECOND = "\n\n".join(["We all agree on <b>trust</b>!", *KEPT]) + "\n"


def test_save_two_versions_compare_them_and_restore_the_older(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(fatima)
    dialogs: list[Dialog] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog))
    statement_id = accord_ui.create_statement(page, "Statement", FIRST)
    other = accord_ui.add_member(page, statement_id, dmitri, "editor")
    page.goto(f"/statements/{statement_id}")
    page.get_by_role("tab", name="Versions").click()
    page.get_by_label("Version name").fill("Day one")
    page.get_by_role("button", name="Save version").click()
    expect(page.locator(".version")).to_have_count(1)
    accord_ui.api(
        other, "POST", f"/api/statements/{statement_id}/text", {"base_rev": 1, "text": SECOND}
    )
    expect(page.get_by_label("Statement text")).to_have_value(SECOND)
    page.get_by_label("Version name").fill("Day two")
    page.get_by_role("button", name="Save version").click()
    expect(page.locator(".version")).to_have_count(2)

    page.get_by_role("link", name="Compare any two versions").click()
    expect(page.get_by_label("From")).to_have_value("1")
    expect(page.get_by_label("To")).to_have_value("2")
    changes = page.get_by_role("region", name="Changes")
    counts = page.locator(".diff-counts span")
    expect(counts).to_have_text(["+1 word", "\u22120 words", "1 paragraph changed"])
    expect(changes.locator("ins").first).to_have_text("all")
    expect(changes.locator("ins").first).to_have_attribute("title", "Added by Dmitri Delegate")
    expect(changes.locator("del")).to_have_text(["."])
    expect(changes).to_contain_text("on <b>trust</b>")  # what people wrote stays text

    page.get_by_role("button", name="Side by side").click()
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Version 1: Day one", "Version 2: Day two"]
    )
    expect(table.locator(".fold")).to_have_count(1)
    table.get_by_role("button", name="Show 5 unchanged paragraphs").click()
    expect(table.get_by_text(KEPT[4])).to_have_count(2)
    page.get_by_role("button", name="Inline").click()
    expect(changes.locator("ins").first).to_have_text("all")

    page.get_by_role("link", name="Statement", exact=True).click()
    page.get_by_role("tab", name="Versions").click()
    page.get_by_role("button", name="Restore version 1").click()
    page.get_by_role("button", name="Yes, restore").click()
    expect(page.get_by_label("Statement text")).to_have_value(FIRST)
    assert dialogs == []
