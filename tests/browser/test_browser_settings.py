"""A statement's settings page, for its facilitator and for everyone else."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

TITLE = "Statement on Partnerships"


def test_facilitator_saves_statement_settings(accord_ui: AccordUI) -> None:
    facilitator = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(facilitator)
    statement_id = accord_ui.create_statement(page, TITLE)
    page.goto(f"/statements/{statement_id}/settings")

    page.get_by_label("Title").fill("Statement on Partnerships in the Wikimedia Movement")
    page.get_by_label("Public address").fill("partnerships-2017")
    page.get_by_label("Finalise by").fill("2017-12-15")
    page.get_by_label("Publish on").fill("2017-12-01")
    page.get_by_label("Approval rule").select_option("quorum")
    page.get_by_label("Organisations needed").fill("7")
    page.get_by_label("Who accepts and rejects suggestions").select_option("facilitators")
    page.get_by_role("button", name="Save settings").click()
    # The server refuses dates in the wrong order, and says so next to the form.
    expect(page.get_by_role("alert")).to_have_text(
        "publish_on: the publication date cannot come before the finalise-by date."
    )

    page.get_by_label("Publish on").fill("2018-01-20")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The settings are saved.")).to_be_visible()

    page.reload()
    expect(page.get_by_label("Title")).to_have_value(
        "Statement on Partnerships in the Wikimedia Movement"
    )
    expect(page.get_by_label("Public address")).to_have_value("partnerships-2017")
    expect(page.get_by_label("Finalise by")).to_have_value("2017-12-15")
    expect(page.get_by_label("Organisations needed")).to_have_value("7")
    expect(page.get_by_label("Who accepts and rejects suggestions")).to_have_value("facilitators")

    page.get_by_role("link", name="Statement on Partnerships in the Wikimedia Movement").click()
    # The dates stand above the draft, marked when they have passed; the rule is under About.
    expect(page.locator(".statement-facts")).to_contain_text("Finalise by")
    expect(page.locator(".statement-facts .badge-overdue")).to_have_count(2)
    page.get_by_role("tab", name="About").click()
    about = page.get_by_role("region", name="About")
    expect(about).to_contain_text("Quorum")
    expect(about).to_contain_text("at least 7 organisations endorse")


def test_member_sees_settings_read_only(accord_ui: AccordUI) -> None:
    facilitator = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    editor = accord_ui.person("Erik Editor", "Wikimedia Sverige")
    page = accord_ui.signed_in(facilitator)
    statement_id = accord_ui.create_statement(page, TITLE, text="We meet to agree.")
    editor_page = accord_ui.add_member(page, statement_id, editor, "editor")

    editor_page.goto(f"/statements/{statement_id}")
    expect(editor_page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(editor_page.get_by_label("Statement text")).to_have_value("We meet to agree.")
    expect(editor_page.get_by_role("region", name="Overview")).to_contain_text("Editor")
    expect(editor_page.get_by_role("link", name="Settings")).to_have_count(0)

    editor_page.goto(f"/statements/{statement_id}/settings")
    expect(editor_page.get_by_text("Only facilitators can change")).to_be_visible()
    row = editor_page.get_by_role("row", name=re.compile("Fatima Facilitator"))
    expect(row).to_contain_text("Facilitator")
    expect(editor_page.get_by_role("combobox")).to_have_count(0)
    expect(editor_page.get_by_role("button", name="Save settings")).to_be_hidden()
    expect(editor_page.get_by_role("button", name="Create invitation link")).to_be_hidden()


def test_existing_account_signs_in_and_joins(accord_ui: AccordUI) -> None:
    facilitator = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    reviewer = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(facilitator)
    statement_id = accord_ui.create_statement(page, TITLE)
    invitation = accord_ui.api(
        page, "POST", f"/api/statements/{statement_id}/invitations", {"role": "reviewer"}
    )

    visitor = accord_ui.new_page()
    visitor.goto(invitation["url"])
    visitor.get_by_role("link", name="I already have an account: sign in").click()
    visitor.get_by_label("Email").fill(reviewer.email)
    visitor.get_by_label("Password").fill(reviewer.password)
    visitor.get_by_role("button", name="Sign in").click()

    expect(visitor).to_have_url(invitation["url"])
    visitor.get_by_role("button", name="Join as Rosa Reviewer").click()
    expect(visitor).to_have_url(re.compile(rf"/statements/{statement_id}$"))
    expect(visitor.get_by_role("region", name="Overview")).to_contain_text("Reviewer")


def test_facilitator_changes_member_organisation(accord_ui: AccordUI) -> None:
    page, statement_id = accord_ui.settings_with_delegate(TITLE)
    row = page.get_by_role("row", name=re.compile("Dmitri Delegate"))
    expect(row).to_contain_text("Wikimedia Ukraine")

    change = page.get_by_role("button", name="Change the organisation of Dmitri Delegate")
    change.click()
    field = page.get_by_role("textbox", name="Organisation of Dmitri Delegate")
    expect(field).to_be_focused()
    expect(field).to_have_value("Wikimedia Ukraine")
    # Escape leaves it as it was.
    field.fill("Somewhere else")
    field.press("Escape")
    expect(field).to_be_hidden()
    expect(row).to_contain_text("Wikimedia Ukraine")
    expect(change).to_be_focused()

    page.keyboard.press("Enter")
    field.fill("Wikimedia Polska")
    field.press("Enter")
    expect(page.get_by_text("Dmitri Delegate now speaks for Wikimedia Polska")).to_be_visible()
    expect(field).to_be_hidden()
    expect(change).to_be_focused()

    page.reload()
    expect(row).to_contain_text("Wikimedia Polska")
    page.goto(f"/statements/{statement_id}")
    page.get_by_role("tab", name="People").click()
    members = page.get_by_role("region", name="People")
    expect(members).to_contain_text("Wikimedia Polska")
    expect(members).not_to_contain_text("Wikimedia Ukraine")


def test_facilitator_removes_member_after_confirming(accord_ui: AccordUI) -> None:
    page, _statement_id = accord_ui.settings_with_delegate(TITLE)
    remove = page.get_by_role("button", name="Remove Dmitri Delegate")

    remove.click()
    question = page.get_by_role("group", name="Remove Dmitri Delegate from this statement?")
    expect(question.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(question).to_be_hidden()
    expect(remove).to_be_focused()

    remove.click()
    question.get_by_role("button", name="Yes, remove").click()
    expect(page.get_by_text("Dmitri Delegate was removed.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Dmitri Delegate"))).to_have_count(0)

    page.reload()
    expect(page.get_by_role("row", name=re.compile("Fatima Facilitator"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Dmitri Delegate"))).to_have_count(0)


def test_published_address_stays_with_its_statement(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    ben = accord_ui.person("Ben Facilitator", "Wikimedia UK")
    page = accord_ui.signed_in(fatima)
    title = "Joint statement on permanent addresses"
    statement_id = accord_ui.create_statement(page, title, text="We, the partners, agree.")
    base = f"/api/statements/{statement_id}"
    slug = accord_ui.api(page, "GET", base)["slug"]
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Final"})
    round_id = accord_ui.api(page, "POST", f"{base}/rounds", {"version": 1})["id"]
    accord_ui.api(page, "POST", f"{base}/rounds/{round_id}/stances", {"kind": "approve"})
    accord_ui.api(page, "POST", f"{base}/rounds/{round_id}/close")
    accord_ui.api(page, "POST", f"{base}/publications", {"version": 1})
    page.goto(f"/statements/{statement_id}/settings")
    page.get_by_label("Public address").fill(f"{slug}-renamed")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The settings are saved.")).to_be_visible()

    # Someone else's statement cannot take the address the publication was read at.
    theirs = accord_ui.signed_in(ben)
    their_id = accord_ui.create_statement(theirs, title)
    theirs.goto(f"/statements/{their_id}/settings")
    expect(theirs.get_by_label("Public address")).not_to_have_value(slug)
    theirs.get_by_label("Public address").fill(slug)
    theirs.get_by_role("button", name="Save settings").click()
    expect(theirs.get_by_role("alert")).to_have_text(
        f"The address /s/{slug} keeps showing another statement's publication; "
        "choose another address."
    )

    reader = accord_ui.new_page()
    reader.goto(f"/s/{slug}/v/1")
    expect(reader.locator("article")).to_have_text("We, the partners, agree.")
