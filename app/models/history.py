"""The editing history of a statement's text, as the API shows it: sessions of work."""

from datetime import datetime

from sqlmodel import Field, SQLModel


class SessionAuthor(SQLModel):
    """One person's part in an editing session."""

    id: int | None
    name: str
    organisation: str
    revisions: int
    inserted: int  # characters (code points)
    deleted: int


class EditingSession(SQLModel):
    """A stretch of revisions with no pause longer than the gap, by one or more people."""

    first_rev: int
    last_rev: int
    started_at: datetime
    ended_at: datetime
    revisions: int
    inserted: int
    deleted: int
    authors: list[SessionAuthor]


class Writer(SQLModel):
    """Someone who wrote part of a text, as the authorship view shows them."""

    id: int
    name: str
    organisation: str
    colour: str


class AcceptedWords(SQLModel):
    """Words that came in by an accepted suggestion: its suggester is their writer in the
    runs; `accepted_by` names who accepted them."""

    suggestion: int
    start: int
    end: int
    accepted_by: str | None = Field(description="Null for an account that is gone")


class AuthorshipPublic(SQLModel):
    """Who wrote each passage of the text at `rev`: `runs` of [length, writer id] cover the
    text in order (lengths in code points; null for a writer the log does not name), and
    where accepted suggestions' words stand, with who accepted them."""

    rev: int
    runs: list[tuple[int, int | None]]
    writers: list[Writer]
    accepted: list[AcceptedWords] = []


class Change(SQLModel):
    """One revision of the operation log, for replaying a statement's growth."""

    rev: int
    op: list[int | str]
    author_id: int | None
    created_at: datetime
