"""Accounts: a person with a name and the organisation they speak for."""

import re
from datetime import datetime

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from app.models.base import STRICT_BODY, UTCDateTime, strip_text, utcnow

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


def normalise_email(value: str) -> str:
    """Lower-case and check an email address, raising ValueError when it is not one."""
    email = value.strip().lower()
    if len(email) > 320 or not EMAIL_PATTERN.match(email):
        raise ValueError("Enter a valid email address, like name@example.org.")
    return email


class UserBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)
    organisation: str = Field(default="", max_length=200)


class User(UserBase, table=True):
    id: int = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    password_hash: str = Field(max_length=255)
    disabled: bool = False
    # A site administrator may disable and enable accounts and name other administrators.
    admin: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserPublic(UserBase):
    id: int
    email: str
    admin: bool = False


class Account(UserPublic):
    """An account as a site administrator sees it."""

    disabled: bool
    created_at: datetime


class AccountChange(SQLModel):
    """What a site administrator may change about someone else's account."""

    model_config = STRICT_BODY

    disabled: bool | None = None
    admin: bool | None = None


class UserUpdate(SQLModel):
    model_config = STRICT_BODY
    _strip = field_validator("name", "organisation", mode="before")(strip_text)

    name: str | None = Field(default=None, min_length=1, max_length=120)
    organisation: str | None = Field(default=None, max_length=200)


class NewAccount(UserBase):
    """The fields that make an account; the password is checked, then only its hash is kept."""

    model_config = STRICT_BODY
    _strip = field_validator("name", "organisation", mode="before")(strip_text)

    email: str
    password: str = Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)


class PasswordChange(SQLModel):
    model_config = STRICT_BODY

    current_password: str = Field(max_length=MAX_PASSWORD)
    new_password: str = Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)
