"""A statement's text: what Accord will store, and the text at any revision of its log."""

from sqlmodel import Session

from app.collab import log
from app.config import Settings
from app.errors import Invalid, NotFound, TooLarge
from app.models.text import TextPublic
from app.models.user import User


def check_text(*, settings: Settings, text: str) -> None:
    """Refuse text Accord cannot store faithfully or that is over the size limit."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise Invalid("The text contains a lone surrogate, which is not a character.") from None
    if "\x00" in text:
        raise Invalid("The text contains a NUL character.")
    if size > settings.max_text_bytes:
        raise TooLarge(
            f"The text is {size} bytes of UTF-8; the limit is {settings.max_text_bytes}."
        )


def text_at(*, session: Session, statement_id: int, rev: int | None = None) -> TextPublic:
    """The text at `rev` (default: the head); a revision the log has not reached is not found."""
    head = log.head_revision(session=session, statement_id=statement_id)
    if rev is None:
        rev = head
    elif rev < 0 or rev > head:
        raise NotFound(f"Revision {rev} does not exist; this statement is at revision {head}.")
    return TextPublic(
        rev=rev, text=log.read_text(session=session, statement_id=statement_id, rev=rev)
    )


def start_text(*, session: Session, statement_id: int, author: User, text: str) -> None:
    """Write a new statement's first draft as revision 1 of its log."""
    if text:
        log.add(session=session, statement_id=statement_id, rev=1, op=[text], author_id=author.id)
