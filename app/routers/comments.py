"""Comment threads on passages of the live draft or of a version."""

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel
from sqlmodel import Session

from app.deps import (
    STATEMENT_REFUSALS,
    CommentAccess,
    PathId,
    ReadAccess,
    SessionDep,
    SettingsDep,
    StatementAccess,
)
from app.errors import Invalid, refusals
from app.models.base import Listing
from app.models.comment import CommentCreate, CommentPublic, ThreadCreate, ThreadPublic
from app.models.membership import Permission
from app.routers.events import announce
from app.services import comments

VERSION_NUMBER = re.compile(r"^[0-9]{1,9}$")  # short of the largest stored number
router = APIRouter(
    prefix="/api/statements/{statement_id}",
    tags=["comments"],
    responses=STATEMENT_REFUSALS,
)


class EarlierWording(BaseModel):
    body: str
    written_at: str


def _thread(session: Session, statement_id: int, thread_id: int) -> ThreadPublic:
    (found,) = comments.list_threads(
        session=session,
        statement_id=statement_id,
        version=None,
        everything=False,
        thread_id=thread_id,
    )
    return found


@router.get("/threads", response_model=Listing[ThreadPublic])
def list_threads(
    access: ReadAccess,
    session: SessionDep,
    version: Annotated[
        str, Query(description="`live` (the default), a version number, or `all`")
    ] = "live",
    suggestions: Annotated[
        bool, Query(description="The threads that discuss suggestions instead (`version=all`)")
    ] = False,
) -> Listing[ThreadPublic]:
    """Threads in the order of their passages, live-draft passages brought up to the head."""
    everything = version == "all"
    number = None
    if not everything and version != "live":
        if not VERSION_NUMBER.match(version):
            raise Invalid("version is `live`, `all` or a version number.")
        number = int(version)
    found = comments.list_threads(
        session=session,
        statement_id=access.statement_id,
        version=number,
        everything=everything,
        of_suggestions=suggestions,
    )
    return Listing.of(found)


@router.post(
    "/threads",
    response_model=ThreadPublic,
    status_code=status.HTTP_201_CREATED,
    responses=refusals(400, 413),
)
def start_thread(
    body: ThreadCreate,
    access: CommentAccess,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> ThreadPublic:
    """Comment on the passage [start, end) of the live draft at `rev` (default the head), or of
    version `version`."""
    thread = comments.start_thread(
        session=session,
        settings=settings,
        statement_id=access.statement_id,
        thread_in=body,
        author=access.user,
    )
    session.commit()
    announce(request, access.statement_id, "comment.created", thread=thread.id)
    return _thread(session, access.statement_id, thread.id)


@router.post(
    "/threads/{thread_id}/comments",
    response_model=CommentPublic,
    status_code=status.HTTP_201_CREATED,
    responses=refusals(400, 413),
)
def reply(
    thread_id: PathId,
    body: CommentCreate,
    access: CommentAccess,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> CommentPublic:
    """Answer in a thread."""
    thread = comments.find_thread(
        session=session, statement_id=access.statement_id, thread_id=thread_id
    )
    comment = comments.reply(
        session=session, settings=settings, thread=thread, body=body.body, author=access.user
    )
    session.commit()
    announce(request, access.statement_id, "comment.created", thread=thread.id)
    return _comment(session, access.statement_id, comment.id)


def _comment(session: Session, statement_id: int, comment_id: int) -> CommentPublic:
    comment = comments.find_comment(
        session=session, statement_id=statement_id, comment_id=comment_id
    )
    thread = _thread(session, statement_id, comment.thread_id)
    return next(c for c in thread.comments if c.id == comment_id)


@router.patch(
    "/comments/{comment_id}", response_model=CommentPublic, responses=refusals(400, 409, 413)
)
def edit_comment(
    comment_id: PathId,
    body: CommentCreate,
    access: CommentAccess,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> CommentPublic:
    """Change one's own comment; the earlier wording is kept."""
    comment = comments.find_comment(
        session=session, statement_id=access.statement_id, comment_id=comment_id
    )
    comments.edit(
        session=session, settings=settings, comment=comment, body=body.body, editor=access.user
    )
    session.commit()
    announce(request, access.statement_id, "comment.edited", thread=comment.thread_id)
    return _comment(session, access.statement_id, comment_id)


@router.get("/comments/{comment_id}/edits", response_model=Listing[EarlierWording])
def comment_edits(
    comment_id: PathId, access: ReadAccess, session: SessionDep
) -> Listing[EarlierWording]:
    """A comment's earlier wordings, oldest first."""
    comment = comments.find_comment(
        session=session, statement_id=access.statement_id, comment_id=comment_id
    )
    return Listing.of(
        [
            EarlierWording(body=body, written_at=at.isoformat())
            for body, at in comments.earlier_wordings(session=session, comment=comment)
        ]
    )


@router.delete(
    "/comments/{comment_id}", status_code=status.HTTP_204_NO_CONTENT, responses=refusals(409)
)
def delete_comment(
    comment_id: PathId, access: CommentAccess, session: SessionDep, request: Request
) -> None:
    """Delete a comment (its author, or a facilitator): the thread keeps a tombstone."""
    comment = comments.find_comment(
        session=session, statement_id=access.statement_id, comment_id=comment_id
    )
    comments.delete(
        session=session,
        comment=comment,
        actor=access.user,
        may_moderate=access.membership.can(Permission.manage),
    )
    session.commit()
    announce(request, access.statement_id, "comment.deleted", thread=comment.thread_id)


@router.post("/threads/{thread_id}/resolve", response_model=ThreadPublic)
def resolve(
    thread_id: PathId, access: CommentAccess, session: SessionDep, request: Request
) -> ThreadPublic:
    """Mark a thread resolved (who and when are kept)."""
    return _resolve(thread_id, access, session, request, resolved=True)


@router.post("/threads/{thread_id}/reopen", response_model=ThreadPublic)
def reopen(
    thread_id: PathId, access: CommentAccess, session: SessionDep, request: Request
) -> ThreadPublic:
    """Open a resolved thread again."""
    return _resolve(thread_id, access, session, request, resolved=False)


def _resolve(
    thread_id: int,
    access: StatementAccess,
    session: Session,
    request: Request,
    *,
    resolved: bool,
) -> ThreadPublic:
    thread = comments.find_thread(
        session=session, statement_id=access.statement_id, thread_id=thread_id
    )
    comments.set_resolved(session=session, thread=thread, actor=access.user, resolved=resolved)
    session.commit()
    event = "thread.resolved" if resolved else "thread.reopened"
    announce(request, access.statement_id, event, thread=thread.id)
    return _thread(session, access.statement_id, thread.id)
