"""Suggested changes: propose one contiguous change on the live draft, and list them."""

from fastapi import APIRouter, Request, status
from sqlmodel import Session

from app.deps import (
    STATEMENT_REFUSALS,
    CommentAccess,
    EditAccess,
    PathId,
    ReadAccess,
    SessionDep,
    SettingsDep,
)
from app.errors import Forbidden, refusals
from app.models.base import Listing
from app.models.suggestion import (
    Decision,
    Suggestion,
    SuggestionCreate,
    SuggestionPublic,
    SuggestionStatus,
)
from app.routers.events import announce
from app.services import suggestions

router = APIRouter(
    prefix="/api/statements/{statement_id}/suggestions",
    tags=["suggestions"],
    responses=STATEMENT_REFUSALS,
)


@router.post(
    "",
    response_model=SuggestionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=refusals(400, 409, 413, 422),
)
def make_suggestion(
    body: SuggestionCreate,
    access: CommentAccess,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> SuggestionPublic:
    """Suggest one contiguous change made on `base_rev` (an operation, or a whole new text),
    without making it. Reviewers, who may comment but not edit, may suggest too."""
    made = suggestions.make(
        session=session,
        settings=settings,
        statement_id=access.statement_id,
        author=access.user,
        suggestion_in=body,
    )
    session.commit()
    announce(request, access.statement_id, "suggestion.created", suggestion=made.id)
    named = suggestions.authors(
        session=session, statement_id=access.statement_id, suggestions=[made]
    )
    return SuggestionPublic.of(made, named[made.author_id])


@router.get("", response_model=Listing[SuggestionPublic])
def list_suggestions(
    access: ReadAccess, session: SessionDep, status: SuggestionStatus | None = None
) -> Listing[SuggestionPublic]:
    """The statement's suggestions where they stand in the live text now, oldest first."""
    found = suggestions.list_suggestions(
        session=session, statement_id=access.statement_id, status=status
    )
    named = suggestions.authors(
        session=session, statement_id=access.statement_id, suggestions=found
    )
    return Listing.of([SuggestionPublic.of(s, named[s.author_id]) for s in found])


def _decided(
    session: Session, request: Request, statement_id: int, suggestion_id: int
) -> SuggestionPublic:
    """Commit a decision, tell the open pages, and answer with the suggestion as it is now."""
    session.commit()
    announce(request, statement_id, "suggestion.updated", suggestion=suggestion_id)
    found = _find(session, statement_id, suggestion_id)
    session.refresh(found)
    named = suggestions.authors(session=session, statement_id=statement_id, suggestions=[found])
    return SuggestionPublic.of(found, named[found.author_id])


def _find(session: Session, statement_id: int, suggestion_id: int) -> Suggestion:
    return suggestions.find(session=session, statement_id=statement_id, suggestion_id=suggestion_id)


@router.post(
    "/{suggestion_id}/reject", response_model=SuggestionPublic, responses=refusals(400, 409)
)
def reject_suggestion(
    suggestion_id: PathId,
    access: EditAccess,
    session: SessionDep,
    request: Request,
    body: Decision | None = None,
) -> SuggestionPublic:
    """Reject an open suggestion, with a reason if given."""
    found = _find(session, access.statement_id, suggestion_id)
    reason = body.reason.strip() if body else ""
    suggestions.decide(
        session=session,
        suggestion=found,
        actor=access.user,
        status=SuggestionStatus.rejected,
        reason=reason,
    )
    return _decided(session, request, access.statement_id, suggestion_id)


@router.post("/{suggestion_id}/withdraw", response_model=SuggestionPublic, responses=refusals(409))
def withdraw_suggestion(
    suggestion_id: PathId, access: CommentAccess, session: SessionDep, request: Request
) -> SuggestionPublic:
    """Withdraw an open suggestion of one's own."""
    found = _find(session, access.statement_id, suggestion_id)
    if found.author_id != access.user.id:
        raise Forbidden("Only its author may withdraw a suggestion.")
    suggestions.decide(
        session=session, suggestion=found, actor=access.user, status=SuggestionStatus.withdrawn
    )
    return _decided(session, request, access.statement_id, suggestion_id)
