"""Suggested changes: propose one contiguous change on the live draft, list them, decide."""

import asyncio

from fastapi import APIRouter, Request, status
from sqlalchemy import Engine
from sqlmodel import Session

from app.collab.hub import Hub
from app.deps import (
    STATEMENT_REFUSALS,
    CommentAccess,
    EditAccess,
    PathId,
    ReadAccess,
    SessionDep,
    SettingsDep,
    StatementAccess,
    WaitingEditAccess,
)
from app.errors import AccordError, Forbidden, NotFound, refusals
from app.models.base import Listing
from app.models.membership import Role
from app.models.statement import Deciders
from app.models.suggestion import (
    BulkAccept,
    Decision,
    Outcome,
    Suggestion,
    SuggestionCreate,
    SuggestionPublic,
    SuggestionStatus,
)
from app.routers.events import announce
from app.services import accepting, suggestions

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
    shown = suggestions.public(session=session, suggestion=made)
    announce(
        request, access.statement_id, "suggestion.created", suggestion=shown.model_dump(mode="json")
    )
    return shown


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
    now = suggestions.reading_now(session=session, statement_id=access.statement_id, found=found)
    return Listing.of([SuggestionPublic.of(s, named, now.get(s.id)) for s in found])


def _decided(
    session: Session, request: Request, statement_id: int, suggestion_id: int
) -> SuggestionPublic:
    """Commit a decision, tell the open pages, and answer with the suggestion as it is now."""
    session.commit()
    found = _find(session, statement_id, suggestion_id)
    session.refresh(found)
    shown = suggestions.public(session=session, suggestion=found)
    announce(request, statement_id, "suggestion.updated", suggestion=shown.model_dump(mode="json"))
    return shown


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
    _may_decide(access)
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


def _may_decide(access: StatementAccess) -> None:
    """Those who may edit decide on suggestions, or only facilitators where the statement
    says so."""
    only = access.statement.suggestions_decided_by == Deciders.facilitators
    if only and access.role != Role.facilitator:
        raise Forbidden("On this statement only facilitators accept or reject suggestions.")


@router.put(
    "/{suggestion_id}", response_model=SuggestionPublic, responses=refusals(400, 409, 413, 422)
)
def change_suggestion(
    suggestion_id: PathId,
    body: SuggestionCreate,
    access: CommentAccess,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> SuggestionPublic:
    """Replace one's own open or outdated suggestion with a change made on `base_rev`: to
    extend it, change its reason, or make it again on the text as it is now. It keeps its
    id and is open again."""
    found = _find(session, access.statement_id, suggestion_id)
    suggestions.remake(
        session=session,
        settings=settings,
        suggestion=found,
        author=access.user,
        suggestion_in=body,
    )
    return _decided(session, request, access.statement_id, suggestion_id)


@router.post(
    "/{suggestion_id}/accept", response_model=SuggestionPublic, responses=refusals(409, 413, 503)
)
async def accept_suggestion(
    suggestion_id: PathId, access: WaitingEditAccess, request: Request
) -> SuggestionPublic:
    """Apply an open suggestion to the live draft as its author's words; 409 if it is not
    open or its text has changed meanwhile, with nothing applied."""
    _may_decide(access)
    engine: Engine = request.app.state.engine
    hub: Hub = request.app.state.hub
    await accepting.accept(
        engine,
        hub,
        statement_id=access.statement_id,
        suggestion_id=suggestion_id,
        actor=access.user,
    )
    return await asyncio.to_thread(_public, engine, access.statement_id, suggestion_id)


@router.post("/accept", response_model=Listing[Outcome], responses=refusals(400, 503))
async def accept_suggestions(
    body: BulkAccept, access: WaitingEditAccess, request: Request
) -> Listing[Outcome]:
    """Accept several suggestions, one after another in the order given (all of one
    organisation's, say); each outcome says whether it was applied, or why not."""
    _may_decide(access)
    engine: Engine = request.app.state.engine
    hub: Hub = request.app.state.hub
    outcomes = []
    for suggestion_id in body.ids:
        try:
            done = await accepting.accept(
                engine,
                hub,
                statement_id=access.statement_id,
                suggestion_id=suggestion_id,
                actor=access.user,
            )
        except AccordError as problem:
            status = await asyncio.to_thread(_status, engine, access.statement_id, suggestion_id)
            outcomes.append(Outcome(id=suggestion_id, status=status, detail=str(problem)))
            continue
        outcomes.append(Outcome(id=suggestion_id, status=done.status, rev=done.applied_rev))
    return Listing.of(outcomes)


def _public(engine: Engine, statement_id: int, suggestion_id: int) -> SuggestionPublic:
    with Session(engine) as session:
        return suggestions.public(
            session=session, suggestion=_find(session, statement_id, suggestion_id)
        )


def _status(engine: Engine, statement_id: int, suggestion_id: int) -> str | None:
    with Session(engine) as session:
        try:
            return _find(session, statement_id, suggestion_id).status
        except NotFound:
            return None
