"""A room signing in at once: every browser gets in, and one told to wait tries again itself."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, Route, expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_told_to_wait_tries_again_by_itself(accord_ui: AccordUI) -> None:
    ada = accord_ui.person("Ada Lovelace")
    page = accord_ui.new_page()
    answered: list[int] = []

    def busy_once(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
        elif not answered:
            answered.append(503)
            route.fulfill(
                status=503,
                headers={"Retry-After": "1", "Content-Type": "application/json"},
                body=json.dumps({"detail": "Accord is busy; try again in a moment."}),
            )
        else:
            answered.append(0)
            route.continue_()

    page.route("**/api/session", busy_once)
    sign_in(page, ada.email, ada.password)

    expect(page.get_by_role("heading", name="My statements")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert answered[0] == 503  # refused once,
    assert len(answered) >= 2  # then sent again


@pytest.mark.slow
def test_a_room_signing_in_at_once_all_get_in(accord_ui: AccordUI) -> None:
    # Accounts are made first (the CLI is slow); the pages then press "Sign in" together.
    with ThreadPoolExecutor(max_workers=4) as pool:
        people = list(pool.map(lambda n: accord_ui.person(f"Delegate {n}"), range(13)))
    pages = [accord_ui.new_page() for _ in people]
    for page, person in zip(pages, people, strict=True):
        page.goto("/signin")
        page.get_by_label("Email").fill(person.email)
        page.get_by_label("Password").fill(person.password)
    buttons = [page.get_by_role("button", name="Sign in") for page in pages]
    for button in buttons:
        button.dispatch_event("click")  # no waiting between them: they go out together

    for page, person in zip(pages, people, strict=True):
        expect(page.get_by_role("heading", name="My statements")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("navigation", name="Main")).to_contain_text(person.name)
        expect(page.get_by_text("Accord had a problem answering")).to_have_count(0)
