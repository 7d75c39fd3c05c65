"""Versions in the browser: save them from the editor, see others' appear, restore one."""

import pytest
from playwright.sync_api import expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

TITLE = "Statement on Partnerships"


def test_save_two_versions_and_restore_the_older(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, TITLE, "We agree.")
    other = accord_ui.add_member(page, statement_id, dmitri, "reviewer")
    page.goto(f"/statements/{statement_id}")
    other.goto(f"/statements/{statement_id}")
    other.get_by_role("tab", name="Versions").click()
    expect(other.get_by_text("No version has been saved yet.")).to_be_visible()
    expect(other.get_by_label("Version name")).to_have_count(0)  # reviewers save none

    page.get_by_role("tab", name="Versions").click()
    page.get_by_label("Version name").fill("Draft 1, day one")
    page.get_by_label("Note").fill("Before lunch.")
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_text("Saved version 1, “Draft 1, day one”.", exact=True)).to_be_visible()
    text = page.get_by_label("Statement text")
    text.click()
    page.keyboard.press("End")
    page.keyboard.type(" All of us.")
    expect(page.locator(".sync-status")).to_have_text("Saved")
    page.get_by_label("Version name").fill("Draft 2")
    page.get_by_role("button", name="Save version").click()

    listed = other.locator(".version")  # the reviewer's list follows live
    expect(listed).to_have_count(2)
    expect(listed.first).to_contain_text("Draft 2")
    expect(listed.nth(1)).to_contain_text("Draft 1, day one")
    expect(listed.nth(1)).to_contain_text("Before lunch.")

    page.get_by_role("button", name="Restore version 1").click()
    page.get_by_role("button", name="Yes, restore").click()
    expect(text).to_have_value("We agree.")
    expect(other.get_by_label("Statement text")).to_have_value("We agree.")
    # The restore is a change like any other: undo brings the later text back.
    text.click()
    page.keyboard.press("Control+z")
    expect(text).to_have_value("We agree. All of us.")
