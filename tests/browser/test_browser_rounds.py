"""Review rounds as people follow them: the Review tab and the state badge keep up with what
others do, a round's record has a full page of its own, and recording a stance by keyboard
leaves focus on its confirmation."""

import pytest
from playwright.sync_api import Page, expect

from .helpers import AccordUI, open_statement

pytestmark = pytest.mark.browser

TEXT = "# Statement on Partnerships\n\nWe, the delegates in Kraków, agree.\n"


def _open_review(page: Page, statement_id: int) -> None:
    """Open the statement with its live connection up, on the Review tab."""
    open_statement(page, statement_id)
    page.get_by_role("tab", name="Review").click()


def test_review_tab_and_state_badge_follow_what_others_do(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Workshop facilitation")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Partnerships", TEXT)
    editor = accord_ui.add_member(page, statement_id, dmitri, "editor")
    base = f"/api/statements/{statement_id}"
    _open_review(page, statement_id)
    _open_review(editor, statement_id)
    review = page.get_by_role("region", name="Review")
    badge = editor.locator("#state-badge")
    expect(review).to_contain_text("Save a version first")
    expect(badge).to_have_text("Drafting")

    # Dmitri saves a version: Fatima may open a round on it at once.
    accord_ui.api(editor, "POST", f"{base}/versions", {"name": "After day two"})
    expect(review.get_by_label("Version to review")).to_contain_text("Version 1: After day two")

    # Fatima opens the round: Dmitri sees it, and the statement in review.
    review.get_by_role("button", name="Open the review round").click()
    expect(badge).to_have_text("In review")
    expect(editor.get_by_role("region", name="Review")).to_contain_text("Reviewing version 1")
    editor.get_by_role("tab", name="Activity").click()
    activity = editor.get_by_role("region", name="Activity")
    expect(activity).to_contain_text("opened a review round on version 1")
    editor.get_by_role("tab", name="Review").click()

    round_id = accord_ui.api(page, "GET", f"{base}/rounds")["data"][0]["id"]
    for person in (page, editor):
        accord_ui.api(person, "POST", f"{base}/rounds/{round_id}/stances", {"kind": "approve"})
    accord_ui.api(page, "POST", f"{base}/rounds/{round_id}/close")
    expect(badge).to_have_text("Approved")
    accord_ui.api(page, "POST", f"{base}/publications", {"version": 1})
    expect(badge).to_have_text("Published")
    expect(editor.get_by_role("region", name="Review")).to_contain_text("Version 1 is published")
    expect(page.locator("#state-badge")).to_have_text("Published")


def test_round_page_shows_stances_live_and_keeps_them_after_closing(
    accord_ui: AccordUI,
) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Workshop facilitation")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Partnerships", TEXT)
    reviewer = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    base = f"/api/statements/{statement_id}"
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Final"})
    round_id = accord_ui.api(page, "POST", f"{base}/rounds", {"version": 1})["id"]

    _open_review(page, statement_id)
    page.get_by_role("link", name="The round's full record, for a projector").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review of version 1: Final")
    expect(page.locator(".round-live")).to_contain_text("Live")
    expect(page.locator(".round-state")).to_contain_text("Open since")
    expect(page.locator(".round-state")).to_contain_text("opened by Fatima Facilitator")
    grid = page.get_by_role("table", name="Who stands where, by organisation")
    expect(grid.get_by_role("row", name="Creative Commons")).to_contain_text("Rosa Reviewer")

    start = TEXT.index("the delegates in Kraków")
    stance = {
        "kind": "block",
        "reason": "Name the partners we mean.",
        "start": start,
        "end": start + len("the delegates in Kraków"),
    }
    accord_ui.api(reviewer, "POST", f"{base}/rounds/{round_id}/stances", stance)
    blocked = grid.get_by_role("row", name="Creative Commons").locator("td[data-stance=block]")
    expect(blocked).to_have_text("Rosa Reviewer")  # live, with no reload
    reasons = page.get_by_role("region", name="Reasons and passages")
    expect(reasons).to_contain_text("Name the partners we mean.")
    expect(reasons.get_by_label("About this passage")).to_have_text("the delegates in Kraków")

    accord_ui.api(page, "POST", f"{base}/rounds/{round_id}/close")
    expect(page.get_by_text("Version 1 was not approved")).to_be_visible()

    # Closed, the round stays listed on the Review tab and its page keeps the whole record.
    _open_review(page, statement_id)
    earlier = page.get_by_role("region", name="Review").locator(".past-rounds")
    earlier.get_by_role("link", name="Version 1").click()
    expect(page.get_by_text("Version 1 was not approved")).to_be_visible()
    expect(blocked).to_have_text("Rosa Reviewer")
    expect(reasons).to_contain_text("Name the partners we mean.")
    expect(reasons.get_by_label("About this passage")).to_have_text("the delegates in Kraków")


def test_record_stance_by_keyboard_keeps_focus_and_covers_nothing(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Workshop facilitation")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Partnerships", TEXT)
    reviewer = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    base = f"/api/statements/{statement_id}"
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Final"})
    accord_ui.api(page, "POST", f"{base}/rounds", {"version": 1})

    _open_review(reviewer, statement_id)
    reviewer.get_by_role("tab", name="Review").focus()
    form = reviewer.get_by_role("form", name="Your stance")
    approve = form.get_by_label("Approve", exact=True)
    expect(approve).to_be_visible()
    for _ in range(40):  # Tab from the tab to the form's first choice
        if approve.evaluate("input => input === document.activeElement"):
            break
        reviewer.keyboard.press("Tab")
    expect(approve).to_be_focused()
    reviewer.keyboard.press("Space")
    reviewer.keyboard.press("Tab")
    expect(form.get_by_label("Reason")).to_be_focused()
    reviewer.keyboard.type("Good enough for us.")
    reviewer.keyboard.press("Tab")
    expect(form.get_by_role("button", name="Record my stance")).to_be_focused()
    reviewer.keyboard.press("Enter")

    confirmation = form.get_by_text("Your stance is recorded.")
    expect(confirmation).to_have_text("Your stance is recorded. You chose: Approve.")
    expect(confirmation).to_be_focused()
    grid = reviewer.get_by_role("region", name="Review").get_by_role("table")
    expect(grid.get_by_role("row", name="Rosa Reviewer")).to_contain_text("Approve")
    last_row = grid.get_by_role("row").last
    last_row.scroll_into_view_if_needed()
    row = last_row.bounding_box()
    assert row is not None
    for shown in [*reviewer.locator(".notice").all(), confirmation]:
        box = shown.bounding_box()
        if box is None:
            continue
        apart = (
            box["y"] >= row["y"] + row["height"]
            or row["y"] >= box["y"] + box["height"]
            or box["x"] >= row["x"] + row["width"]
            or row["x"] >= box["x"] + box["width"]
        )
        assert apart, f"{shown.inner_text()!r} covers the grid's last row"
