"""A statement's text as the operation log makes it, at the head or any revision."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.collab import ops
from app.config import Settings
from app.errors import Invalid, NotFound, TooLarge
from app.models.operation import Operation, Snapshot
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


def head_revision(*, session: Session, statement_id: int) -> int:
    head = session.exec(
        select(func.max(Operation.rev)).where(Operation.statement_id == statement_id)
    ).one()
    return int(head or 0)


def text_at(*, session: Session, statement_id: int, rev: int | None = None) -> TextPublic:
    """The text at `rev` (default: the head): the nearest snapshot, then the log after it."""
    head = head_revision(session=session, statement_id=statement_id)
    if rev is None:
        rev = head
    elif rev < 0 or rev > head:
        raise NotFound(f"Revision {rev} does not exist; this statement is at revision {head}.")
    snapshot = session.exec(
        select(Snapshot)
        .where(Snapshot.statement_id == statement_id, col(Snapshot.rev) <= rev)
        .order_by(col(Snapshot.rev).desc())
        .limit(1)
    ).first()
    text, start = (snapshot.text, snapshot.rev) if snapshot else ("", 0)
    query = (
        select(Operation.op)
        .where(
            Operation.statement_id == statement_id,
            col(Operation.rev) > start,
            col(Operation.rev) <= rev,
        )
        .order_by(col(Operation.rev))
    )
    for op in session.exec(query):
        text = ops.apply(text, ops.parse(op))
    return TextPublic(rev=rev, text=text)


def start_text(*, session: Session, statement_id: int, author: User, text: str) -> None:
    """Write a new statement's first draft as revision 1 of its log."""
    if text:
        session.add(Operation(statement_id=statement_id, rev=1, op=[text], author_id=author.id))
