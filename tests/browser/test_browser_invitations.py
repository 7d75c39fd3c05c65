"""Inviting people: the whole path from a facilitator's link to a new member, roles, withdrawal."""

import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

TITLE = "Statement on Partnerships in the Wikimedia Movement"


def create_invitation(page: Page, label: str) -> str:
    """On the settings page: make an editor link and return the URL shown once."""
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_label("Who it is for").fill(label)
    page.get_by_role("button", name="Create invitation link").click()
    link = page.get_by_role("textbox", name="Invitation link")
    expect(link).to_have_value(re.compile(r"/invite/"))
    return link.input_value()


def test_invitation_brings_new_member_into_statement(accord_ui: AccordUI) -> None:
    facilitator = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(facilitator)
    page.goto("/")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Context").fill("Drafted at the partnerships workshop.")
    page.get_by_role("button", name="Create statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    statement_url = page.url

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    url = create_invitation(page, "Wikimedia UK delegate")

    newcomer = accord_ui.new_page()
    newcomer.goto(url)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(newcomer.get_by_text("Editor", exact=True)).to_be_visible()
    expect(newcomer.get_by_text("Fatima Facilitator (Wikimedia Norway)")).to_be_visible()
    newcomer.get_by_label("Your name").fill("Nadia Newcomer")
    newcomer.get_by_label("Organisation").fill("Wikimedia UK")
    newcomer.get_by_label("Email").fill("nadia@example.org")
    newcomer.get_by_label("Password").fill("a long enough password")
    newcomer.get_by_role("button", name="Create account and join").click()

    expect(newcomer).to_have_url(statement_url)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(newcomer.get_by_role("navigation", name="Main")).to_contain_text("Nadia Newcomer")

    page.reload()
    row = page.get_by_role("row", name=re.compile("Nadia Newcomer"))
    expect(row).to_contain_text("Wikimedia UK")
    expect(row.get_by_role("combobox", name="Role of Nadia Newcomer")).to_have_value("editor")
    used = page.get_by_role("row", name=re.compile("Wikimedia UK delegate"))
    expect(used).to_contain_text("1 of 1 used")


def test_facilitator_changes_member_role(accord_ui: AccordUI) -> None:
    page, _statement_id = accord_ui.settings_with_delegate(TITLE)
    role = page.get_by_role("combobox", name="Role of Dmitri Delegate")
    save = page.get_by_role("button", name="Save the role of Dmitri Delegate")
    expect(role).to_have_value("editor")
    expect(save).to_be_hidden()
    role.select_option("reviewer")
    expect(save).to_be_visible()
    save.click()
    expect(page.get_by_text("Dmitri Delegate is now reviewer.")).to_be_visible()
    expect(save).to_be_hidden()

    page.reload()
    expect(page.get_by_role("combobox", name="Role of Dmitri Delegate")).to_have_value("reviewer")


def test_browse_roles_with_keyboard_saves_only_on_enter(accord_ui: AccordUI) -> None:
    page, _statement_id = accord_ui.settings_with_delegate(TITLE)

    # Arrowing through a closed select picks each option on the way; none of them is saved.
    mine = page.get_by_role("combobox", name="Role of Fatima Facilitator")
    mine.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(mine).to_have_value("reviewer")
    role = page.get_by_role("combobox", name="Role of Dmitri Delegate")
    role.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(role).to_have_value("viewer")
    expect(page.get_by_role("button", name="Save the role of Dmitri Delegate")).to_be_visible()
    expect(page.get_by_role("alert")).to_be_hidden()

    page.reload()
    expect(page.get_by_role("combobox", name="Role of Fatima Facilitator")).to_have_value(
        "facilitator"
    )
    expect(role).to_have_value("editor")

    # Escape puts the saved role back; Enter saves the one chosen.
    role.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    expect(role).to_have_value("editor")
    expect(page.get_by_role("button", name="Save the role of Dmitri Delegate")).to_be_hidden()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Dmitri Delegate is now reviewer.")).to_be_visible()
    expect(role).to_be_focused()

    page.reload()
    expect(role).to_have_value("reviewer")


def test_withdrawn_invitation_offers_no_join_form(accord_ui: AccordUI) -> None:
    facilitator = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(facilitator)
    statement_id = accord_ui.create_statement(page, TITLE)
    page.goto(f"/statements/{statement_id}/settings")
    url = create_invitation(page, "Wiki in Africa delegate")

    row = page.get_by_role("row", name=re.compile("Wiki in Africa delegate"))
    row.get_by_role("button", name=re.compile("Withdraw")).click()
    expect(row).to_contain_text("Withdrawn")
    expect(row.get_by_role("button")).to_have_count(0)

    visitor = accord_ui.new_page()
    visitor.goto(url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor.get_by_role("alert")).to_contain_text("withdrawn")
    expect(visitor.get_by_label("Your name")).to_be_hidden()
    expect(visitor.get_by_role("button", name=re.compile("join", re.IGNORECASE))).to_have_count(0)


def test_used_invitation_shows_member_the_way_in(accord_ui: AccordUI) -> None:
    facilitator = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    delegate = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(facilitator)
    statement_id = accord_ui.create_statement(page, TITLE)
    invitation = accord_ui.invite(page, statement_id, "editor")
    delegate_page = accord_ui.signed_in(delegate)
    accord_ui.api(delegate_page, "POST", f"/api/invitations/{invitation['token']}/accept", {})

    # Opening the link again later, once it is used up, leads into the statement.
    delegate_page.goto(invitation["url"])
    expect(delegate_page.get_by_role("heading", name="You are already a member")).to_be_visible()
    expect(delegate_page.get_by_text("You take part in this statement as editor")).to_be_visible()
    expect(delegate_page.get_by_text("has already been used")).to_be_hidden()
    expect(delegate_page.get_by_role("button", name=re.compile("Join"))).to_be_hidden()
    delegate_page.get_by_role("link", name="Open the statement").click()
    expect(delegate_page).to_have_url(re.compile(rf"/statements/{statement_id}$"))
    expect(delegate_page.get_by_role("heading", level=1)).to_have_text(TITLE)

    # Someone else, signed in but no member, is told the link is used.
    other = accord_ui.signed_in(accord_ui.person("Olga Outsider", "Wikimedia Polska"))
    other.goto(invitation["url"])
    expect(other.get_by_role("alert")).to_contain_text("has already been used")
    expect(other.get_by_role("heading", name="You are already a member")).to_be_hidden()
