"""Every table, imported here so that the metadata (and Alembic) sees them all."""

from app.models.audit import AuditEvent
from app.models.auth import ApiToken, SignInAttempt, UserSession
from app.models.authorship import AuthorshipSnapshot
from app.models.comment import Comment, CommentEdit, Thread
from app.models.invitation import Invitation
from app.models.membership import Membership, Permission, Role
from app.models.notification import (
    DigestSchedule,
    Notification,
    NotificationPreference,
    OutboxMessage,
    Unsubscribe,
)
from app.models.operation import Operation, Snapshot
from app.models.publication import Publication, PublishedAddress
from app.models.review import ReviewRound, Stance
from app.models.section import SectionLayout, SectionLock
from app.models.statement import Statement
from app.models.suggestion import Suggestion
from app.models.suggestion_vote import SuggestionVote
from app.models.user import User
from app.models.version import Version

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuthorshipSnapshot",
    "Comment",
    "CommentEdit",
    "DigestSchedule",
    "Invitation",
    "Membership",
    "Notification",
    "NotificationPreference",
    "Operation",
    "OutboxMessage",
    "Permission",
    "Publication",
    "PublishedAddress",
    "ReviewRound",
    "Role",
    "SectionLayout",
    "SectionLock",
    "SignInAttempt",
    "Snapshot",
    "Stance",
    "Statement",
    "Suggestion",
    "SuggestionVote",
    "Thread",
    "Unsubscribe",
    "User",
    "UserSession",
    "Version",
]
