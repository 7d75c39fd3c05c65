"""The facilitator's cockpit: one reading of everything that still stands between a statement
and agreement, and the answer to reminding those who have not responded."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from app.models.review import StanceKind


class TimeLeft(SQLModel):
    """How far away a moment is, from when the cockpit was read."""

    seconds: int = Field(description="Whole seconds until then; never below 0")
    days: int = Field(description="Whole days until then")
    hours: int = Field(description="The hours left after the whole days")
    words: str = Field(description="The same in words, e.g. '2 days and 5 hours'")


class CockpitRound(SQLModel):
    id: int
    version: int
    opened_at: datetime
    closes_on: date | None = Field(description="The day it closes on, if one was set")
    closes_at: datetime | None = Field(
        description="When it closes by itself: the end of its closing day, in UTC"
    )
    left: TimeLeft | None = Field(description="How long until it closes, if it has a date")


class WaitingPerson(SQLModel):
    user_id: int
    name: str
    email: str
    role: str
    last_reminded_at: datetime | None = Field(
        description="When they were last reminded of this round, if they were"
    )


class WaitingOrganisation(SQLModel):
    organisation: str = Field(description="The organisation they speak for; '' for none")
    people: list[WaitingPerson]


class Waiting(SQLModel):
    """Who may respond to the open round and has no current stance on the whole version."""

    count: int = Field(description="How many people have not responded")
    of: int = Field(description="How many people have a say")
    organisations: list[WaitingOrganisation]


class Concern(SQLModel):
    """A current block or request for changes in the open round."""

    user_id: int
    name: str
    organisation: str
    kind: StanceKind
    reason: str
    section: str | None = Field(description="The section it is on, if on one alone")
    heading: str | None = Field(description="That section's heading ('' for the preamble)")
    quote: str | None = Field(description="The passage of the version it points at, if any")
    recorded_at: datetime


class ThreadBrief(SQLModel):
    id: int
    quote: str = Field(description="The passage as it read when the thread began")
    started_by: str
    started_at: datetime
    comments: int
    last_at: datetime = Field(description="When its latest comment was written")


class SectionThreads(SQLModel):
    """The unresolved threads of one section of the live draft, in text order."""

    section: str | None = Field(description="The section's id; null for passages now gone")
    heading: str = Field(description="Its heading ('' for the preamble)")
    count: int
    threads: list[ThreadBrief]


class OpenSuggestion(SQLModel):
    id: int
    status: str = Field(description="`open`, or `voting` for an amendment put to a vote")
    author: str
    organisation: str
    delete: str = Field(description="The words it would remove, as they read when it was made")
    insert: str = Field(description="The words it would put in")
    reason: str
    created_at: datetime
    age_days: int = Field(description="Whole days since it was made")
    vote_opened_at: datetime | None = Field(
        description="For an amendment: when it was put to the vote"
    )


class Deadline(SQLModel):
    what: str = Field(description="What closes, in words")
    round: int | None = Field(description="The review round that closes, if it is one")
    closes_on: date
    closes_at: datetime = Field(description="The end of that day, in UTC")
    left: TimeLeft


class Cockpit(SQLModel):
    round: CockpitRound | None = Field(description="The open review round, if one is open")
    waiting: Waiting | None = Field(description="While a round is open: who has not responded")
    concerns: list[Concern] = Field(description="Blocks and requests for changes, oldest first")
    threads: list[SectionThreads] = Field(
        description="Each section of the live draft with its unresolved threads, in text order; "
        "threads whose passage is gone last"
    )
    unresolved: int = Field(description="How many threads are unresolved in all")
    suggestions: list[OpenSuggestion] = Field(description="Open suggestions, oldest first")
    deadlines: list[Deadline] = Field(description="What closes when, soonest first")


class RemindedPerson(SQLModel):
    user_id: int
    name: str
    organisation: str


class Reminders(SQLModel):
    """Whom a reminder went to now, and who had already been reminded today."""

    reminded: list[RemindedPerson] = Field(
        description="Reminded now, in the app and by email as each chose"
    )
    already: list[RemindedPerson] = Field(
        description="Already reminded today, so not emailed again"
    )
