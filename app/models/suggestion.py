"""Suggested changes: one contiguous change proposed on the live draft without making it.

A suggestion stands at [start, end) of the text at `anchor_rev` and moves with every change
after that, by the rules of app/collab/proposals.py; `replaced` is the text it would remove as
it read when the suggestion was made, so an outdated one keeps its original context.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field as PydanticField
from pydantic import model_validator
from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel

from app.models.base import MAX_INT, STRICT_BODY, UTCDateTime, utcnow
from app.models.suggestion_vote import VoteTally

MAX_REASON = 2_000


class SuggestionStatus(StrEnum):
    open = "open"
    outdated = "outdated"  # someone changed the characters it would replace
    voting = "voting"
    accepting = "accepting"  # being applied to the live draft
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"


class Suggestion(SQLModel, table=True):
    __table_args__ = (Index("ix_suggestion_statement_status", "statement_id", "status"),)

    id: int = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="user.id")
    base_rev: int  # the revision it was made on
    anchor_rev: int  # the revision at which start and end hold
    start: int
    end: int
    inserted: str = Field(sa_type=Text)
    replaced: str = Field(sa_type=Text)
    reason: str = Field(default="", sa_type=Text)
    status: str = Field(default=SuggestionStatus.open, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str = Field(default="", sa_type=Text)
    applied_rev: int | None = None  # the revision that applied it, once accepted
    # How the group voted, once a vote on it closed (app/models/suggestion_vote.py VoteTally);
    # set while it is still voting, it marks the vote as being closed.
    tally: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))


class SuggestionCreate(SQLModel):
    """A change made on `base_rev`: an operation, or a whole new text (as a whole-text save
    is turned into an operation). It must make one contiguous change."""

    model_config = STRICT_BODY

    base_rev: int = Field(ge=0, le=MAX_INT)
    op: list[int | str] | None = None
    text: str | None = None
    reason: str = Field(default="", max_length=MAX_REASON)

    @model_validator(mode="after")
    def _one_of_op_and_text(self) -> "SuggestionCreate":
        if (self.op is None) == (self.text is None):
            raise ValueError("Send either op or text.")
        return self


class Decision(SQLModel):
    model_config = STRICT_BODY

    reason: str = Field(default="", max_length=MAX_REASON)


class BulkAccept(SQLModel):
    model_config = STRICT_BODY

    ids: list[Annotated[int, PydanticField(ge=1, le=MAX_INT)]] = Field(
        min_length=1, max_length=500, description="In the order to accept"
    )


class Outcome(SQLModel):
    """What became of one suggestion of a bulk accept."""

    id: int
    status: str | None = Field(description="Its status now; null if there is no such one")
    rev: int | None = Field(default=None, description="The revision that applied it")
    detail: str | None = Field(default=None, description="Why it was not accepted")


class SuggestionAuthor(SQLModel):
    id: int | None
    name: str
    organisation: str


class SuggestionPublic(SQLModel):
    id: int
    status: str
    start: int = Field(description="Where it stands in the live text, in code points")
    end: int
    insert: str = Field(description="The text it would put in")
    delete: str = Field(description="The text it would remove, as it read when made")
    author: SuggestionAuthor
    reason: str
    base_rev: int
    rev: int = Field(description="The revision at which start and end hold")
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: SuggestionAuthor | None = Field(
        default=None, description="Who accepted, rejected or withdrew it, or is accepting it"
    )
    decision_reason: str = ""
    applied_rev: int | None = Field(
        default=None, description="The revision that applied it, once accepted"
    )
    now: str | None = Field(
        default=None,
        description="In the list, for an outdated one: what its characters read now",
    )
    tally: VoteTally | None = Field(
        default=None, description="How the group voted, once a vote on it closed"
    )

    @classmethod
    def of(
        cls, suggestion: Suggestion, named: dict[int | None, dict[str, Any]], now: str | None = None
    ) -> "SuggestionPublic":
        """The suggestion, its author and decider named from `named` (by user id)."""
        decider = named.get(suggestion.decided_by) if suggestion.decided_by else None
        return cls(
            id=suggestion.id,
            status=suggestion.status,
            start=suggestion.start,
            end=suggestion.end,
            insert=suggestion.inserted,
            delete=suggestion.replaced,
            author=SuggestionAuthor(**named[suggestion.author_id]),
            decided_by=SuggestionAuthor(**decider) if decider else None,
            reason=suggestion.reason,
            base_rev=suggestion.base_rev,
            rev=suggestion.anchor_rev,
            created_at=suggestion.created_at,
            decided_at=suggestion.decided_at,
            decision_reason=suggestion.decision_reason,
            applied_rev=suggestion.applied_rev,
            now=now,
            tally=VoteTally.model_validate(suggestion.tally)
            if suggestion.tally
            and suggestion.status not in (SuggestionStatus.voting, SuggestionStatus.accepting)
            else None,
        )
