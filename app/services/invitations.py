"""Invitation links: create, list, revoke, preview and accept."""

from datetime import timedelta

from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import release_connection
from app.errors import Conflict, Invalid, NotFound, describe_validation_errors
from app.models.base import utcnow
from app.models.invitation import (
    Invitation,
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationPreview,
    InvitationPublic,
    InvitationStatus,
)
from app.models.membership import Membership
from app.models.statement import Statement
from app.models.user import NewAccount, User
from app.security import hash_token, new_token
from app.services import accounts, audit, members, news

UNUSABLE = {
    InvitationStatus.used: "This invitation link has already been used; ask for a new one.",
    InvitationStatus.expired: "This invitation link has expired; ask for a new one.",
    InvitationStatus.revoked: "This invitation link was withdrawn; ask for a new one.",
}


def to_public(invitation: Invitation) -> InvitationPublic:
    return InvitationPublic.model_validate(
        invitation, update={"status": invitation.status(utcnow())}
    )


def create_invitation(
    *,
    session: Session,
    settings: Settings,
    statement: Statement,
    invitation_in: InvitationCreate,
    actor: User,
    base_url: str,
) -> InvitationCreated:
    """Create a link that admits up to `max_uses` people in a role."""
    token = new_token("inv")
    days = invitation_in.expires_in_days or settings.invitation_days
    invitation = Invitation(
        statement_id=statement.id,
        token_hash=hash_token(token),
        role=invitation_in.role,
        label=invitation_in.label,
        max_uses=invitation_in.max_uses,
        created_by=actor.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session=session,
        statement_id=statement.id or 0,
        actor=actor,
        kind="invitation.created",
        invitation_id=invitation.id,
        role=invitation_in.role.value,
        label=invitation_in.label,
    )
    url = f"{base_url}/invite/{token}"
    emailed = None
    if invitation_in.email is not None:
        emailed = news.invited(
            session,
            statement=statement,
            actor=actor,
            email=invitation_in.email,
            url=url,
            path=f"/invite/{token}",
            role=invitation_in.role.value,
            expires_at=invitation.expires_at,
        )
    return InvitationCreated.model_validate(
        to_public(invitation), update={"token": token, "url": url, "emailed_to": emailed}
    )


def list_invitations(*, session: Session, statement_id: int) -> list[InvitationPublic]:
    query = (
        select(Invitation)
        .where(Invitation.statement_id == statement_id)
        .order_by(col(Invitation.id).desc())
    )
    return [to_public(invitation) for invitation in session.exec(query)]


def revoke_invitation(
    *, session: Session, statement_id: int, invitation_id: int, actor: User
) -> None:
    """Withdraw a link so that nobody else can use it; who joined with it stays."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.statement_id != statement_id:
        raise NotFound("There is no such invitation.")
    revoked = session.execute(
        update(Invitation)
        .where(col(Invitation.id) == invitation_id, col(Invitation.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    if revoked.rowcount == 1:  # type: ignore[attr-defined]  # not already, nor at once
        audit.record(
            session=session,
            statement_id=statement_id,
            actor=actor,
            kind="invitation.revoked",
            invitation_id=invitation_id,
        )


def _by_token(session: Session, token: str) -> Invitation:
    invitation = session.exec(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    ).first()
    if invitation is None:
        raise NotFound("This invitation link is not valid; check that it was copied whole.")
    return invitation


def _use(session: Session, invitation: Invitation) -> None:
    """Count one use, atomically, so that concurrent accepts cannot overrun the limit."""
    used = session.execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation.id,
            col(Invitation.use_count) < col(Invitation.max_uses),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > utcnow(),
        )
        .values(use_count=col(Invitation.use_count) + 1)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(UNUSABLE[InvitationStatus.used])


def _join(session: Session, invitation: Invitation, user: User) -> Membership:
    """Use the link once and make `user` a member; if they already are one (the same person
    accepting in two tabs at once, say), the link stays unused."""
    with session.begin_nested() as joining:
        _use(session, invitation)
        joined = members.join(
            session=session, statement_id=invitation.statement_id, user=user, role=invitation.role
        )
        if joined is None:
            joining.rollback()
    if joined is not None:
        return joined
    membership = members.find_membership(
        session=session, statement_id=invitation.statement_id, user_id=user.id
    )
    assert membership is not None
    return membership


def preview(*, session: Session, token: str) -> InvitationPreview:
    """What the link is for, shown before it is accepted."""
    invitation = _by_token(session, token)
    statement = session.get(Statement, invitation.statement_id)
    inviter = session.get(User, invitation.created_by)
    assert statement is not None
    assert inviter is not None
    invited_by = (
        f"{inviter.name} ({inviter.organisation})" if inviter.organisation else inviter.name
    )
    return InvitationPreview(
        statement_id=statement.id,
        statement_title=statement.title,
        role=invitation.role,
        invited_by=invited_by,
        expires_at=invitation.expires_at,
        status=invitation.status(utcnow()),
    )


def accept(
    *, session: Session, token: str, acceptance: InvitationAccept, user: User | None
) -> tuple[Membership, User, bool]:
    """Join the statement as `user`, or as a new account made from `acceptance`.

    Returns the membership, the member and whether a new account was created.
    """
    invitation = _by_token(session, token)
    if user is not None:
        already = members.find_membership(
            session=session, statement_id=invitation.statement_id, user_id=user.id
        )
        if already is not None:
            return already, user, False
    status = invitation.status(utcnow())
    if status != InvitationStatus.active:
        raise Conflict(UNUSABLE[status])
    created = False
    if user is None:
        missing = [f for f in ("name", "email", "password") if not getattr(acceptance, f)]
        if missing:
            raise Invalid(f"To join, give your {', '.join(missing)} (or sign in first).")
        try:
            account = NewAccount.model_validate(acceptance.model_dump(exclude_none=True))
        except ValidationError as error:
            raise Invalid(describe_validation_errors(error.errors())) from None
        release_connection(session)  # no connection held while the password is hashed
        user = accounts.create_user(session=session, account=account)
        created = True
    membership = _join(session, invitation, user)
    if acceptance.organisation and not created:
        membership.organisation = acceptance.organisation
    return membership, user, created
