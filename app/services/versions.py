"""Versions: freeze the text at a revision under the next number; list and read them.

A version is written once and never changed: there is no update or delete here or in the API.
"""

import hashlib

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models.user import User
from app.models.version import Version, VersionAuthor, VersionCreate, VersionPublic, VersionSummary
from app.services import audit
from app.services.statements import hold_statement
from app.services.text import text_at


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def save_version(
    *, session: Session, statement_id: int, version_in: VersionCreate, author: User
) -> Version:
    """Freeze the text at `version_in.rev` (default the head) as the next version."""
    frozen = text_at(session=session, statement_id=statement_id, rev=version_in.rev)
    # Versions saved at once take turns, each numbered after the one before.
    hold_statement(session=session, statement_id=statement_id)
    last = session.exec(
        select(func.max(Version.number)).where(Version.statement_id == statement_id)
    ).one()
    version = Version(
        statement_id=statement_id,
        number=(last or 0) + 1,
        name=version_in.name,
        note=version_in.note,
        rev=frozen.rev,
        text=frozen.text,
        content_hash=content_hash(frozen.text),
        created_by=author.id,
    )
    session.add(version)
    session.flush()
    audit.record(
        session=session,
        statement_id=statement_id,
        actor=author,
        kind="version.saved",
        number=version.number,
        name=version.name,
        rev=version.rev,
    )
    return version


def find_version(*, session: Session, statement_id: int, number: int) -> Version:
    version = session.exec(
        select(Version).where(Version.statement_id == statement_id, Version.number == number)
    ).first()
    if version is None:
        raise NotFound(f"This statement has no version {number}.")
    return version


def list_versions(*, session: Session, statement_id: int) -> list[VersionSummary]:
    """Every version, newest first."""
    rows = session.exec(
        select(Version, User)
        .join(User, col(User.id) == Version.created_by, isouter=True)
        .where(Version.statement_id == statement_id)
        .order_by(col(Version.number).desc())
    ).all()
    return [summary(version, user) for version, user in rows]


def summary(version: Version, user: User | None) -> VersionSummary:
    return VersionSummary(
        number=version.number,
        name=version.name,
        note=version.note,
        rev=version.rev,
        content_hash=version.content_hash,
        characters=len(version.text),
        created_by=VersionAuthor(
            id=user.id if user else None, name=user.name if user else "a former member"
        ),
        created_at=version.created_at,
    )


def to_public(*, session: Session, version: Version) -> VersionPublic:
    user = session.get(User, version.created_by) if version.created_by else None
    return VersionPublic(**summary(version, user).model_dump(), text=version.text)
