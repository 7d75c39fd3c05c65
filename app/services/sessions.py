"""Browser sessions and personal API tokens: how a request proves who sent it."""

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.config import Settings
from app.errors import NotFound
from app.models.auth import ApiToken, UserSession
from app.models.base import utcnow
from app.models.user import User
from app.security import hash_token, new_token


def start_session(*, session: Session, settings: Settings, user: User, user_agent: str = "") -> str:
    """Open a new session for `user` and return the secret for its cookie."""
    # Sweep sessions that have run out, so the table holds only live ones.
    session.exec(delete(UserSession).where(col(UserSession.expires_at) <= utcnow()))
    token = new_token("as")
    session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=settings.session_days),
            user_agent=user_agent[:300],
        )
    )
    return token


def end_session(*, session: Session, token: str) -> None:
    """End the session this cookie secret belongs to; the secret is worthless afterwards."""
    # One statement, not a row loaded and then deleted: two requests ending the same session
    # at once (two sign-ins from one browser) both succeed, and the row goes once.
    session.exec(delete(UserSession).where(col(UserSession.token_hash) == hash_token(token)))


def end_all_sessions(*, session: Session, user: User, keep: str | None = None) -> list[str]:
    """End every session of `user` but the one of the cookie secret `keep`; return the ended
    sessions' hashes."""
    kept = hash_token(keep) if keep else None
    ended = [
        token_hash
        for token_hash in session.exec(
            select(UserSession.token_hash).where(UserSession.user_id == user.id)
        )
        if token_hash != kept
    ]
    if ended:
        session.exec(delete(UserSession).where(col(UserSession.token_hash).in_(ended)))
    return ended


def user_for_session(*, session: Session, token: str) -> User | None:
    row = session.exec(
        select(UserSession).where(
            UserSession.token_hash == hash_token(token), col(UserSession.expires_at) > utcnow()
        )
    ).first()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and not user.disabled else None


def create_api_token(*, session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; its secret is shown once and only its hash is kept."""
    secret = new_token("acc")
    token = ApiToken(token_hash=hash_token(secret), user_id=user.id, name=name)
    session.add(token)
    session.flush()
    return token, secret


def list_api_tokens(*, session: Session, user: User) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))
    return list(session.exec(query))


def revoke_api_token(*, session: Session, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("There is no such API token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
    return token


def user_for_api_token(*, session: Session, secret: str) -> User | None:
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or user.disabled:
        return None
    now = utcnow()
    # Record use at most once a minute, so reading with a token is not a write each time.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        session.add(token)
        session.commit()
        session.refresh(user)  # the commit expired it; callers may use it after the session
    return user


def still_signed_in(*, session: Session, credentials: set[str]) -> set[str]:
    """Which of these live sockets' credentials ("s:" or "t:" and the secret's hash) still
    sign someone in: the session open or the token not revoked, the account not disabled."""
    now = utcnow()
    kept: set[str] = set()
    session_hashes = [c[2:] for c in credentials if c.startswith("s:")]
    if session_hashes:
        open_sessions = session.exec(
            select(UserSession.token_hash)
            .join(User, col(User.id) == col(UserSession.user_id))
            .where(
                col(UserSession.token_hash).in_(session_hashes),
                col(UserSession.expires_at) > now,
                col(User.disabled).is_(False),
            )
        )
        kept.update(f"s:{token_hash}" for token_hash in open_sessions)
    token_hashes = [c[2:] for c in credentials if c.startswith("t:")]
    if token_hashes:
        live_tokens = session.exec(
            select(ApiToken.token_hash)
            .join(User, col(User.id) == col(ApiToken.user_id))
            .where(
                col(ApiToken.token_hash).in_(token_hashes),
                col(ApiToken.revoked_at).is_(None),
                col(User.disabled).is_(False),
            )
        )
        kept.update(f"t:{token_hash}" for token_hash in live_tokens)
    return kept
