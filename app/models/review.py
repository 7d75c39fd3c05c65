"""Review rounds: participants record their stance on one exact version; nothing recorded is
ever changed (a new stance supersedes the last, and both are kept)."""

from datetime import date, datetime
from enum import StrEnum

from pydantic import field_validator, model_validator
from sqlalchemy import Index, String, Text, text
from sqlmodel import Field, SQLModel

from app.models.base import MAX_INT, STRICT_BODY, UTCDateTime, strip_text, utcnow


class StanceKind(StrEnum):
    approve = "approve"
    abstain = "abstain"
    request_changes = "request_changes"
    block = "block"


OPEN = text("closed_at IS NULL")
CURRENT = text("superseded_at IS NULL")


class ReviewRound(SQLModel, table=True):
    __tablename__ = "review_round"
    # One open round per statement: of two opened at once, the database keeps one.
    __table_args__ = (
        Index(
            "uq_review_round_open",
            "statement_id",
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        ),
    )

    id: int = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", index=True, ondelete="CASCADE")
    version_number: int
    rule: str = Field(max_length=20)  # the approval rule when the round opened
    quorum: int | None = None
    opened_by: int | None = Field(default=None, foreign_key="user.id")
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closes_on: date | None = None
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved: bool | None = None  # set when the round closes
    suggestions_settled: bool = False  # it may close only once no suggestion is open


class Stance(SQLModel, table=True):
    # One current stance per person, round and section ("" for the whole version); the earlier
    # ones are kept, superseded.
    __table_args__ = (
        Index(
            "uq_stance_current",
            "round_id",
            "user_id",
            "section",
            unique=True,
            sqlite_where=CURRENT,
            postgresql_where=CURRENT,
        ),
    )

    id: int = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="review_round.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id")
    organisation: str = Field(default="", max_length=200)  # whom they spoke for, then
    kind: StanceKind = Field(sa_type=String(20))
    reason: str = Field(default="", sa_type=Text)
    start: int | None = None  # a passage of the version the stance points at
    end: int | None = None
    section: str = Field(default="", max_length=64)  # "": the whole version
    carried_from: int | None = None  # the version it was taken on, if carried to this round
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RoundCreate(SQLModel):
    model_config = STRICT_BODY

    version: int = Field(ge=1, le=MAX_INT, description="The number of the version under review")
    closes_on: date | None = Field(default=None, description="When the round should close")
    suggestions_settled: bool = Field(
        default=False,
        description="Approve the version only once no suggestion on it is open or being voted on",
    )


class StanceCreate(SQLModel):
    model_config = STRICT_BODY
    _strip = field_validator("reason", mode="before")(strip_text)

    kind: StanceKind
    reason: str = Field(default="", max_length=10_000)
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=1)
    section: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="A section's id: the stance is on that section alone, not the version",
    )

    @model_validator(mode="after")
    def _explained(self) -> "StanceCreate":
        if self.kind in (StanceKind.request_changes, StanceKind.block) and not self.reason:
            raise ValueError("Requesting changes or blocking needs a reason.")
        if (self.start is None) != (self.end is None):
            raise ValueError("A passage needs both start and end.")
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValueError("A passage ends after it starts.")
        return self


class StancePublic(SQLModel):
    user_id: int
    name: str
    organisation: str
    kind: StanceKind
    reason: str
    start: int | None
    end: int | None
    section: str | None = Field(default=None, description="The section, if on one alone")
    carried_from: int | None = Field(
        default=None, description="The version it was taken on, if carried over unchanged"
    )
    recorded_at: datetime
    superseded_at: datetime | None


class Participant(SQLModel):
    """A member with a say, and where they stand now (None: not yet responded)."""

    user_id: int
    name: str
    organisation: str
    role: str
    stance: StanceKind | None


class Tally(SQLModel):
    rule: str
    holds: bool
    summary: str  # e.g. "9 of 12 organisations endorse; 7 needed"
    missing: list[str]  # what still stands between the round and approval, in words
    counts: dict[str, int]


class RoundPublic(SQLModel):
    id: int
    version: int
    opened_at: datetime
    opened_by: str
    closes_on: date | None
    closed_at: datetime | None
    approved: bool | None
    published: bool = Field(
        default=False, description="Whether the version this round approved is published"
    )
    suggestions_settled: bool = Field(
        default=False, description="Whether the round waits until no suggestion on it is open"
    )
    open_suggestions: int | None = Field(
        default=None,
        description="While a round that waits is open: the suggestions on its version still "
        "open or being voted on",
    )
    participants: list[Participant]
    tally: Tally
    stances: list[StancePublic]  # every stance ever recorded, oldest first
