"""Amendments: a facilitator puts a suggestion to the group's vote, and closes the vote."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from sqlalchemy import Engine
from sqlmodel import Field, Session, SQLModel

from app.collab.hub import Hub
from app.deps import (
    STATEMENT_REFUSALS,
    CommentAccess,
    ManageAccess,
    PathId,
    ReadAccess,
    SessionDep,
    StatementAccess,
    require,
)
from app.errors import refusals
from app.models.base import Listing
from app.models.membership import Permission
from app.models.statement import Statement
from app.models.suggestion import Suggestion, SuggestionPublic, SuggestionStatus
from app.models.suggestion_vote import VoteCreate, VotePublic, VoteTally
from app.models.user import User
from app.routers.events import announce
from app.services import accepting, suggestion_votes, suggestions

router = APIRouter(
    prefix="/api/statements/{statement_id}/suggestions/{suggestion_id}",
    tags=["suggestions"],
    responses=STATEMENT_REFUSALS,
)
# Closing waits on the room to apply an adopted suggestion: it holds no connection meanwhile.
WaitingManageAccess = Annotated[StatementAccess, Depends(require(Permission.manage, release=True))]


class VoteClosed(SQLModel):
    status: SuggestionStatus = Field(description="accepted (adopted) or rejected")
    tally: VoteTally
    suggestion: SuggestionPublic


def _find(session: Session, statement_id: int, suggestion_id: int) -> Suggestion:
    return suggestions.find(session=session, statement_id=statement_id, suggestion_id=suggestion_id)


def _public(session: Session, statement_id: int, suggestion_id: int) -> SuggestionPublic:
    found = _find(session, statement_id, suggestion_id)
    session.refresh(found)
    return suggestions.public(session=session, suggestion=found)


def _told(
    request: Request, statement_id: int, event: str, shown: SuggestionPublic
) -> SuggestionPublic:
    """Tell the open pages, with the suggestion as it is now, from a worker thread."""
    announce(request, statement_id, event, suggestion=shown.model_dump(mode="json"))
    return shown


@router.post("/vote", response_model=SuggestionPublic, responses=refusals(409))
def open_vote(
    suggestion_id: PathId, access: ManageAccess, session: SessionDep, request: Request
) -> SuggestionPublic:
    """Put an open suggestion to the group's vote, as an amendment."""
    found = _find(session, access.statement_id, suggestion_id)
    suggestion_votes.open_vote(session=session, suggestion=found, actor=access.user)
    session.commit()
    shown = _public(session, access.statement_id, found.id)
    return _told(request, access.statement_id, "suggestion.updated", shown)


@router.post(
    "/votes",
    response_model=VotePublic,
    status_code=status.HTTP_201_CREATED,
    responses=refusals(400, 409),
)
def cast_vote(
    suggestion_id: PathId,
    body: VoteCreate,
    access: CommentAccess,
    session: SessionDep,
    request: Request,
) -> VotePublic:
    """Support, oppose or abstain on a suggestion put to the vote, with a reason if you like;
    a later vote replaces your earlier one, which is kept."""
    found = _find(session, access.statement_id, suggestion_id)
    vote = suggestion_votes.cast(
        session=session,
        suggestion=found,
        vote_in=body,
        user=access.user,
        membership=access.membership,
    )
    session.commit()
    _told(
        request,
        access.statement_id,
        "suggestion.voted",
        _public(session, access.statement_id, found.id),
    )
    return VotePublic(
        user_id=vote.user_id,
        name=access.user.name,
        organisation=vote.organisation,
        kind=vote.kind,
        reason=vote.reason,
        recorded_at=vote.recorded_at,
    )


@router.get("/votes", response_model=Listing[VotePublic])
def list_votes(
    suggestion_id: PathId, access: ReadAccess, session: SessionDep
) -> Listing[VotePublic]:
    """Where each voter stands now on a suggestion, in the order they first voted."""
    found = _find(session, access.statement_id, suggestion_id)
    return Listing.of(suggestion_votes.current_votes(session=session, suggestion_id=found.id))


@router.post("/vote/close", response_model=VoteClosed, responses=refusals(409, 503))
async def close_vote(
    suggestion_id: PathId, access: WaitingManageAccess, request: Request
) -> VoteClosed:
    """Close the vote: adopted under the statement's approval rule, the suggestion is applied
    to the live draft; otherwise it is rejected. The tally is kept with it."""
    engine: Engine = request.app.state.engine
    hub: Hub = request.app.state.hub
    statement_id = access.statement_id
    counted = await asyncio.to_thread(_closing, engine, statement_id, suggestion_id, access.user)
    if counted.adopted:
        try:
            await accepting.accept(
                engine,
                hub,
                statement_id=statement_id,
                suggestion_id=suggestion_id,
                actor=access.user,
                from_status=SuggestionStatus.voting,
            )
        except Exception:
            await asyncio.to_thread(_released, engine, suggestion_id)
            raise
        await asyncio.to_thread(_adopted, engine, statement_id, suggestion_id, access.user, counted)
    public = await asyncio.to_thread(_read, engine, statement_id, suggestion_id)
    hub.announce(statement_id, "suggestion.updated", suggestion=public.model_dump(mode="json"))
    return VoteClosed(status=SuggestionStatus(public.status), tally=counted, suggestion=public)


def _closing(engine: Engine, statement_id: int, suggestion_id: int, actor: User) -> VoteTally:
    with Session(engine) as session:
        statement = session.get(Statement, statement_id)
        assert statement is not None
        found = _find(session, statement_id, suggestion_id)
        counted = suggestion_votes.close(
            session=session, statement=statement, suggestion=found, actor=actor
        )
        session.commit()
        return counted


def _released(engine: Engine, suggestion_id: int) -> None:
    with Session(engine) as session:
        suggestion_votes.release(session=session, suggestion_id=suggestion_id)


def _adopted(
    engine: Engine, statement_id: int, suggestion_id: int, actor: User, counted: VoteTally
) -> None:
    with Session(engine) as session:
        found = _find(session, statement_id, suggestion_id)
        suggestion_votes.record_closed(
            session=session, suggestion=found, actor=actor, tally=counted
        )
        session.commit()


def _read(engine: Engine, statement_id: int, suggestion_id: int) -> SuggestionPublic:
    with Session(engine) as session:
        return _public(session, statement_id, suggestion_id)
