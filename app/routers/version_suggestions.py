"""The open suggestions that stand on a version, placed in its text."""

from fastapi import APIRouter

from app.deps import STATEMENT_REFUSALS, PathId, ReadAccess, SessionDep
from app.models.base import Listing
from app.models.suggestion import SuggestionPublic
from app.services import standing, suggestions, versions

router = APIRouter(
    prefix="/api/statements/{statement_id}/versions",
    tags=["suggestions"],
    responses=STATEMENT_REFUSALS,
)


@router.get("/{number}/suggestions", response_model=Listing[SuggestionPublic])
def list_version_suggestions(
    number: PathId, access: ReadAccess, session: SessionDep
) -> Listing[SuggestionPublic]:
    """The open and voting suggestions that stand on this version, oldest first, with `start`
    and `end` in code points of the version's text (`rev` is the version's revision): all
    those of the live draft when the version reads as the draft does now, else those whose
    characters the draft has kept unchanged since the version."""
    version = versions.find_version(
        session=session, statement_id=access.statement_id, number=number
    )
    found = standing.on_version(session=session, version=version)
    named = suggestions.authors(
        session=session,
        statement_id=access.statement_id,
        suggestions=[s.suggestion for s in found],
    )
    return Listing.of(
        [
            SuggestionPublic.of(s.suggestion, named).model_copy(
                update={"start": s.start, "end": s.end, "rev": version.rev}
            )
            for s in found
        ]
    )
