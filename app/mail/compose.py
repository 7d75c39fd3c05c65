"""Build the email of one outbox row: plain text and HTML alternatives, with the headers a
mail client and a mail provider look for."""

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from app.models.notification import OutboxMessage


class ComposeError(ValueError):
    """The row cannot become an email (its address is not one); sending it again won't help."""


def message_id(message: OutboxMessage, *, domain: str) -> str:
    """The same Message-ID on every attempt for this row, so a receiver that got it once can
    drop a second copy. Its creation time tells apart rows of two databases with one id."""
    stamp = int(message.created_at.timestamp() * 1_000_000)
    return f"<accord.outbox.{message.id}.{stamp}@{domain}>"


def _one_line(value: str) -> str:
    # A header is one line: a line break in a subject would otherwise be refused (or worse).
    return " ".join(value.split())


def compose(message: OutboxMessage, *, sender: str) -> EmailMessage:
    """The email of `message`, from `sender` (a plain or a named address)."""
    sender_address = parseaddr(sender)[1]
    to_address = parseaddr(message.to_address)[1]
    if "@" not in to_address or to_address != message.to_address.strip():
        raise ComposeError(f"{message.to_address!r} is not an email address.")
    if not to_address.isascii():
        raise ComposeError(f"{to_address!r} needs SMTPUTF8, which Accord does not use.")
    email = EmailMessage()
    try:
        email["From"] = sender
        email["To"] = Address(addr_spec=to_address)
    except (ValueError, IndexError) as error:
        raise ComposeError(f"An address cannot be written in a header: {error}") from None
    email["Subject"] = _one_line(message.subject)
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message_id(message, domain=sender_address.rpartition("@")[2])
    email["Auto-Submitted"] = "auto-generated"  # a notice: no out-of-office replies, please
    if message.unsubscribe_url:
        # RFC 8058: a provider's "unsubscribe" button posts to the URL, with no page between.
        email["List-Unsubscribe"] = f"<{_one_line(message.unsubscribe_url)}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email
