"""Accounts as a site administrator sees them: who has one, and disabling or enabling it."""

from anyio import from_thread
from fastapi import APIRouter, Request

from app.collab.hub import Hub
from app.deps import Administrator, PathId, SessionDep
from app.errors import refusals
from app.models.base import Listing
from app.models.user import Account, AccountChange, User
from app.services import accounts

router = APIRouter(prefix="/api/users", tags=["accounts"])


@router.get("", response_model=Listing[Account], responses=refusals(401, 403))
def list_accounts(administrator: Administrator, session: SessionDep) -> Listing[Account]:
    """Every account on this Accord, enabled ones first (site administrators only)."""
    return Listing.of(
        [Account.model_validate(user) for user in accounts.list_accounts(session=session)]
    )


@router.patch(
    "/{user_id}", response_model=Account, responses=refusals(400, 401, 403, 404, 409, 413, 422)
)
def change_account(
    user_id: PathId,
    change: AccountChange,
    administrator: Administrator,
    session: SessionDep,
    request: Request,
) -> User:
    """Disable an account (it is signed out everywhere at once and cannot sign in), enable it
    again, or make it a site administrator or not. Not one's own account."""
    user = accounts.change_account(
        session=session, administrator=administrator, user_id=user_id, change=change
    )
    session.commit()
    session.refresh(user)
    if user.disabled:
        hub: Hub = request.app.state.hub
        from_thread.run_sync(hub.disabled, user_id)
    return user
