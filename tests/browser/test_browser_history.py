"""The history page: the statement's growth replayed, with who wrote each passage."""

import pytest
from playwright.sync_api import expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser


def test_history_plays_the_growth_with_its_writers(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement", "We agree.")
    other = accord_ui.add_member(page, statement_id, dmitri, "editor")
    text = f"/api/statements/{statement_id}/text"
    accord_ui.api(other, "POST", text, {"base_rev": 1, "text": "We all agree."})
    accord_ui.api(page, "POST", text, {"base_rev": 2, "text": "We all agree 🌍."})

    page.goto(f"/statements/{statement_id}")
    page.get_by_role("tab", name="History").click()
    page.get_by_role("link", name="Play the statement's growth").click()

    shown = page.get_by_role("region", name="Text at this revision")
    expect(shown).to_have_text("We all agree 🌍.")
    expect(page.get_by_text("Revision 3 of 3")).to_be_visible()
    expect(shown.locator(".authored[title='Dmitri Delegate']")).to_have_text(" all")

    page.get_by_role("slider", name="Revision").fill("1")
    expect(shown).to_have_text("We agree.")
    expect(page.get_by_text("Revision 1 of 3")).to_contain_text("Fatima Facilitator")
    page.get_by_label("Colour by writer").uncheck()
    expect(shown.locator(".authored")).to_have_count(0)

    page.get_by_role("button", name="▶ Play").click()
    expect(shown).to_have_text("We all agree 🌍.")
    expect(page.get_by_role("button", name="▶ Play")).to_be_visible()  # stopped at the end
    page.get_by_role("slider", name="Revision").fill("0")
    expect(shown).to_have_text("")
    sessions = page.get_by_role("complementary").get_by_role("listitem")
    expect(sessions).to_have_count(1)
    sessions.first.get_by_role("button").click()
    expect(shown).to_have_text("We all agree 🌍.")

    page.goto(f"/statements/{statement_id}/history?rev=2")  # a version's revision, say
    expect(shown).to_have_text("We all agree.")
