"""Versions of a statement: save, list, read, and restore one into the live draft."""

import asyncio

from fastapi import APIRouter, Request, status
from sqlalchemy import Engine
from sqlmodel import Session

from app.collab.answers import http_error
from app.collab.change import Sent
from app.collab.diffing import operation_between
from app.collab.hub import Hub, api_client_id
from app.collab.members import Author
from app.collab.ops import is_noop
from app.collab.refusals import Refusal
from app.deps import (
    STATEMENT_REFUSALS,
    EditAccess,
    PathId,
    ReadAccess,
    SessionDep,
    WaitingEditAccess,
)
from app.errors import refusals
from app.models.base import Listing
from app.models.user import User
from app.models.version import Restored, VersionCreate, VersionPublic, VersionSummary
from app.routers.events import announce
from app.services import audit, members, sections, versions
from app.services.text import text_at

router = APIRouter(
    prefix="/api/statements/{statement_id}/versions",
    tags=["versions"],
    responses=STATEMENT_REFUSALS,
)


@router.get("", response_model=Listing[VersionSummary])
def list_versions(access: ReadAccess, session: SessionDep) -> Listing[VersionSummary]:
    """Every version of the statement, newest first (without their texts)."""
    return Listing.of(versions.list_versions(session=session, statement_id=access.statement_id))


@router.post(
    "",
    response_model=VersionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=refusals(400, 409, 413),
)
def save_version(
    body: VersionCreate, access: EditAccess, session: SessionDep, request: Request
) -> VersionPublic:
    """Freeze the live text (or the text at `rev`) as the next version."""
    version = versions.save_version(
        session=session, statement_id=access.statement_id, version_in=body, author=access.user
    )
    session.commit()
    session.refresh(version)
    # Its sections are named after the draft's as they stand now, so their ids go on.
    sections.draft(session=session, statement_id=access.statement_id)
    sections.keep_version(session=session, version=version)
    session.commit()
    saved = {"number": version.number, "name": version.name}
    announce(request, access.statement_id, "version.saved", version=saved)
    return versions.to_public(session=session, version=version)


@router.get("/{number}", response_model=VersionPublic)
def read_version(number: PathId, access: ReadAccess, session: SessionDep) -> VersionPublic:
    """One version with its text."""
    version = versions.find_version(
        session=session, statement_id=access.statement_id, number=number
    )
    return versions.to_public(session=session, version=version)


@router.post("/{number}/restore", response_model=Restored, responses=refusals(409, 413, 503))
async def restore_version(number: PathId, access: WaitingEditAccess, request: Request) -> Restored:
    """Bring a version's text back into the live draft as a new change, which everyone sees,
    anyone can undo, and the history keeps. Edits made meanwhile are merged, not lost."""
    engine: Engine = request.app.state.engine
    hub: Hub = request.app.state.hub
    head_rev, op = await asyncio.to_thread(_restoring, engine, access.statement_id, number)
    if is_noop(op):
        return Restored(rev=head_rev)  # the draft already reads as the version does
    author = Author.of(members.profile(access.user, access.membership))
    async with hub.room_for_api(access.statement_id, head_rev) as room:
        try:
            rev = (await room.submit(author, api_client_id(), 1, Sent(head_rev, op))).change.rev
        except Refusal as refusal:
            raise http_error(refusal) from None
    await asyncio.to_thread(_record_restore, engine, access.statement_id, access.user, number, rev)
    hub.announce(access.statement_id, "version.restored", version={"number": number}, rev=rev)
    return Restored(rev=rev)


def _restoring(engine: Engine, statement_id: int, number: int) -> tuple[int, list[int | str]]:
    """The head revision, and the change that turns its text into the version's."""
    with Session(engine) as session:
        version = versions.find_version(session=session, statement_id=statement_id, number=number)
        head = text_at(session=session, statement_id=statement_id)
        return head.rev, operation_between(head.text, version.text)


def _record_restore(engine: Engine, statement_id: int, user: User, number: int, rev: int) -> None:
    with Session(engine) as session:
        audit.record(
            session=session,
            statement_id=statement_id,
            actor=user,
            kind="version.restored",
            number=number,
            rev=rev,
        )
        session.commit()
