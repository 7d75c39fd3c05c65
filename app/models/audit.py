"""The audit log: who did what to a statement, and when. Rows are only ever added."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", index=True, ondelete="CASCADE")
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    kind: str = Field(max_length=60)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditEventPublic(SQLModel):
    id: int
    kind: str
    actor: str | None
    data: dict[str, Any]
    at: datetime
