"""Review rounds on a version: open, read with the tally, record a stance, close."""

from fastapi import APIRouter, Request, status

from app.deps import (
    STATEMENT_REFUSALS,
    CommentAccess,
    ManageAccess,
    PathId,
    ReadAccess,
    SessionDep,
)
from app.errors import refusals
from app.models.base import Listing
from app.models.review import RoundCreate, RoundPublic, StanceCreate
from app.routers.events import announce
from app.services import carry_over, reviews

router = APIRouter(
    prefix="/api/statements/{statement_id}/rounds",
    tags=["review"],
    responses=STATEMENT_REFUSALS,
)


@router.get("", response_model=Listing[RoundPublic])
def list_rounds(access: ReadAccess, session: SessionDep) -> Listing[RoundPublic]:
    """Every review round, newest first, each with its participants, tally and stances."""
    reviews.close_if_due(session=session, statement=access.statement)
    return Listing.of(reviews.list_rounds(session=session, statement_id=access.statement_id))


@router.post(
    "",
    response_model=RoundPublic,
    status_code=status.HTTP_201_CREATED,
    responses=refusals(400, 409, 413),
)
def open_round(
    body: RoundCreate, access: ManageAccess, session: SessionDep, request: Request
) -> RoundPublic:
    """Open a review round on a version (facilitators); one round is open at a time."""
    review = reviews.open_round(
        session=session, statement=access.statement, round_in=body, actor=access.user
    )
    carry_over.carry(session=session, review=review)
    session.commit()
    announce(request, access.statement_id, "round.opened", round=review.id)
    return reviews.describe(session=session, review=review)


@router.get("/{round_id}", response_model=RoundPublic)
def read_round(round_id: PathId, access: ReadAccess, session: SessionDep) -> RoundPublic:
    """One round: who has a say, where each stands, the tally, and what is still missing."""
    reviews.close_if_due(session=session, statement=access.statement)
    review = reviews.find_round(
        session=session, statement_id=access.statement_id, round_id=round_id
    )
    return reviews.describe(session=session, review=review)


@router.post(
    "/{round_id}/stances",
    response_model=RoundPublic,
    status_code=status.HTTP_201_CREATED,
    responses=refusals(400, 409, 413),
)
def record_stance(
    round_id: PathId,
    body: StanceCreate,
    access: CommentAccess,
    session: SessionDep,
    request: Request,
) -> RoundPublic:
    """Approve, abstain, request changes or block (the last two with a reason); a new stance
    supersedes one's earlier one in the round, which is kept."""
    reviews.close_if_due(session=session, statement=access.statement)
    review = reviews.find_round(
        session=session, statement_id=access.statement_id, round_id=round_id
    )
    reviews.record_stance(
        session=session,
        review=review,
        stance_in=body,
        user=access.user,
        membership=access.membership,
    )
    session.commit()
    announce(request, access.statement_id, "stance.recorded", round=review.id)
    return reviews.describe(session=session, review=review)


@router.post("/{round_id}/close", response_model=RoundPublic, responses=refusals(409))
def close_round(
    round_id: PathId, access: ManageAccess, session: SessionDep, request: Request
) -> RoundPublic:
    """Close the round (facilitators): the version is approved if the rule holds."""
    review = reviews.find_round(
        session=session, statement_id=access.statement_id, round_id=round_id
    )
    reviews.close_round(
        session=session, statement=access.statement, review=review, actor=access.user
    )
    session.commit()
    announce(request, access.statement_id, "round.closed", round=review.id)
    return reviews.describe(session=session, review=review)
