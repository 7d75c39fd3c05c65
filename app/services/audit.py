"""The audit log of a statement: appended to by other services, read by its members."""

from typing import Any

from sqlmodel import Session, col, select

from app.models.audit import AuditEvent, AuditEventPublic
from app.models.user import User


def record(
    *, session: Session, statement_id: int, actor: User | None, kind: str, **data: Any
) -> None:
    """Add an event to the log in the caller's transaction."""
    session.add(
        AuditEvent(
            statement_id=statement_id,
            actor_id=actor.id if actor else None,
            kind=kind,
            data=data,
        )
    )


def list_events(
    *, session: Session, statement_id: int, before: int | None = None, limit: int = 200
) -> list[AuditEventPublic]:
    """The newest events first; `before` (an event id) pages back through older ones."""
    query = (
        select(AuditEvent, User)
        .join(User, col(User.id) == col(AuditEvent.actor_id), isouter=True)
        .where(AuditEvent.statement_id == statement_id)
    )
    if before is not None:
        query = query.where(col(AuditEvent.id) < before)
    rows = session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit)).all()
    return [
        AuditEventPublic(
            id=event.id or 0,
            kind=event.kind,
            actor=actor.name if actor else None,
            data=event.data,
            at=event.at,
        )
        for event, actor in rows
    ]
