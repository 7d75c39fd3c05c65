"""Sections: where a statement's headings divide it, with ids that last from version to
version (app/sections/), and the sections a facilitator locked as agreed."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow

DRAFT = 0  # the version number a layout of the live draft is kept under
ACTIVE = text("unlocked_at IS NULL")


class SectionLayout(SQLModel, table=True):
    """The sections of the live draft at a revision (version 0), or of a version: their ids,
    headings and the words under them, which the next text's sections are named after."""

    __tablename__ = "section_layout"
    __table_args__ = (UniqueConstraint("statement_id", "version_number"),)

    id: int = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", ondelete="CASCADE")
    version_number: int  # DRAFT for the live draft
    rev: int  # the revision of the text it is of
    sections: list[dict[str, Any]] = Field(sa_type=JSON)


class SectionLock(SQLModel, table=True):
    """A section locked as agreed: its words as they stood then. Unlocking ends it; both acts
    are kept (and audited)."""

    __tablename__ = "section_lock"
    # One lock at a time per section: of two at once, the database keeps one.
    __table_args__ = (
        Index(
            "uq_section_lock_active",
            "statement_id",
            "section",
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        ),
    )

    id: int = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", index=True, ondelete="CASCADE")
    section: str = Field(max_length=64)
    text: str = Field(sa_type=Text)  # the section's words when locked, without white space after
    start: int  # where they stood then
    preamble: bool = False
    locked_by: int | None = Field(default=None, foreign_key="user.id")
    locked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    unlocked_by: int | None = Field(default=None, foreign_key="user.id")
    unlocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SectionState(StrEnum):
    drafting = "drafting"
    in_review = "in_review"
    agreed = "agreed"
    locked = "locked"
    contested = "contested"


class SectionPublic(SQLModel):
    id: str = Field(description="Stays the same while the heading or most of the text does")
    heading: str = Field(description='The heading\'s words; "" for the preamble')
    level: int = Field(description="1 to 6; 0 for the preamble, the text before any heading")
    start: int = Field(description="Where the section starts, in code points")
    end: int = Field(description="Where it ends (the next heading, or the end of the text)")
    locked: bool
    state: SectionState
    split_from: str | None = Field(default=None, description="The section it was split from")
    merged_from: list[str] = Field(
        default_factory=list, description="Sections that were merged into it"
    )
    locked_by: str | None = None
    locked_at: datetime | None = None


class SectionList(SQLModel):
    data: list[SectionPublic]
    count: int
    rev: int = Field(description="The revision of the text the positions are of")


class ConsentStance(SQLModel):
    user_id: int
    name: str
    organisation: str
    kind: str
    reason: str
    carried_from: int | None = Field(
        description="The version the stance was taken on, if carried over unchanged; else null"
    )
    recorded_at: datetime


class ConsentSection(SQLModel):
    section: str
    heading: str
    level: int
    agreed: bool = Field(description="Whether the statement's rule holds for this section")
    locked: bool
    summary: str = Field(description="Where the section stands, in words")
    stances: list[ConsentStance]


class ConsentPerson(SQLModel):
    user_id: int
    name: str
    organisation: str


class Consent(SQLModel):
    data: list[ConsentSection]
    count: int
    round: int
    version: int
    rule: str
    closed: bool
    people: list[ConsentPerson] = Field(description="Everyone with a say, by organisation")


class MySection(SQLModel):
    """A section of a round's version as one participant sees it: their stance, whether it was
    carried over, and what changed since they last approved it."""

    section: str
    heading: str
    level: int
    start: int
    end: int
    stance: str | None = Field(description="Their current stance on it, if any")
    reason: str = ""
    carried_from: int | None = None
    asked: bool = Field(description="Whether they have yet to take a stance on it in this round")
    approved_on: int | None = Field(
        default=None, description="The version on which they last approved it, if they did"
    )
    changed: bool = Field(
        default=False, description="Whether its text changed since the version they approved"
    )
    diff: list[tuple[str, str]] | None = Field(
        default=None, description="Word diff since that version: [kind, text] pieces"
    )
