"""Notifications: what someone is told in the app, how they like to be told by email, and the
links that stop one kind of email without signing in."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import Field as PydanticField
from pydantic import field_validator, model_validator
from sqlalchemy import Index, String, Text, text
from sqlmodel import Field, SQLModel

from app.models.base import MAX_INT, STRICT_BODY, UTCDateTime, utcnow


class Kind(StrEnum):
    mention = "mention"
    reply = "reply"
    suggestion = "suggestion"  # a suggestion on text one wrote
    decision = "decision"  # the decision on one's own suggestion
    round_opened = "round_opened"
    round_reminder = "round_reminder"
    round_closed = "round_closed"
    publication = "publication"
    invitation = "invitation"


class Delivery(StrEnum):
    now = "now"  # an email at once (the default)
    digest = "digest"  # in the daily digest
    off = "off"  # no email; the app still shows it


class MailState(StrEnum):
    none = "none"  # not mailed: mail is off, or so is this kind for this person
    queued = "queued"  # its own email is in the outbox
    digest = "digest"  # waits for the next daily digest
    digested = "digested"  # went out in a digest


UNREAD = text("read_at IS NULL")
DIGEST = text("mail = 'digest'")


class Notification(SQLModel, table=True):
    __table_args__ = (
        # Something told once per person: a reminder, a round's "remind everyone" of the day.
        Index("uq_notification_once", "user_id", "once", unique=True),
        Index(
            "ix_notification_unread",
            "user_id",
            sqlite_where=UNREAD,
            postgresql_where=UNREAD,
        ),
        Index("ix_notification_digest", "user_id", sqlite_where=DIGEST, postgresql_where=DIGEST),
    )

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    statement_id: int | None = Field(default=None, foreign_key="statement.id", ondelete="CASCADE")
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    kind: Kind = Field(sa_type=String(20))
    title: str = Field(max_length=400)
    body: str = Field(default="", sa_type=Text)
    path: str = Field(max_length=400)  # where it points, on this site: /statements/3#thread-5
    once: str | None = Field(default=None, max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    mail: MailState = Field(default=MailState.none, sa_type=String(10))
    base_url: str = Field(default="", max_length=400)  # for the links of a later digest


class NotificationPreference(SQLModel, table=True):
    __tablename__ = "notification_preference"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    kind: Kind = Field(sa_type=String(20), primary_key=True)
    delivery: Delivery = Field(sa_type=String(10))


class DigestSchedule(SQLModel, table=True):
    """When someone's daily digest goes out: an hour of their day, in their time zone."""

    __tablename__ = "digest_schedule"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    hour: int = 8
    time_zone: str = Field(default="UTC", max_length=64)
    last_sent_on: date | None = None  # their local day it last went out


class Unsubscribe(SQLModel, table=True):
    """The link in one email that turns its kind off for its recipient. Only the token's hash
    is kept; the token itself is in the email alone."""

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    kind: str = Field(sa_type=String(20))  # a Kind, or "digest" for every kind digested
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OutboxMessage(SQLModel, table=True):
    """An email to send, written in the transaction of what it tells and sent by whichever
    worker claims it first. Its text is final when written: the sender only delivers."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        Index(
            "ix_mail_outbox_due",
            "due_at",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
    )

    id: int = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=320)
    subject: str = Field(max_length=400)
    text_body: str = Field(sa_type=Text)
    html_body: str = Field(sa_type=Text)
    unsubscribe_url: str = Field(default="", max_length=600)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    due_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = 0
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str = Field(default="", max_length=40)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    given_up_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # refused for good
    last_error: str = Field(default="", max_length=500)


class NotificationPublic(SQLModel):
    id: int
    kind: Kind
    title: str
    body: str
    path: str = PydanticField(description="Where it points, on this site")
    statement_id: int | None
    statement_title: str | None = PydanticField(default=None, description="Its statement's title")
    actor: str | None = PydanticField(description="Who did it, if someone did")
    created_at: datetime
    read_at: datetime | None


class Notifications(SQLModel):
    """A page of someone's notifications, newest first, and how many are unread in all."""

    data: list[NotificationPublic]
    count: int = PydanticField(description="Unread notifications in all")


class ReadMarks(SQLModel):
    """Which notifications to mark read: `ids`, or `all`."""

    model_config = STRICT_BODY

    ids: list[Annotated[int, PydanticField(ge=1, le=MAX_INT)]] | None = PydanticField(
        default=None, max_length=500
    )
    all: bool = False

    @model_validator(mode="after")
    def _one(self) -> "ReadMarks":
        if (self.ids is None) == (not self.all):
            raise ValueError("Give either ids or all: true.")
        return self


class Unread(SQLModel):
    count: int


class KindChoice(SQLModel):
    kind: Kind
    label: str
    delivery: Delivery


class Preferences(SQLModel):
    """How someone is told: by kind, and when their daily digest goes out."""

    mail: bool = PydanticField(description="Whether this server sends email at all")
    kinds: list[KindChoice]
    digest_hour: int
    time_zone: str


class PreferencesUpdate(SQLModel):
    model_config = STRICT_BODY

    kinds: dict[Kind, Delivery] | None = None
    digest_hour: int | None = PydanticField(default=None, ge=0, le=23)
    time_zone: str | None = PydanticField(default=None, max_length=64)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in available_timezones():
            raise ValueError(f"{value!r} is not a time zone this server knows, like Europe/Oslo.")
        return value
