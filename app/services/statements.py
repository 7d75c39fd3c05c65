"""Statements: creating, listing and changing their settings."""

import re
import unicodedata
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.config import Settings
from app.errors import Conflict, Invalid
from app.models.base import utcnow
from app.models.membership import Membership, Role
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


def _unique_slug(session: Session, base: str) -> str:
    taken = set(
        session.exec(
            select(Statement.slug).where(
                (col(Statement.slug) == base) | col(Statement.slug).startswith(f"{base}-")
            )
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


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
    statement = Statement(
        title=title,
        context=context,
        slug=_unique_slug(session, slugify(title)),
        created_by=author.id,
    )
    session.add(statement)
    session.flush()
    assert statement.id is not None
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
        if session.exec(select(Statement.id).where(Statement.slug == slug)).first() is not None:
            raise Conflict(f"The address /s/{slug} is taken by another statement.")
    elif "slug" in fields:
        del fields["slug"]
    if "approval_rule" in fields and fields["approval_rule"] is None:
        rules = ", ".join(rule.value for rule in ApprovalRule)
        raise Invalid(f"approval_rule: choose one of {rules}.")

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
