"""A statement: the one text a group writes and agrees on, with its rules and deadlines."""

import re
from datetime import date, datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import String, Text
from sqlmodel import Field, SQLModel

from app.models.base import STRICT_BODY, UTCDateTime, utcnow
from app.models.membership import Role

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ApprovalRule(StrEnum):
    consent = "consent"  # everyone responded, nobody blocks
    unanimous = "unanimous"  # everyone approves
    majority = "majority"  # more approvals than requests for change and blocks
    quorum = "quorum"  # at least approval_quorum organisations endorse


class Deciders(StrEnum):
    """Who may accept and reject suggestions."""

    editors = "editors"  # everyone who may edit
    facilitators = "facilitators"


class StatementState(StrEnum):
    drafting = "drafting"
    review = "review"
    approved = "approved"
    published = "published"


class StatementBase(SQLModel):
    title: str = Field(min_length=1)
    context: str = Field(default="", sa_type=Text)


class Statement(StatementBase, table=True):
    id: int = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    finalise_by: date | None = None
    publish_on: date | None = None
    approval_rule: ApprovalRule = Field(default=ApprovalRule.consent, sa_type=String(20))
    approval_quorum: int | None = None
    suggestions_decided_by: Deciders = Field(default=Deciders.editors, sa_type=String(20))
    state: StatementState = Field(default=StatementState.drafting, sa_type=String(20))
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StatementCreate(StatementBase):
    model_config = STRICT_BODY

    text: str = Field(default="", description="The first draft of the statement's text.")


class StatementUpdate(SQLModel):
    model_config = STRICT_BODY

    title: str | None = Field(default=None, min_length=1)
    context: str | None = None
    slug: str | None = Field(default=None, min_length=1, max_length=80)
    finalise_by: date | None = None
    publish_on: date | None = None
    approval_rule: ApprovalRule | None = None
    approval_quorum: int | None = Field(default=None, ge=1, le=10_000)
    suggestions_decided_by: Deciders | None = None

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not SLUG_PATTERN.match(value):
            raise ValueError("use lower-case letters, digits and single hyphens, like my-statement")
        return value


class StatementPublic(StatementBase):
    id: int
    slug: str
    finalise_by: date | None
    publish_on: date | None
    approval_rule: ApprovalRule
    approval_quorum: int | None
    suggestions_decided_by: Deciders
    state: StatementState
    created_at: datetime
    updated_at: datetime
    my_role: Role
    member_count: int
