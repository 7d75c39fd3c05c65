"""A statement's page: what happened to it, told in words, who wrote how much, and leaving it."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

TITLE = "Statement on Partnerships"


def test_activity_tells_what_happened_in_words(accord_ui: AccordUI) -> None:
    facilitator = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    delegate = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    visitor = accord_ui.person("Vera Visitor", "Europeana")
    page = accord_ui.signed_in(facilitator)
    statement_id = accord_ui.create_statement(page, TITLE)
    accord_ui.add_member(page, statement_id, delegate, "editor")
    visitor_page = accord_ui.add_member(page, statement_id, visitor, "viewer")
    visitor_id = accord_ui.api(visitor_page, "GET", "/api/me")["id"]
    path = f"/api/statements/{statement_id}"
    accord_ui.api(page, "PATCH", path, {"title": "Statement on Partnerships, 2017"})
    accord_ui.api(page, "DELETE", f"{path}/members/{visitor_id}")
    page.goto(f"/statements/{statement_id}/settings")
    page.get_by_role("combobox", name="Role of Dmitri Delegate").select_option("reviewer")
    page.get_by_role("button", name="Save the role of Dmitri Delegate").click()
    expect(page.get_by_text("Dmitri Delegate is now reviewer.")).to_be_visible()

    page.goto(f"/statements/{statement_id}")
    page.get_by_role("tab", name="Activity").click()
    events = page.get_by_role("region", name="Activity").get_by_role("listitem")
    expect(events).to_have_text(
        [
            re.compile(
                r"^Fatima Facilitator changed Dmitri Delegate's role from editor to reviewer\."
            ),
            re.compile(r"^Fatima Facilitator removed Vera Visitor\."),
            re.compile(r"^Fatima Facilitator changed the title\."),
            re.compile(r"^Vera Visitor joined as viewer\."),
            re.compile(r"^Fatima Facilitator created a viewer invitation link\."),
            re.compile(r"^Dmitri Delegate joined as editor\."),
            re.compile(r"^Fatima Facilitator created an editor invitation link\."),
            re.compile(r"^Fatima Facilitator started the statement\."),
        ]
    )
    expect(events.first.locator("time")).to_have_text("just now")


def test_editing_history_names_who_wrote_how_much(accord_ui: AccordUI) -> None:
    facilitator = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    delegate = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(facilitator)
    statement_id = accord_ui.create_statement(page, TITLE, "We agree.")
    delegate_page = accord_ui.add_member(page, statement_id, delegate, "editor")
    text = f"/api/statements/{statement_id}/text"
    accord_ui.api(delegate_page, "POST", text, {"base_rev": 1, "text": "We all agree."})
    accord_ui.api(page, "POST", text, {"base_rev": 2, "text": "We all agree!"})

    page.goto(f"/statements/{statement_id}")
    page.get_by_role("tab", name="History").click()

    sessions = page.get_by_role("region", name="Editing history").get_by_role("listitem")
    expect(sessions).to_have_count(1)
    expect(sessions.first).to_contain_text(
        "Fatima Facilitator and Dmitri Delegate made 3 changes: "
        "14 characters added, 1 character removed (revisions 1\u20133)"
    )
    expect(sessions.first.get_by_text("Dmitri Delegate")).to_have_attribute(
        "title", "Wikimedia Ukraine: 1 change, 4 characters added"
    )


def test_reviewer_leaves_statement(accord_ui: AccordUI) -> None:
    facilitator = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    reviewer = accord_ui.person("Rosa Reviewer", "Creative Commons")
    page = accord_ui.signed_in(facilitator)
    statement_id = accord_ui.create_statement(page, TITLE)
    reviewer_page = accord_ui.add_member(page, statement_id, reviewer, "reviewer")
    reviewer_page.goto("/")
    expect(reviewer_page.get_by_role("link", name=TITLE)).to_be_visible()

    reviewer_page.get_by_role("link", name=TITLE).click()
    reviewer_page.get_by_role("tab", name="About").click()
    leave = reviewer_page.get_by_role("button", name="Leave this statement")
    leave.click()
    question = reviewer_page.get_by_role("group", name="Leave this statement?")
    expect(question).to_contain_text("You will need a new invitation to come back.")
    question.get_by_role("button", name="Cancel").click()
    expect(question).to_be_hidden()
    expect(leave).to_be_focused()

    leave.click()
    question.get_by_role("button", name="Yes, leave").click()
    expect(reviewer_page).to_have_url(re.compile(r"/$"))
    expect(reviewer_page.get_by_text("You are not part of any statement yet.")).to_be_visible()
    expect(reviewer_page.get_by_role("link", name=TITLE)).to_have_count(0)

    page.goto(f"/statements/{statement_id}")
    page.get_by_role("tab", name="Activity").click()
    expect(page.get_by_role("region", name="Activity")).to_contain_text(
        "Rosa Reviewer left the statement."
    )


def test_last_facilitator_is_told_why_they_cannot_leave(accord_ui: AccordUI) -> None:
    facilitator = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(facilitator)
    statement_id = accord_ui.create_statement(page, TITLE)
    page.goto(f"/statements/{statement_id}")
    page.get_by_role("tab", name="About").click()

    page.get_by_role("button", name="Leave this statement").click()
    page.get_by_role("button", name="Yes, leave").click()

    expect(page.get_by_role("alert")).to_have_text(
        "A statement always needs a facilitator; make someone else facilitator first."
    )
    expect(page).to_have_url(re.compile(rf"/statements/{statement_id}$"))
    expect(page.get_by_role("button", name="Leave this statement")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
