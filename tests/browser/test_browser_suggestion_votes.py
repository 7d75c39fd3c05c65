"""Amendments in the browser: a facilitator puts a suggestion to the vote in the Suggestions tab,
two participants vote there, the facilitator closes the vote and the adopted change is made;
and each suggestion's discussion, live."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import AccordUI, open_statement

pytestmark = pytest.mark.browser
TEXT = "We value free knowledge."


def _suggestions(page: Page, statement_id: int) -> None:
    open_statement(page, statement_id)
    page.get_by_role("tab", name="Suggestions").click()


def test_the_group_votes_a_suggestion_in_and_the_text_changes(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    ben = accord_ui.person("Ben Editor", "Wikimedia UK")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Partnerships", TEXT)
    accord_ui.api(page, "PATCH", f"/api/statements/{statement_id}", {"approval_rule": "majority"})
    rosas = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    bens = accord_ui.add_member(page, statement_id, ben, "editor")
    at = TEXT.index("free")
    made = accord_ui.api(
        rosas,
        "POST",
        f"/api/statements/{statement_id}/suggestions",
        {"base_rev": 1, "op": [at, "open", -4, len(TEXT) - at - 4]},
    )
    number = f"suggestion {made['id']}"
    for someone in (page, rosas, bens):
        _suggestions(someone, statement_id)
    panel, hers, his = (p.get_by_role("region", name="Suggestions") for p in (page, rosas, bens))
    # Only the facilitator may put it to the vote.
    expect(his.get_by_role("button", name=f"Put {number} to a vote")).to_have_count(0)
    panel.get_by_role("button", name=f"Put {number} to a vote").click()

    expect(hers.get_by_text("Votes: Support 0 · Oppose 0 · Abstain 0")).to_be_visible()
    hers.get_by_label(f"Reason for your vote on {number} (optional)").fill("Both matter.")
    hers.get_by_role("button", name=f"Support {number}").click()
    expect(his.locator(".vote-count")).to_have_text("Votes: Support 1 · Oppose 0 · Abstain 0")
    his.get_by_role("button", name=f"Support {number}").click()
    expect(panel.locator(".vote-count")).to_have_text("Votes: Support 2 · Oppose 0 · Abstain 0")
    expect(his.get_by_role("button", name=f"Close the vote on {number}")).to_have_count(0)

    panel.get_by_role("button", name=f"Close the vote on {number}").click()
    panel.get_by_role("button", name="Yes, close the vote").click()
    adopted = "We value open knowledge."
    for someone in (page, rosas, bens):
        expect(someone.get_by_label("Statement text")).to_have_value(adopted)
    tally = hers.locator(".suggestion-tally")
    expect(tally).to_contain_text("Adopted by the group's vote")
    expect(tally).to_contain_text("Rosa Reviewer, Creative Commons: Support · Both matter.")
    expect(tally).to_contain_text("Ben Editor, Wikimedia UK: Support")
    expect(hers.locator(".suggestion")).to_contain_text("Accepted")
    expect(hers.get_by_role("button", name=f"Support {number}")).to_have_count(0)


def test_a_suggestion_is_discussed_live_and_apart_from_comments(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Partnerships", TEXT)
    rosas = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    made = accord_ui.api(
        rosas,
        "POST",
        f"/api/statements/{statement_id}/suggestions",
        {"base_rev": 1, "op": [len(TEXT), " Together."]},
    )
    number = f"suggestion {made['id']}"
    _suggestions(page, statement_id)
    _suggestions(rosas, statement_id)
    panel, hers = (p.get_by_role("region", name="Suggestions") for p in (page, rosas))

    hers.get_by_role("button", name="Discuss (0)").click()
    hers.get_by_label(f"Your comment on {number}").fill("Shall we end on this?")
    hers.get_by_role("button", name="Comment", exact=True).click()
    expect(hers.get_by_role("button", name="Discuss (1)")).to_have_attribute(
        "aria-expanded", "true"
    )
    discuss = panel.get_by_role("button", name="Discuss (1)")  # live, without a reload
    discuss.click()
    expect(panel.locator(".suggestion-discussion")).to_contain_text("Shall we end on this?")
    panel.get_by_label(f"Your comment on {number}").fill("Yes, gladly.")
    panel.get_by_role("button", name="Comment", exact=True).click()
    expect(hers.locator(".suggestion-discussion")).to_contain_text("Yes, gladly.")
    # Not a comment on a passage: the Comments tab has none.
    page.get_by_role("tab", name="Comments").click()
    expect(page.get_by_text("No comments yet. Select some text to comment on it.")).to_be_visible()
