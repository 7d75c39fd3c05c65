"""Review with suggestions in the browser: a round that waits until no suggestion is open, and
the compare page drawing the open suggestions on a version's text."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import AccordUI, open_statement

pytestmark = pytest.mark.browser
TEXT = "We value free knowledge. Partners need support."


def test_a_waiting_round_closes_once_its_suggestion_is_withdrawn(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    sid = accord_ui.create_statement(page, "Partnerships", TEXT)
    reviewer = accord_ui.add_member(page, sid, rosa, "reviewer")
    accord_ui.api(page, "POST", f"/api/statements/{sid}/versions", {"name": "Final"})
    at = TEXT.index("free")
    made = accord_ui.api(
        reviewer,
        "POST",
        f"/api/statements/{sid}/suggestions",
        {"base_rev": 1, "op": [at, "open", -4, len(TEXT) - at - 4], "reason": "Say it plainly."},
    )

    open_statement(page, sid)
    page.get_by_role("tab", name="Review").click()
    panel = page.get_by_role("region", name="Review")
    page.get_by_label("Version to review").select_option("1")
    page.get_by_label("Wait until no suggestion is open").check()
    page.get_by_role("button", name="Open the review round").click()
    expect(panel).to_contain_text("1 suggestion on this version is still open")
    round_id = accord_ui.api(page, "GET", f"/api/statements/{sid}/rounds")["data"][0]["id"]
    reviewer.goto(f"/statements/{sid}/rounds/{round_id}")  # the round's own page counts too
    expect(reviewer.locator(".round-record")).to_contain_text(
        "1 suggestion on this version is still open"
    )
    for person in (page, reviewer):
        stances = f"/api/statements/{sid}/rounds/{round_id}/stances"
        accord_ui.api(person, "POST", stances, {"kind": "approve"})
    expect(panel).to_contain_text("once no suggestion is open, closing approves the version")

    # Closing now is refused, and says why.
    panel.get_by_role("button", name="Close the round").click()
    panel.get_by_role("button", name="Yes, close").click()
    expect(panel.get_by_role("alert")).to_have_text("1 suggestion is still open: decide it first.")
    # The link leads to the suggestion, in the Suggestions tab.
    panel.get_by_role("link", name="See it in the Suggestions tab").click()
    suggestions = page.get_by_role("region", name="Suggestions")
    expect(suggestions.locator(".suggestion")).to_contain_text("Replace free with open")

    accord_ui.api(reviewer, "POST", f"/api/statements/{sid}/suggestions/{made['id']}/withdraw")
    page.get_by_role("tab", name="Review").click()
    expect(panel).to_contain_text("No suggestion on this version is open.")  # live
    expect(reviewer.locator(".round-record")).to_contain_text("No suggestion on this version")
    panel.get_by_role("button", name="Close the round").click()
    panel.get_by_role("button", name="Yes, close").click()
    expect(panel).to_contain_text("Version 1 is approved.")


def test_compare_shows_the_open_suggestions_on_a_version(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    sid = accord_ui.create_statement(page, "Partnerships", TEXT)
    reviewer = accord_ui.add_member(page, sid, rosa, "reviewer")
    accord_ui.api(page, "POST", f"/api/statements/{sid}/versions", {"name": "Final"})
    at = TEXT.index("free")
    accord_ui.api(
        reviewer,
        "POST",
        f"/api/statements/{sid}/suggestions",
        {"base_rev": 1, "op": [at, "open", -4, len(TEXT) - at - 4], "reason": "Say it plainly."},
    )

    for to in ("1", "live"):
        page.goto(f"/statements/{sid}/compare?from=1&to={to}")
        expect(page.get_by_role("region", name="Changes")).to_be_visible()
        toggle = page.get_by_role("button", name="Show open suggestions")
        toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "true")
        drawn = page.get_by_role("region", name="with its open suggestions")
        expect(drawn).to_have_text(TEXT.replace("free", "freeopen"))
        expect(drawn.locator("del")).to_have_text("free")
        expect(drawn.locator("ins")).to_have_text("open")
        mark = drawn.locator(".suggested")
        expect(mark).to_have_attribute(
            "title", "Suggested by Rosa Reviewer (Creative Commons): Say it plainly."
        )
        toggle.click()
        expect(page.get_by_role("region", name="Changes")).to_be_visible()
        expect(drawn).to_have_count(0)
