"""Publications: an approved version made public for good. A later one supersedes an earlier
one but never removes it, and nothing in one ever changes."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import MAX_INT, STRICT_BODY, UTCDateTime, utcnow


class Publication(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("statement_id", "number"),
        UniqueConstraint("statement_id", "version_number"),
    )

    id: int = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", index=True, ondelete="CASCADE")
    number: int  # 1, 2, 3 … among the statement's publications
    version_number: int
    round_id: int = Field(foreign_key="review_round.id")
    title: str = Field(max_length=200)
    text: str = Field(sa_type=Text)
    signatories: list[Any] = Field(sa_type=JSON)  # [{"name", "organisation"}] who approved
    abstentions: list[Any] = Field(sa_type=JSON)  # the same, for those who abstained
    published_by: int | None = Field(default=None, foreign_key="user.id")
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PublishedAddress(SQLModel, table=True):
    """An address at which a statement's publications have been shown: it shows them for good.

    A statement gets one when it is published, and another whenever a published statement
    takes a new address; no other statement can ever have it.
    """

    __tablename__ = "published_address"

    slug: str = Field(primary_key=True, max_length=80)
    statement_id: int = Field(foreign_key="statement.id", index=True, ondelete="CASCADE")
    since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PublicationCreate(SQLModel):
    model_config = STRICT_BODY

    version: int = Field(ge=1, le=MAX_INT, description="An approved version's number")


class Signatory(SQLModel):
    name: str
    organisation: str


class PublicationPublic(SQLModel):
    slug: str
    number: int
    version: int
    title: str
    text: str
    html: str  # the text's Markdown, rendered and sanitised
    published_at: datetime
    signatories: list[Signatory]
    abstentions: list[Signatory]
    superseded_by: int | None  # the number of the publication after it, if any
    previous: int | None  # the number of the one before it, if any
