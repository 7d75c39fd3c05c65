"""Signing in and out, who am I, and personal API tokens."""

from anyio import from_thread
from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from app.collab.hub import Hub
from app.config import Settings
from app.deps import CurrentUser, OptionalUser, PathId, SessionDep, SettingsDep
from app.errors import refusals
from app.middleware import SESSION_COOKIE
from app.models.auth import ApiTokenCreate, ApiTokenCreated, ApiTokenPublic, SignIn
from app.models.base import Listing
from app.models.user import PasswordChange, User, UserPublic, UserUpdate
from app.security import hash_token
from app.services import accounts, sessions

router = APIRouter(prefix="/api", tags=["account"])


def set_session_cookie(
    response: Response, request: Request, settings: Settings, token: str
) -> None:
    secure = settings.cookie_secure == "always" or (
        settings.cookie_secure == "auto" and request.url.scheme == "https"
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


def begin_session(
    *, response: Response, request: Request, session: SessionDep, settings: Settings, user: User
) -> None:
    """End any session the browser still had and open a fresh one (no session fixation)."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        sessions.end_session(session=session, token=old)
    token = sessions.start_session(
        session=session,
        settings=settings,
        user=user,
        user_agent=request.headers.get("user-agent", ""),
    )
    session.commit()
    set_session_cookie(response, request, settings, token)


@router.post(
    "/session", response_model=UserPublic, responses=refusals(400, 401, 403, 413, 422, 429)
)
def sign_in(
    body: SignIn, request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> User:
    """Sign in with email and password; sets the session cookie."""
    user = accounts.authenticate(
        session=session,
        settings=settings,
        email=body.email,
        password=body.password,
        client_ip=request.client.host if request.client else "",
    )
    begin_session(response=response, request=request, session=session, settings=settings, user=user)
    return user


class SessionState(BaseModel):
    user: UserPublic | None


@router.get("/session", response_model=SessionState, responses=refusals(401))
def read_session(user: OptionalUser) -> SessionState:
    """Whether anyone is signed in, without a 401 when nobody is (for pages open to all)."""
    return SessionState(user=UserPublic.model_validate(user) if user else None)


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT, responses=refusals(403))
def sign_out(request: Request, response: Response, session: SessionDep) -> None:
    """Sign out: the session ends on the server, not only in this browser."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sessions.end_session(session=session, token=token)
        session.commit()
        _close_sockets(request, "s:" + hash_token(token))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


class SessionsEnded(BaseModel):
    ended: int


@router.delete("/sessions", response_model=SessionsEnded, responses=refusals(401, 403))
def sign_out_elsewhere(request: Request, user: CurrentUser, session: SessionDep) -> SessionsEnded:
    """Sign out everywhere else: every other browser session of mine ends, and the live
    editing it had open closes. This one stays signed in; API tokens are revoked one by one."""
    return SessionsEnded(ended=_end_other_sessions(request, session, user))


@router.get("/me", response_model=UserPublic, responses=refusals(401))
def read_me(user: CurrentUser) -> User:
    """Who is signed in."""
    return user


@router.patch("/me", response_model=UserPublic, responses=refusals(400, 401, 403, 413, 422))
def update_me(changes: UserUpdate, user: CurrentUser, session: SessionDep) -> User:
    """Change one's own name or organisation."""
    accounts.update_user(session=session, user=user, changes=changes)
    session.commit()
    session.refresh(user)
    return user


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=refusals(400, 401, 403, 413, 422, 429),
)
def change_password(
    body: PasswordChange,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> None:
    """Change my password, giving the current one. Every other browser session of mine ends,
    as after a password change one expects; this one stays, and API tokens keep working."""
    accounts.change_password(
        session=session,
        settings=settings,
        user=user,
        change=body,
        client_ip=request.client.host if request.client else "",
    )
    _end_other_sessions(request, session, user)


@router.post(
    "/tokens",
    response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
    responses=refusals(400, 401, 403, 413, 422),
)
def create_token(body: ApiTokenCreate, user: CurrentUser, session: SessionDep) -> ApiTokenCreated:
    """Create a personal API token for scripts; its secret is shown only in this answer."""
    token, secret = sessions.create_api_token(session=session, user=user, name=body.name)
    session.commit()
    session.refresh(token)
    return ApiTokenCreated.model_validate(token, update={"token": secret})


@router.get("/tokens", response_model=Listing[ApiTokenPublic], responses=refusals(401))
def list_tokens(user: CurrentUser, session: SessionDep) -> Listing[ApiTokenPublic]:
    """My API tokens, without their secrets."""
    tokens = sessions.list_api_tokens(session=session, user=user)
    return Listing.of([ApiTokenPublic.model_validate(token) for token in tokens])


@router.delete(
    "/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=refusals(401, 403, 404, 422),
)
def revoke_token(
    token_id: PathId, user: CurrentUser, session: SessionDep, request: Request
) -> None:
    """Revoke one of my API tokens; scripts using it are refused from now on."""
    revoked = sessions.revoke_api_token(session=session, user=user, token_id=token_id)
    session.commit()
    _close_sockets(request, "t:" + revoked.token_hash)


def _end_other_sessions(request: Request, session: SessionDep, user: User) -> int:
    """End every browser session of `user` but this request's, close the live sockets they
    opened, and say how many ended."""
    ended = sessions.end_all_sessions(
        session=session, user=user, keep=request.cookies.get(SESSION_COOKIE)
    )
    session.commit()
    for token_hash in ended:
        _close_sockets(request, "s:" + token_hash)
    return len(ended)


def _close_sockets(request: Request, credential: str) -> None:
    """Close the live editing sockets this sign-in opened, on the app's event loop."""
    hub: Hub = request.app.state.hub
    from_thread.run_sync(hub.signed_out, credential)
