"""Sign-in sessions, personal API tokens and the record of sign-in attempts."""

from datetime import datetime

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from app.models.base import STRICT_BODY, UTCDateTime, strip_text, utcnow


class UserSession(SQLModel, table=True):
    """A browser session; the cookie holds a secret whose SHA-256 is stored here."""

    __tablename__ = "user_session"

    id: int = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=300)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SignInAttempt(SQLModel, table=True):
    """Failed sign-ins, kept for the rate limit window; shared by every worker."""

    __tablename__ = "sign_in_attempt"

    id: int = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, index=True)
    client_ip: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class SignIn(SQLModel):
    model_config = STRICT_BODY

    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class ApiTokenCreate(SQLModel):
    model_config = STRICT_BODY
    _strip = field_validator("name", mode="before")(strip_text)

    name: str = Field(min_length=1, max_length=100)


class ApiTokenPublic(SQLModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenPublic):
    token: str
