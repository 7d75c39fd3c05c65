"""Invitation links: facilitators create, list and revoke them; anyone holding one may join."""

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from app.deps import (
    STATEMENT_REFUSALS,
    ManageAccess,
    OptionalUser,
    PathId,
    SessionDep,
    SettingsDep,
)
from app.errors import refusals
from app.middleware import request_origin
from app.models.base import Listing
from app.models.invitation import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationPreview,
    InvitationPublic,
)
from app.models.membership import Role
from app.models.user import UserPublic
from app.routers.account import begin_session
from app.services import invitations

router = APIRouter(prefix="/api", tags=["invitations"])


class Joined(BaseModel):
    statement_id: int
    role: Role
    user: UserPublic


@router.post(
    "/statements/{statement_id}/invitations",
    response_model=InvitationCreated,
    status_code=status.HTTP_201_CREATED,
    responses={**STATEMENT_REFUSALS, **refusals(400, 413)},
)
def create_invitation(
    body: InvitationCreate,
    access: ManageAccess,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> InvitationCreated:
    """Create an invitation link with a role; the link is shown only in this answer."""
    created = invitations.create_invitation(
        session=session,
        settings=settings,
        statement=access.statement,
        invitation_in=body,
        actor=access.user,
        base_url=settings.public_url or request_origin(request.scope),
    )
    session.commit()
    return created


@router.get(
    "/statements/{statement_id}/invitations",
    response_model=Listing[InvitationPublic],
    responses=STATEMENT_REFUSALS,
)
def list_invitations(access: ManageAccess, session: SessionDep) -> Listing[InvitationPublic]:
    """Every invitation of this statement, newest first, with its status."""
    return Listing.of(
        invitations.list_invitations(session=session, statement_id=access.statement_id)
    )


@router.delete(
    "/statements/{statement_id}/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=STATEMENT_REFUSALS,
)
def revoke_invitation(invitation_id: PathId, access: ManageAccess, session: SessionDep) -> None:
    """Withdraw an invitation link."""
    invitations.revoke_invitation(
        session=session,
        statement_id=access.statement_id,
        invitation_id=invitation_id,
        actor=access.user,
    )
    session.commit()


@router.get("/invitations/{token}", response_model=InvitationPreview, responses=refusals(404, 422))
def preview_invitation(token: str, session: SessionDep) -> InvitationPreview:
    """What an invitation link is for: the statement's title, the role and who sent it."""
    return invitations.preview(session=session, token=token)


@router.post(
    "/invitations/{token}/accept",
    response_model=Joined,
    responses=refusals(400, 401, 403, 404, 409, 413, 422),
)
def accept_invitation(
    token: str,
    body: InvitationAccept,
    user: OptionalUser,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> Joined:
    """Join: signed in, with `{}`; otherwise with a new account, which is then signed in."""
    membership, member, created = invitations.accept(
        session=session, token=token, acceptance=body, user=user
    )
    session.commit()
    if created:
        begin_session(
            response=response, request=request, session=session, settings=settings, user=member
        )
    return Joined(
        statement_id=membership.statement_id,
        role=Role(membership.role),
        user=UserPublic.model_validate(member),
    )
