"""Comment threads anchored to a passage of the live draft or of a version, and their comments.

A live-draft anchor is a range [start, end) of the text at `anchor_rev`; it moves with every
change after that (see app/services/anchors.py). A version's anchor never moves. Comments are
never removed: an edit keeps the earlier wording, a deletion leaves a tombstone.
"""

from datetime import datetime
from typing import Any

from pydantic import field_validator
from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel

from app.models.base import MAX_INT, STRICT_BODY, UTCDateTime, strip_text, utcnow


class Thread(SQLModel, table=True):
    __table_args__ = (Index("uq_thread_suggestion", "suggestion_id", unique=True),)

    id: int = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", index=True, ondelete="CASCADE")
    version_number: int | None = None  # None: on the live draft
    start: int
    end: int
    anchor_rev: int  # the revision at which start and end hold (a version's own revision)
    quote: str = Field(sa_type=Text)  # the passage as it read when the thread began
    outdated: bool = False  # every character of the passage has been deleted since
    # The suggestion this thread discusses, if it is one's thread (one at most). No foreign
    # key: a suggestion goes only with its statement, which takes its threads with it.
    suggestion_id: int | None = None
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by: int | None = Field(default=None, foreign_key="user.id")


class Comment(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="thread.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="user.id")
    body: str = Field(sa_type=Text)
    mentions: list[Any] = Field(default_factory=list, sa_type=JSON)  # user ids
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CommentEdit(SQLModel, table=True):
    """A comment's wording before an edit."""

    __tablename__ = "comment_edit"

    id: int = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True, ondelete="CASCADE")
    body: str = Field(sa_type=Text)
    written_at: datetime = Field(sa_type=UTCDateTime)


class ThreadCreate(SQLModel):
    model_config = STRICT_BODY
    _strip = field_validator("body", mode="before")(strip_text)

    start: int = Field(ge=0, description="Where the passage starts, in code points")
    end: int = Field(ge=1, description="Where it ends (exclusive)")
    rev: int | None = Field(
        default=None, ge=0, le=MAX_INT, description="The live draft's revision the range refers to"
    )
    version: int | None = Field(
        default=None, ge=1, le=MAX_INT, description="A version's number instead"
    )
    body: str = Field(min_length=1)


class CommentCreate(SQLModel):
    model_config = STRICT_BODY
    _strip = field_validator("body", mode="before")(strip_text)

    body: str = Field(min_length=1)


class CommentPublic(SQLModel):
    id: int
    author: dict[str, Any]  # {"id", "name", "organisation"}
    body: str  # empty once deleted
    html: str  # the body's Markdown rendered and sanitised
    mentions: list[int]
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    edits: int  # how many earlier wordings are kept


class ThreadPublic(SQLModel):
    id: int
    version: int | None
    start: int
    end: int
    rev: int  # the revision start and end refer to
    quote: str
    outdated: bool
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    suggestion: int | None = None  # the suggestion it discusses, if it is one's thread
    comments: list[CommentPublic]
