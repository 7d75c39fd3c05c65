"""The email built from an outbox row: what a mail client shows, and the headers providers
read to offer a one-click unsubscribe."""

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from app.mail.compose import ComposeError, compose
from app.models.notification import OutboxMessage

SENDER = "Accord <accord@accord.example.org>"


def row(**fields: object) -> OutboxMessage:
    values: dict[str, object] = {
        "id": 7,
        "to_address": "ann@example.org",
        "subject": "Bjørn replied to you",
        "text_body": "Bjørn replied:\n\nAgreed, with one change.\n",
        "html_body": "<p>Bjørn replied:</p><blockquote>Agreed, with one change.</blockquote>",
        "created_at": datetime(2026, 12, 7, 18, 30, tzinfo=UTC),
    }
    return OutboxMessage.model_validate(values | fields)


def test_compose_email_has_text_and_html() -> None:
    email = compose(row(), sender=SENDER)
    assert email["From"] == SENDER
    assert email["To"] == "ann@example.org"
    assert email["Subject"] == "Bjørn replied to you"
    assert email["Date"].datetime == datetime(2026, 12, 7, 18, 30, tzinfo=UTC)
    assert email.get_content_type() == "multipart/alternative"
    text, html = email.iter_parts()
    assert isinstance(text, EmailMessage)
    assert isinstance(html, EmailMessage)
    assert text.get_content_type() == "text/plain"
    assert text.get_content() == "Bjørn replied:\n\nAgreed, with one change.\n"
    assert html.get_content_type() == "text/html"
    assert "<blockquote>Agreed, with one change.</blockquote>" in html.get_content()
    assert "List-Unsubscribe" not in email


def test_compose_email_offers_one_click_unsubscribe() -> None:
    url = "https://accord.example.org/unsubscribe/abc123"
    email = compose(row(unsubscribe_url=url), sender=SENDER)
    assert email["List-Unsubscribe"] == f"<{url}>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_compose_email_keeps_its_message_id_on_every_attempt() -> None:
    first = compose(row(), sender=SENDER)["Message-ID"]
    again = compose(row(attempts=3), sender=SENDER)["Message-ID"]
    other = compose(row(id=8), sender=SENDER)["Message-ID"]
    assert first == again
    assert first != other
    assert first.startswith("<")
    assert first.endswith("@accord.example.org>")


def test_compose_email_keeps_the_subject_on_one_line() -> None:
    email = compose(row(subject="A reply\r\nBcc: everyone@example.org"), sender=SENDER)
    assert email["Subject"] == "A reply Bcc: everyone@example.org"
    assert "Bcc" not in email


@pytest.mark.parametrize(
    "address", ["", "not an address", "ann@example.org, bob@example.org", "ånn@example.org"]
)
def test_compose_email_refuses_what_is_not_one_address(address: str) -> None:
    with pytest.raises(ComposeError):
        compose(row(to_address=address), sender=SENDER)
