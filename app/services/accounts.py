"""Accounts and signing in, with a rate limit on failed attempts shared by every worker."""

from datetime import timedelta

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import release_connection
from app.errors import Conflict, Forbidden, NotFound, RateLimited, Unauthorized
from app.models.auth import SignInAttempt
from app.models.base import utcnow
from app.models.user import (
    AccountChange,
    NewAccount,
    PasswordChange,
    User,
    UserUpdate,
    normalise_email,
)
from app.security import hash_password, needs_rehash, verify_password
from app.services import sessions

WRONG_CREDENTIALS = "The email or password is not right."


def create_user(*, session: Session, account: NewAccount) -> User:
    """Create an account; an email can hold only one. The password is hashed before the
    database is asked anything, so that a caller holding no transaction holds none while
    it hashes."""
    password_hash = hash_password(account.password)
    if session.exec(select(User).where(User.email == account.email)).first() is not None:
        raise Conflict("An account with this email already exists; sign in instead.")
    user = User(
        email=account.email,
        name=account.name,
        organisation=account.organisation,
        password_hash=password_hash,
    )
    try:
        with session.begin_nested():  # two accepts with one email at once: one account
            session.add(user)
    except IntegrityError:
        raise Conflict("An account with this email already exists; sign in instead.") from None
    return user


def by_email(*, session: Session, email: str) -> User:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(f"There is no account with the email {email!r}.")
    return user


def set_disabled(*, session: Session, user: User, disabled: bool) -> None:
    """Disable an account, ending its sessions (its tokens stop working while it is), or
    enable it again."""
    user.disabled = disabled
    session.add(user)
    if disabled:
        sessions.end_all_sessions(session=session, user=user)


def list_accounts(*, session: Session) -> list[User]:
    """Every account, for a site administrator: the enabled first, each by name."""
    query = select(User).order_by(col(User.disabled), func.lower(User.name), col(User.id))
    return list(session.exec(query))


def change_account(
    *, session: Session, administrator: User, user_id: int, change: AccountChange
) -> User:
    """A site administrator disables or enables someone's account, or makes them an
    administrator or not. Not their own: that way a site always keeps an administrator who
    can undo a mistake."""
    if user_id == administrator.id:
        raise Conflict(
            "You cannot disable your own account or give up your own administration; "
            "ask another administrator."
        )
    # Two administrators demoting or disabling each other at once must not both succeed and
    # leave the site with none: hold both accounts (in id order, so that two such changes
    # wait for each other rather than deadlock), then check again that the one acting still
    # is an administrator.
    for held in sorted({user_id, administrator.id}):
        session.execute(update(User).where(col(User.id) == held).values(admin=col(User.admin)))
    session.refresh(administrator)
    if not administrator.admin or administrator.disabled:
        raise Forbidden("You are no longer a site administrator.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no account with this id.")
    if change.disabled is not None and change.disabled != user.disabled:
        set_disabled(session=session, user=user, disabled=change.disabled)
    if change.admin is not None:
        user.admin = change.admin
        session.add(user)
    return user


def update_user(*, session: Session, user: User, changes: UserUpdate) -> User:
    """Change one's own name or organisation."""
    for field, value in changes.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(user, field, value)
    session.add(user)
    return user


def change_password(
    *, session: Session, settings: Settings, user: User, change: PasswordChange, client_ip: str
) -> None:
    """Set a new password, given the current one. A wrong guess counts as a failed sign-in,
    so that a browser left signed in cannot be used to try passwords."""
    _check_rate_limit(session=session, settings=settings, email=user.email, client_ip=client_ip)
    release_connection(session)  # no connection held while the hashes are worked out
    if not verify_password(user.password_hash, change.current_password):
        _record_failure(session=session, settings=settings, email=user.email, client_ip=client_ip)
        raise Forbidden("Your current password is not right.")
    user.password_hash = hash_password(change.new_password)
    session.add(user)


def reset_password(*, session: Session, user: User, password: str) -> None:
    """An operator sets a new password for someone who forgot theirs; their sessions end."""
    user.password_hash = hash_password(password)
    session.add(user)
    sessions.end_all_sessions(session=session, user=user)


def authenticate(
    *, session: Session, settings: Settings, email: str, password: str, client_ip: str
) -> User:
    """Return the user these credentials belong to, or refuse without saying which was wrong."""
    try:
        email = normalise_email(email)
    except ValueError:
        email = email.strip().lower()
    _check_rate_limit(session=session, settings=settings, email=email, client_ip=client_ip)
    user = session.exec(select(User).where(User.email == email)).first()
    release_connection(session)  # no connection held while the hash is checked
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or user.disabled:
        _record_failure(session=session, settings=settings, email=email, client_ip=client_ip)
        raise Unauthorized(WRONG_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def _record_failure(*, session: Session, settings: Settings, email: str, client_ip: str) -> None:
    """Count a failed attempt, and forget those past the window, in one short transaction."""
    since = utcnow() - timedelta(seconds=settings.sign_in_window_seconds)
    session.exec(delete(SignInAttempt).where(col(SignInAttempt.at) < since))
    session.add(SignInAttempt(email=email, client_ip=client_ip))
    session.commit()


def _check_rate_limit(*, session: Session, settings: Settings, email: str, client_ip: str) -> None:
    """Refuse once too many attempts failed; only reads, so that the password's slow hash
    is checked before, not while, this request holds the right to write."""
    since = utcnow() - timedelta(seconds=settings.sign_in_window_seconds)
    per_email = session.exec(
        select(func.count()).where(SignInAttempt.email == email, col(SignInAttempt.at) >= since)
    ).one()
    # One address may try several accounts (a workshop shares a network), so allow it more.
    per_ip = session.exec(
        select(func.count()).where(
            SignInAttempt.client_ip == client_ip, col(SignInAttempt.at) >= since
        )
    ).one()
    if per_email >= settings.sign_in_max_failures or per_ip >= 5 * settings.sign_in_max_failures:
        minutes = max(1, settings.sign_in_window_seconds // 60)
        raise RateLimited(
            f"Too many failed sign-in attempts; wait {minutes} minutes and try again.",
            retry_after=settings.sign_in_window_seconds,
        )
