"""Each suggestion's discussion: its comments, and adding one."""

from fastapi import APIRouter, Request, status
from sqlmodel import Session

from app.deps import (
    STATEMENT_REFUSALS,
    CommentAccess,
    PathId,
    ReadAccess,
    SessionDep,
    SettingsDep,
)
from app.errors import refusals
from app.models.base import Listing
from app.models.comment import CommentCreate, CommentPublic
from app.models.suggestion import Suggestion
from app.routers.events import announce
from app.services import suggestion_threads, suggestions

router = APIRouter(
    prefix="/api/statements/{statement_id}/suggestions/{suggestion_id}/comments",
    tags=["suggestions"],
    responses=STATEMENT_REFUSALS,
)


def _find(session: Session, statement_id: int, suggestion_id: int) -> Suggestion:
    return suggestions.find(session=session, statement_id=statement_id, suggestion_id=suggestion_id)


@router.get("", response_model=Listing[CommentPublic])
def list_suggestion_comments(
    suggestion_id: PathId, access: ReadAccess, session: SessionDep
) -> Listing[CommentPublic]:
    """The discussion of a suggestion, oldest comment first (none before the first)."""
    found = _find(session, access.statement_id, suggestion_id)
    return Listing.of(suggestion_threads.discussion(session=session, suggestion=found))


@router.post(
    "",
    response_model=CommentPublic,
    status_code=status.HTTP_201_CREATED,
    responses=refusals(400, 413),
)
def comment_on_suggestion(
    suggestion_id: PathId,
    body: CommentCreate,
    access: CommentAccess,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> CommentPublic:
    """Say something about a suggestion; the first comment begins its discussion."""
    found = _find(session, access.statement_id, suggestion_id)
    made = suggestion_threads.comment(
        session=session, settings=settings, suggestion=found, body=body.body, author=access.user
    )
    session.commit()
    announce(
        request, access.statement_id, "comment.created", thread=made.thread_id, suggestion=found.id
    )
    # The Suggestions tab shows each discussion; it follows the suggestion events.
    shown = suggestions.public(session=session, suggestion=found)
    announce(
        request,
        access.statement_id,
        "suggestion.discussed",
        suggestion=shown.model_dump(mode="json"),
    )
    said = suggestion_threads.discussion(session=session, suggestion=found)
    return next(c for c in said if c.id == made.id)
