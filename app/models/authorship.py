"""Kept authorship: who wrote what at a revision, so that a replay need not start from nothing."""

from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel


class AuthorshipSnapshot(SQLModel, table=True):
    """Who wrote what at a revision, as runs of [length, writer id]: kept when authorship is
    first asked for there, so that the next question replays only the changes after it."""

    __tablename__ = "authorship_snapshot"

    statement_id: int = Field(foreign_key="statement.id", primary_key=True, ondelete="CASCADE")
    rev: int = Field(primary_key=True)
    runs: list[Any] = Field(sa_type=JSON)
