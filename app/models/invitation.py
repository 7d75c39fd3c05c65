"""Invitation links: a random token, stored only as its hash, that admits someone in a role."""

from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.models.base import STRICT_BODY, UTCDateTime, strip_text, utcnow
from app.models.membership import Role
from app.models.user import normalise_email


class InvitationStatus(StrEnum):
    active = "active"
    used = "used"
    expired = "expired"
    revoked = "revoked"


class Invitation(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    role: Role = Field(sa_type=String(20))
    label: str = Field(default="", max_length=200)
    max_uses: int = 1
    use_count: int = 0
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def status(self, now: datetime) -> InvitationStatus:
        if self.revoked_at is not None:
            return InvitationStatus.revoked
        if self.use_count >= self.max_uses:
            return InvitationStatus.used
        if self.expires_at <= now:
            return InvitationStatus.expired
        return InvitationStatus.active


class InvitationCreate(SQLModel):
    model_config = STRICT_BODY
    _strip = field_validator("label", mode="before")(strip_text)

    role: Role
    label: str = Field(default="", max_length=200, description="Who the link is for.")
    max_uses: int = Field(default=1, ge=1, le=500)
    expires_in_days: int | None = Field(default=None, ge=1, le=365)
    email: str | None = Field(
        default=None, max_length=320, description="Send the link to this address by email."
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return normalise_email(value) if value is not None else None


class InvitationPublic(SQLModel):
    id: int
    role: Role
    label: str
    max_uses: int
    use_count: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    status: InvitationStatus


class InvitationCreated(InvitationPublic):
    token: str
    url: str
    emailed_to: str | None = Field(
        default=None,
        description="The address the link was sent to; null when none was given, or when "
        "this server does not send email",
    )


class InvitationPreview(SQLModel):
    """What the holder of a link may see before accepting it."""

    statement_id: int
    statement_title: str
    role: Role
    invited_by: str
    expires_at: datetime
    status: InvitationStatus


class InvitationAccept(SQLModel):
    """Empty when a signed-in user joins as themself; otherwise the new account's fields."""

    model_config = STRICT_BODY
    _strip = field_validator("name", "organisation", "email", mode="before")(strip_text)

    name: str | None = Field(default=None, min_length=1, max_length=120)
    organisation: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    password: str | None = Field(default=None, max_length=1024)
