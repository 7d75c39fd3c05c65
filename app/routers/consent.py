"""A round, section by section: the consent map, one's own sections with what was carried
over and what changed, and taking a stance on a section back."""

from fastapi import APIRouter, Request, Response, status

from app.deps import STATEMENT_REFUSALS, CommentAccess, PathId, ReadAccess, SessionDep
from app.errors import refusals
from app.models.base import Listing
from app.models.section import Consent, MySection
from app.routers.events import announce
from app.services import carry_over, consent, reviews

router = APIRouter(
    prefix="/api/statements/{statement_id}/rounds/{round_id}",
    tags=["review"],
    responses=STATEMENT_REFUSALS,
)


@router.get("/consent", response_model=Consent)
def read_consent(round_id: PathId, access: ReadAccess, session: SessionDep) -> Consent:
    """Every section of the round's version, everyone's current stance on it, and whether the
    statement's rule holds for it."""
    reviews.close_if_due(session=session, statement=access.statement)
    review = reviews.find_round(
        session=session, statement_id=access.statement_id, round_id=round_id
    )
    found = consent.consent(session=session, review=review)
    session.commit()  # sections named for the first time are kept
    return found


@router.get("/sections", response_model=Listing[MySection])
def my_sections(round_id: PathId, access: ReadAccess, session: SessionDep) -> Listing[MySection]:
    """The sections of the round's version as the caller is asked about them: their stance
    (and whether it was carried over), and the word diff since they last approved each."""
    review = reviews.find_round(
        session=session, statement_id=access.statement_id, round_id=round_id
    )
    found = carry_over.mine(session=session, review=review, user=access.user)
    session.commit()
    return Listing.of(found)


@router.delete(
    "/stances/{section}", status_code=status.HTTP_204_NO_CONTENT, responses=refusals(409)
)
def take_back(
    round_id: PathId, section: str, access: CommentAccess, session: SessionDep, request: Request
) -> Response:
    """Take back one's stance on a section, carried over or not; nothing takes its place."""
    review = reviews.find_round(
        session=session, statement_id=access.statement_id, round_id=round_id
    )
    carry_over.take_back(session=session, review=review, user=access.user, key=section)
    session.commit()
    announce(request, access.statement_id, "stance.recorded", round=review.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
