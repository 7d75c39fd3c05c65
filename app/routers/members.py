"""Members of a statement: list them, change their role, remove them or leave."""

from anyio import from_thread
from fastapi import APIRouter, Request, status

from app.collab.hub import Hub
from app.deps import (
    STATEMENT_REFUSALS,
    CurrentUser,
    ManageAccess,
    PathId,
    ReadAccess,
    SessionDep,
)
from app.errors import Forbidden, refusals
from app.models.base import Listing
from app.models.membership import MemberPublic, MemberUpdate, Permission, Role
from app.services import members

router = APIRouter(
    prefix="/api/statements/{statement_id}/members",
    tags=["members"],
    responses=STATEMENT_REFUSALS,
)


@router.get("", response_model=Listing[MemberPublic])
def list_members(access: ReadAccess, session: SessionDep) -> Listing[MemberPublic]:
    """Everyone taking part, facilitators first."""
    return Listing.of(members.list_members(session=session, statement_id=access.statement_id))


@router.patch("/{user_id}", response_model=MemberPublic, responses=refusals(400, 409, 413))
def change_member(
    user_id: PathId, body: MemberUpdate, access: ManageAccess, session: SessionDep, request: Request
) -> MemberPublic:
    """Change a member's role or organisation (facilitators)."""
    member = members.change_member(
        session=session,
        statement_id=access.statement_id,
        user_id=user_id,
        changes=body,
        actor=access.user,
    )
    session.commit()
    _tell_open_sockets(request, access.statement_id, user_id, member.role)
    return member


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=refusals(409))
def remove_member(
    user_id: PathId, access: ReadAccess, user: CurrentUser, session: SessionDep, request: Request
) -> None:
    """Remove a member (facilitators), or leave the statement with one's own id."""
    if user_id != user.id and not access.membership.can(Permission.manage):
        raise Forbidden("Only a facilitator may remove someone else.")
    members.remove_member(
        session=session, statement_id=access.statement_id, user_id=user_id, actor=user
    )
    session.commit()
    _tell_open_sockets(request, access.statement_id, user_id, None)


def _tell_open_sockets(
    request: Request, statement_id: int, user_id: int, role: Role | None
) -> None:
    """Hand the change to this process's live rooms, on their event loop."""
    hub: Hub = request.app.state.hub
    from_thread.run_sync(hub.member_changed, statement_id, user_id, role)
