"""The facilitator's cockpit of a statement: what still stands between it and agreement."""

from fastapi import APIRouter

from app.deps import STATEMENT_REFUSALS, ManageAccess, PathId, SessionDep
from app.errors import refusals
from app.models.base import utcnow
from app.models.cockpit import Cockpit, Reminders
from app.services import cockpit, reviews

router = APIRouter(
    prefix="/api/statements/{statement_id}",
    tags=["review"],
    responses=STATEMENT_REFUSALS,
)


@router.get("/cockpit", response_model=Cockpit)
def read_cockpit(access: ManageAccess, session: SessionDep) -> Cockpit:
    """Who has not responded in the open round, by organisation; the blocks and requests for
    changes; the unresolved threads of each section; the open suggestions; and what closes
    when (facilitators)."""
    reviews.close_if_due(session=session, statement=access.statement)
    found = cockpit.gather(session=session, statement_id=access.statement_id, now=utcnow())
    session.commit()  # sections named for the first time are kept
    return found


@router.post("/rounds/{round_id}/remind", response_model=Reminders, responses=refusals(409))
def remind(round_id: PathId, access: ManageAccess, session: SessionDep) -> Reminders:
    """Email everyone who has not responded in the open round, at most once a day each
    (facilitators); 409 once the round is closed."""
    reviews.close_if_due(session=session, statement=access.statement)
    review = reviews.find_round(
        session=session, statement_id=access.statement_id, round_id=round_id
    )
    found = cockpit.remind(
        session=session, statement=access.statement, review=review, actor=access.user
    )
    session.commit()
    return found
