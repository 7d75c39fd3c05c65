"""Who takes part in a statement, in which role, and what each role may do."""

from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import STRICT_BODY, UTCDateTime, strip_text, utcnow


class Role(StrEnum):
    facilitator = "facilitator"
    editor = "editor"
    reviewer = "reviewer"
    viewer = "viewer"


class Permission(StrEnum):
    read = "read"  # the draft, history, versions, diffs, comments
    edit = "edit"  # the live draft; save a version
    comment = "comment"  # comment; record a stance
    manage = "manage"  # invite, change roles, settings, open review, publish


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.facilitator: frozenset(Permission),
    Role.editor: frozenset({Permission.read, Permission.edit, Permission.comment}),
    Role.reviewer: frozenset({Permission.read, Permission.comment}),
    Role.viewer: frozenset({Permission.read}),
}


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("statement_id", "user_id"),)

    id: int = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    role: Role = Field(sa_type=String(20))
    # The organisation this person speaks for in this statement (quorum rules count these).
    organisation: str = Field(default="", max_length=200)
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[Role(self.role)]


class MemberPublic(SQLModel):
    user_id: int
    name: str
    organisation: str
    role: Role
    joined_at: datetime
    colour: str = Field(description="Their colour for carets and authorship")


class MemberUpdate(SQLModel):
    model_config = STRICT_BODY
    _strip = field_validator("organisation", mode="before")(strip_text)

    role: Role | None = None
    organisation: str | None = Field(default=None, max_length=200)
