"""Versions: the text frozen at a revision, numbered and named. Nothing ever changes one."""

from datetime import datetime

from pydantic import field_validator
from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import MAX_INT, STRICT_BODY, UTCDateTime, strip_text, utcnow


class Version(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("statement_id", "number"),)

    id: int = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", index=True, ondelete="CASCADE")
    number: int  # 1, 2, 3 … within its statement
    name: str = Field(max_length=200)
    note: str = Field(default="", sa_type=Text)
    rev: int  # the revision of the live text it froze
    text: str = Field(sa_type=Text)
    content_hash: str = Field(max_length=64)  # SHA-256 of the text's UTF-8, in hex
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VersionCreate(SQLModel):
    model_config = STRICT_BODY
    _strip = field_validator("name", "note", mode="before")(strip_text)

    name: str = Field(min_length=1, max_length=200, description='e.g. "Draft 2, after day 2"')
    note: str = Field(default="", max_length=10_000, description="What this version is for")
    rev: int | None = Field(
        default=None,
        ge=0,
        le=MAX_INT,
        description="Freeze the text at this revision; default the head",
    )


class VersionAuthor(SQLModel):
    id: int | None
    name: str


class VersionSummary(SQLModel):
    """A version as lists show it, without its text."""

    number: int
    name: str
    note: str
    rev: int
    content_hash: str
    characters: int
    created_by: VersionAuthor
    created_at: datetime


class VersionPublic(VersionSummary):
    text: str


class Restored(SQLModel):
    """The live draft's revision that brought a version's text back."""

    rev: int
