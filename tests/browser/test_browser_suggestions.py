"""Suggestions in the browser: a reviewer's suggestion appears live in the Suggestions tab of
everyone with the statement open, and a decision on it reaches the suggester at once."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import AccordUI, open_statement

pytestmark = pytest.mark.browser
TEXT = "We value free knowledge."


def test_a_suggestion_is_seen_live_and_rejected(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Partnerships", TEXT)
    other = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    open_statement(page, statement_id)
    open_statement(other, statement_id)
    page.get_by_role("tab", name="Suggestions").click()
    other.get_by_role("tab", name="Suggestions").click()
    panel = page.get_by_role("region", name="Suggestions")
    expect(panel.get_by_text("No change has been suggested yet.")).to_be_visible()

    at = TEXT.index("free")
    made = accord_ui.api(
        other,
        "POST",
        f"/api/statements/{statement_id}/suggestions",
        {"base_rev": 1, "op": [at, "open and ", -4, len(TEXT) - at - 4], "reason": "Both."},
    )
    suggestion = panel.locator(".suggestion")
    expect(suggestion).to_have_count(1)  # live, without a reload
    expect(suggestion.locator(".suggestion-change")).to_have_text("Replace free with open and ")
    expect(suggestion).to_contain_text("Both.")
    expect(suggestion).to_contain_text("Rosa Reviewer, Creative Commons")
    # The reviewer may withdraw her own, not decide; the facilitator may reject, not withdraw.
    mine = other.get_by_role("region", name="Suggestions")
    expect(mine.get_by_role("button", name=f"Withdraw suggestion {made['id']}")).to_be_visible()
    expect(mine.get_by_role("button", name=f"Reject suggestion {made['id']}")).to_have_count(0)
    expect(panel.get_by_role("button", name=f"Withdraw suggestion {made['id']}")).to_have_count(0)

    panel.get_by_role("button", name=f"Reject suggestion {made['id']}").click()
    panel.get_by_role("button", name="Yes, reject").click()
    expect(suggestion).to_contain_text("Rejected")
    expect(mine.locator(".suggestion")).to_contain_text("Rejected")  # the suggester sees it
    expect(mine.get_by_role("button", name=f"Withdraw suggestion {made['id']}")).to_have_count(0)
    expect(page.get_by_label("Statement text")).to_have_value(TEXT)  # the text is unchanged
