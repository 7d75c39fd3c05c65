"""A site administrator disables and enables accounts; anyone signs out everywhere else.

The server is shared by every browser test, so rows are found by their unique email."""

import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import AccordUI, Person, make_administrator

pytestmark = pytest.mark.browser


def sign_in_by_form(page: Page, person: Person) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()


def test_an_administrator_disables_and_enables_an_account(accord_ui: AccordUI) -> None:
    ada = accord_ui.person("Ada Admin", "Wikimedia UK")
    ben = accord_ui.person("Ben Delegate", "Wikimedia Norway")
    make_administrator(accord_ui.server, ada)
    bens_page = accord_ui.signed_in(ben)
    bens_page.goto("/account")
    expect(bens_page.get_by_role("heading", name="Account")).to_be_visible()

    page = accord_ui.signed_in(ada)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    expect(page.get_by_role("heading", name="Accounts")).to_be_visible()
    bens_row = page.get_by_role("row").filter(has_text=ben.email)
    expect(bens_row).to_contain_text(ben.email)
    expect(bens_row).to_contain_text("Wikimedia Norway")
    expect(bens_row.get_by_text("Active")).to_be_visible()
    # Her own row offers nothing to lock herself out with.
    adas_row = page.get_by_role("row").filter(has_text=ada.email)
    expect(adas_row.get_by_role("button")).to_have_count(0)
    expect(adas_row).to_contain_text("Administrator")

    bens_row.get_by_role("button", name="Disable Ben Delegate").click()
    page.get_by_role("button", name="Yes, disable").click()
    expect(bens_row.get_by_text("Disabled")).to_be_visible()
    expect(
        page.get_by_text("Ben Delegate is disabled and was signed out everywhere.")
    ).to_be_visible()

    # Ben's open browser is signed out: the next page he opens asks him to sign in.
    bens_page.reload()
    expect(bens_page).to_have_url(re.compile(r"/signin"))
    sign_in_by_form(bens_page, ben)
    expect(bens_page.get_by_role("alert")).to_have_text("The email or password is not right.")

    # The list survives a reload; enabling lets him back in.
    page.reload()
    bens_row = page.get_by_role("row").filter(has_text=ben.email)
    expect(bens_row.get_by_text("Disabled")).to_be_visible()
    bens_row.get_by_role("button", name="Enable Ben Delegate").click()
    expect(bens_row.get_by_text("Active")).to_be_visible()
    sign_in_by_form(bens_page, ben)
    expect(bens_page.get_by_role("heading", name="My statements")).to_be_visible()


def test_an_administrator_names_another(accord_ui: AccordUI) -> None:
    ada = accord_ui.person("Ada Admin")
    ben = accord_ui.person("Ben Delegate")
    make_administrator(accord_ui.server, ada)
    page = accord_ui.signed_in(ada)
    page.goto("/users")
    bens_row = page.get_by_role("row").filter(has_text=ben.email)
    bens_row.get_by_role("button", name="Make administrator: Ben Delegate").click()
    expect(bens_row).to_contain_text("Administrator")

    bens_page = accord_ui.signed_in(ben)
    bens_page.goto("/")
    nav = bens_page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Accounts").click()
    expect(bens_page.get_by_role("row").filter(has_text=ada.email)).to_be_visible()


def test_the_accounts_page_is_for_administrators_only(accord_ui: AccordUI) -> None:
    ben = accord_ui.person("Ben Delegate")
    page = accord_ui.signed_in(ben)
    page.goto("/")
    expect(page.get_by_role("heading", name="My statements")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts")
    ).to_have_count(0)
    page.goto("/users")
    expect(page.get_by_role("alert")).to_contain_text("Only a site administrator may do this.")
    expect(page.get_by_role("table")).to_have_count(0)


def test_signing_out_everywhere_else(accord_ui: AccordUI) -> None:
    ben = accord_ui.person("Ben Delegate")
    laptop = accord_ui.signed_in(ben)
    phone = accord_ui.signed_in(ben)
    page = accord_ui.signed_in(ben)
    page.goto("/account")
    page.get_by_role("button", name="Sign out everywhere else").click()
    expect(page.get_by_text("Signed out of 2 other browsers.")).to_be_visible()

    for other in (laptop, phone):
        other.goto("/account")
        expect(other).to_have_url(re.compile(r"/signin"))
    page.reload()
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    page.get_by_role("button", name="Sign out everywhere else").click()
    expect(page.get_by_text("You were signed in nowhere else.")).to_be_visible()
