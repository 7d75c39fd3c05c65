"""The operation log: every change to a statement's text, numbered by revision, never erased."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow


class Operation(SQLModel, table=True):
    # A resent change is found by its sender's (client_id, seq) and acknowledged again.
    __table_args__ = (Index("ix_operation_client", "statement_id", "client_id", "seq"),)

    # (statement_id, rev) is the primary key, so two writers can never take one revision.
    statement_id: int = Field(foreign_key="statement.id", primary_key=True, ondelete="CASCADE")
    rev: int = Field(primary_key=True)
    op: list[Any] = Field(sa_type=JSON)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    client_id: str = Field(default="", max_length=64)
    seq: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Snapshot(SQLModel, table=True):
    """The whole text at a revision, so loading replays only the operations after it."""

    statement_id: int = Field(foreign_key="statement.id", primary_key=True, ondelete="CASCADE")
    rev: int = Field(primary_key=True)
    text: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
