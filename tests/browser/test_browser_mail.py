"""A server that sends email, in the browser: a facilitator sends an invitation link by email
and it arrives; a reminder from the cockpit and a mention arrive with links that open where
they point."""

import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from playwright.sync_api import Browser, expect

from tests.mail.conftest import SmtpServer, eventually

from .conftest import free_port, serving
from .helpers import AccordUI, LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mailing_server(
    tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer
) -> Iterator[LiveServer]:
    server = LiveServer(
        f"http://127.0.0.1:{free_port()}",
        tmp_path_factory.mktemp("accord-mail"),
        {"ACCORD_SMTP_URL": smtp.url, "ACCORD_MAIL_FROM": "Accord <accord@accord.test>"},
    )
    with serving(server):
        yield server


@pytest.fixture
def ui(browser: Browser, mailing_server: LiveServer) -> Iterator[AccordUI]:
    found = AccordUI(browser, mailing_server)
    yield found
    found.close()
    assert not found.page_errors, f"JavaScript errors on the pages: {found.page_errors}"


def _to(smtp: SmtpServer, address: str, count: int = 1) -> list[EmailMessage]:
    def mine() -> list[EmailMessage]:
        return [m for m in smtp.inbox.received() if m["To"] == address]

    eventually(lambda: len(mine()) >= count, f"{count} email(s) to {address}")
    return mine()


def _link(message: EmailMessage, pattern: str) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(pattern, body.get_content())
    assert found is not None, body.get_content()
    return found.group(0)


def test_an_invitation_link_sent_by_email_arrives_and_opens(ui: AccordUI, smtp: SmtpServer) -> None:
    fatima = ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = ui.signed_in(fatima)
    statement_id = ui.create_statement(page, "Statement on Partnerships")
    page.goto(f"/statements/{statement_id}/settings")
    page.get_by_label("Role", exact=True).select_option("reviewer")
    page.get_by_label("Who it is for").fill("Wiki in Africa's delegate")
    page.get_by_label("Send it by email to").fill("delegate@wikiinafrica.example")
    page.get_by_role("button", name="Create invitation link").click()
    expect(page.get_by_text("Sent by email to delegate@wikiinafrica.example.")).to_be_visible()
    shown = page.get_by_role("textbox", name="Invitation link").input_value()

    [mail] = _to(smtp, "delegate@wikiinafrica.example")
    assert mail["Subject"] == (
        "Fatima Facilitator invites you to “Statement on Partnerships” as reviewer"
    )
    assert _link(mail, r"http://\S+/invite/\S+") == shown
    newcomer = ui.new_page()
    newcomer.goto(shown)
    expect(newcomer.get_by_text("Statement on Partnerships")).to_be_visible()


def test_a_mention_emailed_links_to_its_thread(ui: AccordUI, smtp: SmtpServer) -> None:
    fatima = ui.person("Fatima Facilitator", "Wikimedia Norway")
    rosa = ui.person("Rosa Reviewer", "Creative Commons")
    page = ui.signed_in(fatima)
    statement_id = ui.create_statement(page, "Statement", "We value free knowledge.")
    other = ui.add_member(page, statement_id, rosa, "reviewer")
    rev = ui.api(other, "GET", f"/api/statements/{statement_id}/text")["rev"]
    thread = ui.api(
        other,
        "POST",
        f"/api/statements/{statement_id}/threads",
        {"start": 3, "end": 8, "rev": rev, "body": "@Fatima Facilitator, value or values?"},
    )
    [mail] = _to(smtp, fatima.email)
    link = _link(mail, r"http://\S+#thread-\d+")
    assert link.endswith(f"/statements/{statement_id}#thread-{thread['id']}")
    page.goto(link)
    expect(page.locator(f'[data-thread="{thread["id"]}"]')).to_be_focused()
    expect(page.get_by_role("button", name=re.compile(r"^Notifications, 1 unread"))).to_be_visible()
