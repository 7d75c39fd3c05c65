"""Review and publishing in the browser: a round opened, stances recorded by three people in
their own browsers, publication, and the public page read by an anonymous visitor."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

TEXT = "# Statement on Partnerships\n\nWe, the delegates in Kraków, agree.\n\n- Trust\n- Sharing\n"


def _stance(page: Page, name: str, kind: str, reason: str = "") -> None:
    """`name` records a stance on their page and sees it in the grid."""
    panel = page.get_by_role("region", name="Review")
    panel.get_by_label(kind, exact=True).check()
    if reason:
        panel.get_by_label("Reason").fill(reason)
    panel.get_by_role("button", name="Record my stance").click()
    expect(panel.get_by_role("row", name=name)).to_contain_text(kind)


def test_a_question_being_answered_outlives_live_refreshes(accord_ui: AccordUI) -> None:
    """Someone else's change redraws the Review panel; the facilitator's open "Publish?"
    question stays, answerable, rather than vanishing under her finger."""
    fatima = accord_ui.person("Fatima Facilitator")
    dmitri = accord_ui.person("Dmitri Delegate")
    page = accord_ui.signed_in(fatima)
    sid = accord_ui.create_statement(page, "Statement on Partnerships", TEXT)
    slug = accord_ui.api(page, "GET", f"/api/statements/{sid}")["slug"]
    editor = accord_ui.add_member(page, sid, dmitri, "editor")
    accord_ui.api(page, "POST", f"/api/statements/{sid}/versions", {"name": "Final"})
    round_id = accord_ui.api(page, "POST", f"/api/statements/{sid}/rounds", {"version": 1})["id"]
    for person in (page, editor):
        stances = f"/api/statements/{sid}/rounds/{round_id}/stances"
        accord_ui.api(person, "POST", stances, {"kind": "approve"})
    accord_ui.api(page, "POST", f"/api/statements/{sid}/rounds/{round_id}/close")

    page.goto(f"/statements/{sid}")
    page.get_by_role("tab", name="Review").click()
    panel = page.get_by_role("region", name="Review")
    panel.get_by_role("button", name="Publish version 1").click()
    question = panel.get_by_role("group", name="Publish version 1")
    expect(question).to_be_visible()

    accord_ui.api(editor, "POST", f"/api/statements/{sid}/versions", {"name": "Later"})
    expect(panel.get_by_label("Version to review")).to_contain_text("Version 2: Later")
    expect(question).to_be_visible()
    expect(question.get_by_role("button", name="Cancel")).to_be_focused()
    question.get_by_role("button", name="Yes, publish").click()
    expect(panel.get_by_role("link", name=f"/s/{slug}")).to_be_visible()


def test_round_stances_publish_and_public_page(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Workshop facilitation")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Partnerships", TEXT)
    slug = accord_ui.api(page, "GET", f"/api/statements/{statement_id}")["slug"]
    editor = accord_ui.add_member(page, statement_id, dmitri, "editor")
    reviewer = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    accord_ui.api(page, "POST", f"/api/statements/{statement_id}/versions", {"name": "Final"})

    page.goto(f"/statements/{statement_id}")
    page.get_by_role("tab", name="Review").click()
    page.get_by_label("Version to review").select_option("1")
    page.get_by_role("button", name="Open the review round").click()
    panel = page.get_by_role("region", name="Review")
    expect(panel).to_contain_text("Consent: 0 of 3 responded")

    for person in (editor, reviewer):
        person.goto(f"/statements/{statement_id}")
        person.get_by_role("tab", name="Review").click()
    _stance(reviewer, "Rosa Reviewer", "Block", "Name the partners we mean.")
    expect(panel).to_contain_text("blocked by Rosa Reviewer")  # live on Fatima's page
    _stance(editor, "Dmitri Delegate", "Approve")
    _stance(page, "Fatima Facilitator", "Approve")
    # Rosa changes her mind; her block stays on record.
    _stance(reviewer, "Rosa Reviewer", "Abstain")
    expect(panel.get_by_role("status")).to_contain_text(
        "The rule holds: closing now approves the version."
    )
    grid = panel.get_by_role("table")
    expect(grid.get_by_role("row", name="Rosa Reviewer")).to_contain_text("Abstain")

    panel.get_by_role("button", name="Close the round").click()
    panel.get_by_role("button", name="Yes, close").click()
    expect(panel.get_by_text("Version 1 is approved.")).to_be_visible()
    panel.get_by_role("button", name="Publish version 1").click()
    panel.get_by_role("button", name="Yes, publish").click()
    expect(panel.get_by_role("link", name=f"/s/{slug}")).to_be_visible()

    visitor = accord_ui.new_page()  # nobody signed in
    visitor.goto(f"/s/{slug}")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Statement on Partnerships")
    signed = visitor.get_by_role("region", name="Endorsed by")
    expect(signed).to_contain_text("Dmitri Delegate")
    expect(signed).to_contain_text("Fatima Facilitator")
    expect(signed.get_by_role("heading", name="Abstained")).to_be_visible()
    expect(signed).to_contain_text("Creative Commons")
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="Wikitext").click()
    saved = download.value
    assert saved.suggested_filename == "statement-on-partnerships-publication-1.wiki"
    missing = visitor.goto(f"/s/{slug}-nothing-here")
    assert missing is not None
    assert missing.status == 404
    expect(visitor.get_by_role("heading", level=1)).to_be_visible()  # a page, not JSON
    wiki = Path(saved.path()).read_text(encoding="utf-8")
    assert wiki.startswith("= Statement on Partnerships =\n")
    assert "We, the delegates in Kraków, agree." in wiki
    assert "* Trust\n* Sharing" in wiki


def test_a_stance_points_at_a_passage_of_the_version(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator")
    rosa = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Partnerships", TEXT)
    reviewer = accord_ui.add_member(page, statement_id, rosa, "reviewer")
    base = f"/api/statements/{statement_id}"
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Final"})
    accord_ui.api(page, "POST", f"{base}/rounds", {"version": 1})
    # The live draft moves on; the stance is on the version.
    accord_ui.api(page, "POST", f"{base}/text", {"base_rev": 1, "text": "Rewritten."})

    reviewer.goto(f"/statements/{statement_id}")
    reviewer.get_by_role("tab", name="Review").click()
    reviewer.get_by_role("link", name="record your stance on the version's page").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Version 1: Final")
    form = reviewer.get_by_role("form", name="Your stance")
    form.get_by_label("Request changes", exact=True).check()
    form.get_by_label("Reason").fill("Which delegates? Name them.")
    form.get_by_label("About the passage I selected in the text").check()
    form.get_by_role("button", name="Record my stance").click()
    expect(form.get_by_role("alert")).to_contain_text("Select the passage in the text first")

    text = reviewer.get_by_label("Text of version 1")
    start = TEXT.index("the delegates in Kraków")
    text.evaluate(
        "(area, [from, to]) => { area.focus(); area.setSelectionRange(from, to); }",
        [start, start + len("the delegates in Kraków")],
    )
    form.get_by_role("button", name="Record my stance").click()
    expect(reviewer.get_by_text("Your stance is recorded.")).to_be_visible()

    page.goto(f"/statements/{statement_id}")
    page.get_by_role("tab", name="Review").click()
    row = page.get_by_role("region", name="Review").get_by_role("row", name="Rosa Reviewer")
    expect(row).to_contain_text("Request changes")
    expect(row.get_by_label("About this passage")).to_have_text("the delegates in Kraków")
    expect(row).to_contain_text("Which delegates? Name them.")
    stance = accord_ui.api(page, "GET", f"{base}/rounds")["data"][0]["stances"][0]
    assert TEXT[stance["start"] : stance["end"]] == "the delegates in Kraków"
