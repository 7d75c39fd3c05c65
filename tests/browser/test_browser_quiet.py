"""A normal visit logs nothing wrong: no console error and no refused request on any page; the
interactive API documentation draws itself under the strict content security policy; and the
public page keeps each signatory whole."""

import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, Response, expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

TEXT = "# Statement on Partnerships\n\nWe, the delegates in Kraków, agree.\n"


@dataclass
class Trouble:
    """What a page logged as an error, and the requests it made that were refused."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.errors.append(f"{page.url}: console: {message.text}")

        def response(answer: Response) -> None:
            if answer.status >= 400:
                self.errors.append(
                    f"{page.url}: {answer.request.method} {answer.url} {answer.status}"
                )

        def failed(request: Request) -> None:
            # A request cut short by going on to the next page is no error anyone sees.
            if request.failure != "net::ERR_ABORTED":
                self.errors.append(f"{page.url}: {request.url} failed: {request.failure}")

        page.on("console", console)
        page.on("response", response)
        page.on("requestfailed", failed)
        return page


def test_normal_visit_logs_no_error_on_any_page(accord_ui: AccordUI) -> None:
    trouble = Trouble()
    fatima = accord_ui.person("Fatima Facilitator", "Workshop facilitation")
    page = trouble.watch(accord_ui.new_page())
    page.goto("/")  # signed out: on to the sign-in page
    expect(page).to_have_url(re.compile(r"/signin\?next=%2F$"))
    page.get_by_label("Email").fill(fatima.email)
    page.get_by_label("Password").fill(fatima.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My statements")
    statement_id = accord_ui.create_statement(page, "Statement on Partnerships", TEXT)
    base = f"/api/statements/{statement_id}"
    slug = accord_ui.api(page, "GET", base)["slug"]

    # The editor and its Review tab, while nothing is published.
    page.goto(f"/statements/{statement_id}")
    expect(page.locator(".sync-status")).to_have_text("Saved")
    page.get_by_role("tab", name="Review").click()
    expect(page.get_by_role("region", name="Review")).to_contain_text("Save a version first")
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Final"})
    review = page.get_by_role("region", name="Review")
    expect(review.get_by_label("Version to review")).to_contain_text("Version 1: Final")
    review.get_by_role("button", name="Open the review round").click()
    expect(review).to_contain_text("Reviewing version 1")

    # Dmitri, signed out, follows an invitation link.
    invitation = accord_ui.invite(page, statement_id, "editor")
    guest = trouble.watch(accord_ui.new_page())
    guest.goto(f"/invite/{invitation['token']}")
    expect(guest.get_by_role("heading", level=1)).to_be_visible()
    guest.goto("/signin")
    expect(guest.get_by_label("Email")).to_be_visible()

    # The pages of a statement under review, and the account page.
    round_id = accord_ui.api(page, "GET", f"{base}/rounds")["data"][0]["id"]
    page.goto(f"/statements/{statement_id}/rounds/{round_id}")
    expect(page.locator(".round-live")).to_contain_text("Live")
    page.goto(f"/statements/{statement_id}/versions/1")
    expect(page.get_by_role("form", name="Your stance")).to_be_visible()
    page.goto(f"/statements/{statement_id}/history")
    expect(page.get_by_text("Revision 1 of 1")).to_be_visible()
    page.goto(f"/statements/{statement_id}/compare?from=1&to=live")
    expect(page.get_by_text("The two texts are the same.")).to_be_visible()
    page.goto(f"/statements/{statement_id}/settings")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto("/account")
    expect(page.get_by_role("link", name="Interactive API documentation")).to_be_visible()

    # Approved and published: the editor again, and the public page for a visitor.
    accord_ui.api(page, "POST", f"{base}/rounds/{round_id}/stances", {"kind": "approve"})
    accord_ui.api(page, "POST", f"{base}/rounds/{round_id}/close")
    accord_ui.api(page, "POST", f"{base}/publications", {"version": 1})
    page.goto(f"/statements/{statement_id}")
    page.get_by_role("tab", name="Review").click()
    expect(page.get_by_role("region", name="Review")).to_contain_text("Version 1 is published")
    guest.goto(f"/s/{slug}")
    expect(guest.get_by_role("heading", level=1)).to_have_text("Statement on Partnerships")
    assert trouble.errors == []


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_draw_the_operations_without_errors(accord_ui: AccordUI, path: str) -> None:
    trouble = Trouble()
    page = trouble.watch(accord_ui.new_page())
    page.goto(path)
    operation = "/api/statements/{statement_id}/rounds/{round_id}"
    expect(page.get_by_text(operation, exact=True).first).to_be_visible()
    if path == "/redoc":  # its sidebar draws its maker's logo last, and not from elsewhere
        logo = page.locator("img[alt='redocly logo']")
        expect(logo).to_have_attribute("src", re.compile(r"^data:"))
    assert trouble.errors == []


def test_public_page_keeps_each_signatory_in_one_column(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Workshop facilitation")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Partnerships", TEXT)
    base = f"/api/statements/{statement_id}"
    invitation = accord_ui.api(
        page, "POST", f"{base}/invitations", {"role": "reviewer", "max_uses": 2}
    )
    people = [page]
    for number in range(2):  # three signatories, six lines: the second one's name ends column one
        delegate = accord_ui.new_page()
        accord_ui.api(
            delegate,
            "POST",
            f"/api/invitations/{invitation['token']}/accept",
            {
                "name": f"Delegate {number}",
                "organisation": f"Wikimedia chapter number {number}",
                "email": f"delegate-{number}-{statement_id}@example.org",
                "password": "a long enough password",
            },
        )
        people.append(delegate)
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Final"})
    round_id = accord_ui.api(page, "POST", f"{base}/rounds", {"version": 1})["id"]
    for person in people:
        accord_ui.api(person, "POST", f"{base}/rounds/{round_id}/stances", {"kind": "approve"})
    accord_ui.api(page, "POST", f"{base}/rounds/{round_id}/close")
    accord_ui.api(page, "POST", f"{base}/publications", {"version": 1})

    slug = accord_ui.api(page, "GET", base)["slug"]
    visitor = accord_ui.new_page()
    visitor.goto(f"/s/{slug}")
    entries = visitor.get_by_role("region", name="Endorsed by").get_by_role("listitem")
    expect(entries).to_have_count(3)
    columns = set()
    for entry in entries.all():
        name = entry.locator(".signatory-name").bounding_box()
        organisation = entry.locator(".signatory-org").bounding_box()
        assert name is not None
        assert organisation is not None
        assert name["x"] == organisation["x"], f"{entry.inner_text()!r} is split across columns"
        assert organisation["y"] > name["y"], f"{entry.inner_text()!r} is split across columns"
        columns.add(name["x"])
    assert len(columns) == 2  # the list does fill two columns
