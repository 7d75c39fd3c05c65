"""Statements: creating, listing and changing their settings."""

import itertools
import re
import secrets
import unicodedata
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config import Settings
from app.errors import Conflict, Invalid
from app.models.base import utcnow
from app.models.membership import Membership, Role
from app.models.publication import Publication, PublishedAddress
from app.models.statement import (
    ApprovalRule,
    Statement,
    StatementCreate,
    StatementPublic,
    StatementUpdate,
)
from app.models.user import User
from app.services import audit
from app.services.text import check_text, start_text

MAX_SLUG = 60


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:MAX_SLUG].rstrip("-") or "statement"


def _candidates(base: str) -> Iterator[str]:
    yield base
    for number in itertools.count(2):
        yield f"{base}-{number}"


def _free_slug(session: Session, base: str) -> str:
    """The first of `base`, `base-2`, `base-3` … that no statement has and none published at."""
    taken: set[str] = set()
    for column in (col(Statement.slug), col(PublishedAddress.slug)):
        taken.update(
            session.exec(select(column).where((column == base) | column.startswith(f"{base}-")))
        )
    return next(slug for slug in _candidates(base) if slug not in taken)


def hold_statement(*, session: Session, statement_id: int) -> None:
    """Wait until no other transaction is changing the statement, and make others wait until
    this one ends, so that what is read next stays true until then.

    A write does this on both databases (PostgreSQL locks the row, SQLite the database), where
    SELECT … FOR UPDATE would on PostgreSQL alone. It writes nothing new."""
    session.execute(
        update(Statement)
        .where(col(Statement.id) == statement_id)
        .values(state=col(Statement.state))
    )


def _check_title(settings: Settings, title: str) -> str:
    title = title.strip()
    if not title:
        raise Invalid("title: give the statement a title.")
    if len(title) > settings.max_title_chars:
        raise Invalid(f"title: at most {settings.max_title_chars} characters.")
    return title


def _check_context(settings: Settings, context: str) -> str:
    if len(context) > settings.max_context_chars:
        raise Invalid(f"context: at most {settings.max_context_chars} characters.")
    return context


def create_statement(
    *, session: Session, settings: Settings, statement_in: StatementCreate, author: User
) -> Statement:
    """Create a statement whose author becomes its facilitator."""
    title = _check_title(settings, statement_in.title)
    context = _check_context(settings, statement_in.context)
    check_text(settings=settings, text=statement_in.text)
    # The statement is written first under a placeholder address nobody else will ask for.
    # That write begins the transaction (SQLite's driver begins one only before a write, and a
    # savepoint outside a transaction would commit on its own), so the savepoint below, which
    # claims the first free address, is undone with the rest if anything fails. Of statements
    # created at once with one title, the one that finds its address just taken (its taker
    # has committed by then) tries the next.
    statement = Statement(
        title=title, context=context, slug=f"new-{secrets.token_hex(16)}", created_by=author.id
    )
    session.add(statement)
    session.flush()
    base = slugify(title)
    slug = _free_slug(session, base)
    while True:
        try:
            with session.begin_nested():
                statement.slug = slug
            break
        except IntegrityError:
            slug, refused = _free_slug(session, base), slug
            if slug == refused:
                raise  # the address is free after all: something else was refused
    session.add(
        Membership(
            statement_id=statement.id,
            user_id=author.id,
            role=Role.facilitator,
            organisation=author.organisation,
        )
    )
    start_text(session=session, statement_id=statement.id, author=author, text=statement_in.text)
    audit.record(session=session, statement_id=statement.id, actor=author, kind="statement.created")
    return statement


def update_statement(
    *,
    session: Session,
    settings: Settings,
    statement: Statement,
    changes: StatementUpdate,
    actor: User,
) -> Statement:
    """Change a statement's title, context, slug, deadlines or approval rule."""
    fields: dict[str, Any] = changes.model_dump(exclude_unset=True)
    if "title" in fields:
        fields["title"] = _check_title(settings, fields["title"] or "")
    if "context" in fields:
        fields["context"] = _check_context(settings, fields["context"] or "")
    slug = fields.get("slug")
    if slug is not None and slug != statement.slug:
        _move(session, statement, slug)
    elif "slug" in fields:
        del fields["slug"]
    if "approval_rule" in fields and fields["approval_rule"] is None:
        rules = ", ".join(rule.value for rule in ApprovalRule)
        raise Invalid(f"approval_rule: choose one of {rules}.")
    if "suggestions_decided_by" in fields and fields["suggestions_decided_by"] is None:
        raise Invalid("suggestions_decided_by: choose editors or facilitators.")

    def after(name: str) -> Any:
        return fields[name] if name in fields else getattr(statement, name)

    if after("approval_rule") == ApprovalRule.quorum and not after("approval_quorum"):
        raise Invalid("approval_quorum: say how many organisations must endorse.")
    finalise_by, publish_on = after("finalise_by"), after("publish_on")
    if finalise_by and publish_on and publish_on < finalise_by:
        raise Invalid("publish_on: the publication date cannot come before the finalise-by date.")
    for name, value in fields.items():
        setattr(statement, name, value)
    statement.updated_at = utcnow()
    session.add(statement)
    if fields:
        audit.record(
            session=session,
            statement_id=statement.id or 0,
            actor=actor,
            kind="statement.updated",
            fields=sorted(fields),
        )
    return statement


def _move(session: Session, statement: Statement, slug: str) -> None:
    """Give the statement the address `slug`; every address it was published at stays its own."""
    # Changes of address and publishes of one statement take turns; what is read after this
    # is current until the change commits.
    hold_statement(session=session, statement_id=statement.id)
    try:
        with session.begin_nested():
            session.execute(
                update(Statement).where(col(Statement.id) == statement.id).values(slug=slug)
            )
    except IntegrityError:
        raise Conflict(f"The address /s/{slug} is taken by another statement.") from None
    owner = session.get(PublishedAddress, slug)
    if owner is not None and owner.statement_id != statement.id:
        raise Conflict(
            f"The address /s/{slug} keeps showing another statement's publication; "
            "choose another address."
        )
    published = session.exec(
        select(Publication.id).where(Publication.statement_id == statement.id)
    ).first()
    if owner is None and published is not None:
        # The publications show at the new address too, so it becomes theirs for good.
        session.add(PublishedAddress(slug=slug, statement_id=statement.id))


def member_count(*, session: Session, statement_id: int) -> int:
    return session.exec(select(func.count()).where(Membership.statement_id == statement_id)).one()


def to_public(*, session: Session, statement: Statement, membership: Membership) -> StatementPublic:
    assert statement.id is not None
    return StatementPublic.model_validate(
        statement,
        update={
            "my_role": membership.role,
            "member_count": member_count(session=session, statement_id=statement.id),
        },
    )


def list_statements(*, session: Session, user: User) -> list[StatementPublic]:
    """The statements `user` is a member of, most recently changed first."""
    counts = (
        select(Membership.statement_id, func.count().label("members"))
        .group_by(col(Membership.statement_id))
        .subquery()
    )
    rows = session.exec(
        select(Statement, Membership, counts.c.members)
        .join(Membership, col(Membership.statement_id) == col(Statement.id))
        .join(counts, counts.c.statement_id == col(Statement.id))
        .where(Membership.user_id == user.id)
        .order_by(col(Statement.updated_at).desc(), col(Statement.id).desc())
    ).all()
    return [
        StatementPublic.model_validate(
            statement, update={"my_role": membership.role, "member_count": members}
        )
        for statement, membership, members in rows
    ]
