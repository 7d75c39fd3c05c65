"""Statements: mine, a new one, one, its settings, its text, history, authorship and audit log."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status

from app.deps import (
    STATEMENT_REFUSALS,
    CurrentUser,
    ManageAccess,
    ReadAccess,
    SessionDep,
    SettingsDep,
)
from app.errors import refusals
from app.models.audit import AuditEventPublic
from app.models.base import MAX_INT, Listing
from app.models.history import AuthorshipPublic, Change, EditingSession
from app.models.statement import StatementCreate, StatementPublic, StatementUpdate
from app.models.text import TextPublic
from app.services import audit, authorship, history, members, statements, text

router = APIRouter(prefix="/api/statements", tags=["statements"])
PastRevision = Annotated[
    int | None, Query(ge=0, le=MAX_INT, description="A past revision; default the head")
]


@router.get("", response_model=Listing[StatementPublic], responses=refusals(401))
def list_statements(user: CurrentUser, session: SessionDep) -> Listing[StatementPublic]:
    """The statements I am a member of."""
    return Listing.of(statements.list_statements(session=session, user=user))


@router.post(
    "",
    response_model=StatementPublic,
    status_code=status.HTTP_201_CREATED,
    responses=refusals(400, 401, 403, 413, 422),
)
def create_statement(
    body: StatementCreate, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> StatementPublic:
    """Start a statement; I become its facilitator."""
    statement = statements.create_statement(
        session=session, settings=settings, statement_in=body, author=user
    )
    session.commit()
    membership = members.find_membership(
        session=session, statement_id=statement.id, user_id=user.id
    )
    assert membership is not None  # the creator was just made facilitator
    return statements.to_public(session=session, statement=statement, membership=membership)


@router.get("/{statement_id}", response_model=StatementPublic, responses=STATEMENT_REFUSALS)
def read_statement(access: ReadAccess, session: SessionDep) -> StatementPublic:
    """One statement, with my role in it."""
    return statements.to_public(
        session=session, statement=access.statement, membership=access.membership
    )


@router.patch(
    "/{statement_id}",
    response_model=StatementPublic,
    responses={**STATEMENT_REFUSALS, **refusals(400, 409, 413)},
)
def update_statement(
    body: StatementUpdate, access: ManageAccess, session: SessionDep, settings: SettingsDep
) -> StatementPublic:
    """Change the title, context, address, deadlines or approval rule (facilitators)."""
    statement = statements.update_statement(
        session=session,
        settings=settings,
        statement=access.statement,
        changes=body,
        actor=access.user,
    )
    session.commit()
    session.refresh(statement)
    return statements.to_public(session=session, statement=statement, membership=access.membership)


@router.get("/{statement_id}/text", response_model=TextPublic, responses=STATEMENT_REFUSALS)
def read_text(
    access: ReadAccess,
    session: SessionDep,
    rev: PastRevision = None,
) -> TextPublic:
    """The live text, or the text as it was at revision `rev`."""
    return text.text_at(session=session, statement_id=access.statement_id, rev=rev)


@router.get(
    "/{statement_id}/audit",
    response_model=Listing[AuditEventPublic],
    responses=STATEMENT_REFUSALS,
)
def read_audit_log(
    access: ReadAccess,
    session: SessionDep,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="Only events older than this id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> Listing[AuditEventPublic]:
    """What happened to this statement, newest first, `limit` events at a time."""
    events = audit.list_events(
        session=session, statement_id=access.statement_id, before=before, limit=limit
    )
    return Listing.of(events)


@router.get(
    "/{statement_id}/history",
    response_model=Listing[EditingSession],
    responses=STATEMENT_REFUSALS,
)
def read_history(
    access: ReadAccess,
    session: SessionDep,
    before: Annotated[
        int | None,
        Query(ge=1, le=MAX_INT, description="Only revisions before this one (for the next page)"),
    ] = None,
    gap: Annotated[
        int, Query(ge=1, le=1440, description="Minutes of quiet that end an editing session")
    ] = 10,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Listing[EditingSession]:
    """The text's editing sessions, newest first: who changed it, when, and by how much.

    For older sessions, ask again with `before` set to the oldest session's `first_rev`.
    """
    found = history.editing_sessions(
        session=session,
        statement_id=access.statement_id,
        gap=timedelta(minutes=gap),
        before=before,
        limit=limit,
    )
    return Listing.of(found)


@router.get(
    "/{statement_id}/authorship", response_model=AuthorshipPublic, responses=STATEMENT_REFUSALS
)
def read_authorship(
    access: ReadAccess,
    session: SessionDep,
    rev: PastRevision = None,
) -> AuthorshipPublic:
    """Who wrote each passage of the text, now or at revision `rev`."""
    return authorship.authorship(session=session, statement_id=access.statement_id, rev=rev)


@router.get("/{statement_id}/changes", response_model=Listing[Change], responses=STATEMENT_REFUSALS)
def read_changes(
    access: ReadAccess,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=MAX_INT, description="Only revisions after this one")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 5_000,
) -> Listing[Change]:
    """The operation log itself, oldest first: replay it from revision 0 to see the text grow.

    For the next page, ask again with `after` set to the last change's `rev`.
    """
    found = history.changes(
        session=session, statement_id=access.statement_id, after=after, limit=limit
    )
    return Listing.of(found)
