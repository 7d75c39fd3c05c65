"""Suggested changes: propose one contiguous change on the live draft, and list them."""

from fastapi import APIRouter, Request, status

from app.deps import STATEMENT_REFUSALS, CommentAccess, ReadAccess, SessionDep, SettingsDep
from app.errors import refusals
from app.models.base import Listing
from app.models.suggestion import SuggestionCreate, SuggestionPublic, SuggestionStatus
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
