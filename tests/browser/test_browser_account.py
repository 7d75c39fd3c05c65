"""Signing in and out, by mouse and by keyboard."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import AccordUI, console_errors

pytestmark = pytest.mark.browser


def test_sign_in_form_opens_my_statements(accord_ui: AccordUI) -> None:
    ada = accord_ui.person("Ada Lovelace", "Wikimedia UK")
    page = accord_ui.new_page()
    page.goto("/signin")

    page.get_by_label("Email").fill(ada.email)
    page.get_by_label("Password").fill(ada.password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="My statements")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Ada Lovelace")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Wikimedia UK")


def test_sign_in_with_wrong_password_shows_error(accord_ui: AccordUI) -> None:
    ada = accord_ui.person("Ada Lovelace")
    page = accord_ui.new_page()
    page.goto("/signin")

    page.get_by_label("Email").fill(ada.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text("The email or password is not right.")
    expect(page).to_have_url(re.compile(r"/signin$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_sign_in_form_works_with_keyboard_only(accord_ui: AccordUI) -> None:
    ada = accord_ui.person("Ada Lovelace")
    page = accord_ui.new_page()
    page.goto("/signin")
    email = page.get_by_label("Email")
    password = page.get_by_label("Password")
    button = page.get_by_role("button", name="Sign in")

    expect(email).to_be_focused()
    page.keyboard.type(ada.email)
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(ada.password)
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    # Someone navigating by keyboard must see where they are.
    assert button.evaluate("node => getComputedStyle(node).outlineStyle") != "none"
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="My statements")).to_be_visible()


def test_sign_out_ends_session(accord_ui: AccordUI) -> None:
    ada = accord_ui.person("Ada Lovelace")
    page = accord_ui.signed_in(ada)
    page.goto("/")
    expect(page.get_by_role("heading", name="My statements")).to_be_visible()
    session_cookie = next(c for c in page.context.cookies() if c["name"] == "accord_session")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2F$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    # The session ended on the server too: its old cookie, replayed, opens nothing.
    replay = accord_ui.new_page()
    replay.context.add_cookies(
        [{"name": "accord_session", "value": session_cookie["value"], "url": page.url}]
    )
    replay.goto("/")
    expect(replay).to_have_url(re.compile(r"/signin\?next=%2F$"))


def test_sign_in_returns_to_requested_page(accord_ui: AccordUI) -> None:
    ada = accord_ui.person("Ada Lovelace")
    page = accord_ui.new_page()
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Faccount$"))

    page.get_by_label("Email").fill(ada.email)
    page.get_by_label("Password").fill(ada.password)
    page.get_by_label("Password").press("Enter")

    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    expect(page.get_by_text(ada.email)).to_be_visible()


def test_account_changes_name_and_manages_tokens(accord_ui: AccordUI) -> None:
    ada = accord_ui.person("Ada Lovelace")
    page = accord_ui.signed_in(ada)
    page.goto("/account")

    name = page.get_by_label("Name", exact=True)
    expect(name).to_have_value("Ada Lovelace")  # the form holds the account as it is
    name.fill("Ada King")
    page.get_by_label("Organisation", exact=True).fill("Wikimedia UK")
    page.get_by_role("button", name="Save").click()
    header = page.get_by_role("navigation", name="Main")
    expect(header).to_contain_text("Ada King")
    expect(header).to_contain_text("Wikimedia UK")

    page.get_by_label("Token name").fill("Export script")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("textbox", name="New token")).to_have_value(re.compile(r"^acc_"))
    row = page.get_by_role("row", name=re.compile("Export script"))
    expect(row).to_contain_text("Active")
    row.get_by_role("button", name="Revoke the token Export script").click()
    expect(row).to_contain_text("Revoked")

    page.reload()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Ada King")
    expect(page.get_by_role("row", name=re.compile("Export script"))).to_contain_text("Revoked")


def test_open_signed_out_pages_logs_no_console_error(accord_ui: AccordUI) -> None:
    facilitator = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(facilitator)
    statement_id = accord_ui.create_statement(page, "Statement on Partnerships")
    invitation = accord_ui.invite(page, statement_id, "editor")
    visitor = accord_ui.new_page()
    errors = console_errors(visitor)

    visitor.goto("/signin")
    expect(visitor.get_by_role("heading", name="Sign in")).to_be_visible()
    visitor.wait_for_load_state("networkidle")
    visitor.goto(invitation["url"])
    expect(visitor.get_by_role("button", name="Create account and join")).to_be_visible()
    expect(visitor.get_by_role("navigation", name="Main")).to_have_text("Sign in")
    visitor.wait_for_load_state("networkidle")

    # Asking who is signed in must not fail: a red 401 on every visit reads like a fault.
    assert errors == []


def test_changing_my_password_signs_out_my_other_browsers(accord_ui: AccordUI) -> None:
    ada = accord_ui.person("Ada Lovelace")
    laptop = accord_ui.signed_in(ada)
    page = accord_ui.signed_in(ada)
    page.goto("/account")
    form = page.locator("#password-form")

    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill("a much better passphrase")
    form.get_by_role("button", name="Change password").click()
    expect(form.get_by_role("alert")).to_have_text("Your current password is not right.")

    page.get_by_label("Current password").fill(ada.password)
    form.get_by_role("button", name="Change password").click()
    expect(
        page.get_by_text("Your password is changed; every other browser was signed out.")
    ).to_be_visible()
    expect(page.get_by_label("New password")).to_have_value("")

    laptop.goto("/account")
    expect(laptop).to_have_url(re.compile(r"/signin"))
    laptop.get_by_label("Email").fill(ada.email)
    laptop.get_by_label("Password").fill("a much better passphrase")
    laptop.get_by_role("button", name="Sign in").click()
    expect(laptop.get_by_role("heading", name="Account")).to_be_visible()
