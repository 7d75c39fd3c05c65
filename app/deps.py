"""Dependencies as Annotated aliases: the database session, who is asking, and may they."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.requests import HTTPConnection

from app.config import Settings
from app.db import release_connection
from app.errors import Forbidden, NotFound, Unauthorized, refusals
from app.middleware import SESSION_COOKIE, allowed_origins, origin_of
from app.models.base import MAX_INT
from app.models.membership import Membership, Permission, Role
from app.models.statement import Statement
from app.models.user import User
from app.security import hash_token
from app.services import notifications
from app.services.sessions import user_for_api_token, user_for_session

NOT_A_MEMBER = "There is no statement with this id that you are a member of."
FORBIDDEN = {
    Permission.edit: "Only facilitators and editors may change the text.",
    Permission.comment: "Viewers may read but not comment or record a stance.",
    Permission.manage: "Only a facilitator of this statement may do this.",
    Permission.read: "You may not read this statement.",
}


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def site_url(request: Request) -> str:
    """Where this site is, for links that leave it (in emails): ACCORD_PUBLIC_URL, or else
    the address the request came to."""
    settings: Settings = request.app.state.settings
    return settings.public_url or str(request.base_url).rstrip("/")


def get_session(
    request: Request, engine: Annotated[Engine, Depends(get_engine)]
) -> Iterator[Session]:
    settings: Settings = request.app.state.settings
    site = site_url(request)
    notifications.reached(engine, site, public=bool(settings.public_url))
    with Session(engine) as session:
        # What telling people by email needs of the request (app/services/notifications.py).
        session.info["site"] = site
        session.info["mail"] = bool(settings.smtp_url)
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# An id or a number in a path.
PathId = Annotated[int, Path(ge=1, le=MAX_INT)]
SessionDep = Annotated[Session, Depends(get_session)]


def bearer_token(connection: HTTPConnection) -> str | None:
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def foreign_socket(connection: HTTPConnection, settings: Settings) -> bool:
    """Whether a websocket signed in by cookie comes from a page of another site (a bearer
    token's script may come from anywhere)."""
    if bearer_token(connection) is not None:
        return False
    origin = origin_of(connection.headers)
    return origin is None or origin not in allowed_origins(connection.scope, settings)


def identify(session: Session, connection: HTTPConnection) -> User | None:
    """The user of the bearer token if one is sent, else of the session cookie, if valid."""
    token = bearer_token(connection)
    if token is not None:
        return user_for_api_token(session=session, secret=token)
    cookie = connection.cookies.get(SESSION_COOKIE)
    return user_for_session(session=session, token=cookie) if cookie else None


def credential_of(connection: HTTPConnection) -> str:
    """What signs this connection in, as live sockets remember it: the kind of secret and its
    hash, so that ending the session or revoking the token can close the socket too."""
    token = bearer_token(connection)
    if token is not None:
        return "t:" + hash_token(token)
    return "s:" + hash_token(connection.cookies.get(SESSION_COOKIE, ""))


def get_optional_user(request: Request, session: SessionDep) -> User | None:
    """The user a bearer token or the session cookie belongs to, if any."""
    user = identify(session, request)
    if user is None and bearer_token(request) is not None:
        raise Unauthorized("This API token is not valid or was revoked.")
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def get_current_user(user: OptionalUser) -> User:
    if user is None:
        raise Unauthorized("Sign in first.")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_administrator(user: CurrentUser) -> User:
    if not user.admin:
        raise Forbidden("Only a site administrator may do this.")
    return user


Administrator = Annotated[User, Depends(get_administrator)]


@dataclass(frozen=True)
class StatementAccess:
    """A statement, and the caller's membership in it, checked for one permission."""

    statement: Statement
    membership: Membership
    user: User

    @property
    def statement_id(self) -> int:
        assert self.statement.id is not None
        return self.statement.id

    @property
    def role(self) -> Role:
        return Role(self.membership.role)


def require(permission: Permission, *, release: bool = False) -> Callable[..., StatementAccess]:
    """A dependency that admits members whose role grants `permission`.

    With `release`, for routes that then wait (on the room, or on a diff in another process),
    the check's database connection goes back to the pool before the route waits: a crowd of
    such requests must not hold every connection while the ones they wait for need one.
    """

    def dependency(statement_id: PathId, session: SessionDep, user: CurrentUser) -> StatementAccess:
        row = session.exec(
            select(Statement, Membership)
            .join(Membership)
            .where(Statement.id == statement_id, Membership.user_id == user.id)
        ).first()
        # Non-members get the same answer as for a statement that does not exist.
        if row is None:
            raise NotFound(NOT_A_MEMBER)
        statement, membership = row
        if not membership.can(permission):
            raise Forbidden(FORBIDDEN[permission])
        if release:
            release_connection(session)
        return StatementAccess(statement=statement, membership=membership, user=user)

    return dependency


# What a route behind that check may answer: not signed in, a role that does not allow it (or a
# request from another site), not a member or no such statement, an invalid parameter.
STATEMENT_REFUSALS = refusals(401, 403, 404, 422)
ReadAccess = Annotated[StatementAccess, Depends(require(Permission.read))]
EditAccess = Annotated[StatementAccess, Depends(require(Permission.edit))]
CommentAccess = Annotated[StatementAccess, Depends(require(Permission.comment))]
ManageAccess = Annotated[StatementAccess, Depends(require(Permission.manage))]
# The same checks for async routes, which hold no database connection while they wait.
WaitingReadAccess = Annotated[StatementAccess, Depends(require(Permission.read, release=True))]
WaitingEditAccess = Annotated[StatementAccess, Depends(require(Permission.edit, release=True))]
