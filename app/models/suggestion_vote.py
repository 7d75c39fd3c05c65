"""Amendments: a suggestion put to the group's vote. Nothing recorded is ever changed: a later
vote supersedes the person's last one, and both are kept; the tally is kept with the
suggestion once the vote closes."""

from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import Index, String, Text, text
from sqlmodel import Field, SQLModel

from app.models.base import STRICT_BODY, UTCDateTime, strip_text, utcnow
from app.models.review import StanceKind

CURRENT = text("superseded_at IS NULL")


class VoteKind(StrEnum):
    support = "support"
    oppose = "oppose"
    abstain = "abstain"


# How a vote counts under the statement's approval rule (app/services/approval.py).
AS_STANCE = {
    VoteKind.support: StanceKind.approve,
    VoteKind.oppose: StanceKind.block,
    VoteKind.abstain: StanceKind.abstain,
}


class SuggestionVote(SQLModel, table=True):
    __tablename__ = "suggestion_vote"
    # One current vote per person and suggestion; the earlier ones are kept, superseded.
    __table_args__ = (
        Index(
            "uq_suggestion_vote_current",
            "suggestion_id",
            "user_id",
            unique=True,
            sqlite_where=CURRENT,
            postgresql_where=CURRENT,
        ),
    )

    id: int = Field(default=None, primary_key=True)
    suggestion_id: int = Field(foreign_key="suggestion.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id")
    organisation: str = Field(default="", max_length=200)  # whom they spoke for, then
    kind: VoteKind = Field(sa_type=String(16))
    reason: str = Field(default="", sa_type=Text)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class VoteCreate(SQLModel):
    model_config = STRICT_BODY
    _strip = field_validator("reason", mode="before")(strip_text)

    kind: VoteKind
    reason: str = Field(default="", max_length=10_000)


class VotePublic(SQLModel):
    user_id: int
    name: str
    organisation: str
    kind: VoteKind
    reason: str
    recorded_at: datetime


class VoteTally(SQLModel):
    """How the group voted on a suggestion, kept with it for good once the vote closed."""

    rule: str = Field(description="The statement's approval rule the vote was decided by")
    quorum: int | None = None
    adopted: bool
    summary: str = Field(description="The rule's verdict in words, e.g. '3 of 4 responded'")
    missing: list[str] = Field(description="What kept it from being adopted, in words")
    counts: dict[str, int] = Field(description="Votes per kind, and `none` for who did not vote")
    votes: list[VotePublic] = Field(description="Who voted what, with their reasons")
    closed_at: datetime
