"""Members of a statement: joining, changing roles, leaving; there is always a facilitator."""

from typing import Any

from sqlalchemy import and_, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict, NotFound
from app.models.membership import MemberPublic, Membership, MemberUpdate, Role
from app.models.user import User
from app.services import audit
from app.services.statements import hold_statement


def profile(user: User, membership: Membership | None) -> dict[str, Any]:
    """How someone appears to the others live: with the organisation they speak for here,
    while they are a member."""
    return {
        "id": user.id,
        "name": user.name,
        "organisation": membership.organisation if membership else "",
        "colour": colour_of(user.id),
    }


def profiles(
    *, session: Session, statement_id: int, user_ids: set[int]
) -> dict[int, dict[str, Any]]:
    """How these people appear live on the statement (for changes made through other
    workers): one no longer a member is still shown by name."""
    rows = session.exec(
        select(User, Membership)
        .outerjoin(
            Membership,
            and_(
                col(Membership.user_id) == col(User.id),
                col(Membership.statement_id) == statement_id,
            ),
        )
        .where(col(User.id).in_(user_ids))
    ).all()
    return {user.id: profile(user, membership) for user, membership in rows}


def colour_of(user_id: int) -> str:
    """A person's colour for carets and authorship: steady, and far from their neighbours'."""
    return f"hsl({(user_id * 137) % 360} 65% 42%)"


def list_members(*, session: Session, statement_id: int) -> list[MemberPublic]:
    """Members by role (facilitators first), then by organisation and name."""
    order = {role: index for index, role in enumerate(Role)}
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.statement_id == statement_id)
    ).all()
    members = [
        MemberPublic(
            user_id=user.id or 0,
            name=user.name,
            organisation=membership.organisation,
            role=Role(membership.role),
            joined_at=membership.joined_at,
            colour=colour_of(user.id),
        )
        for membership, user in rows
    ]
    return sorted(members, key=lambda m: (order[m.role], m.organisation.lower(), m.name.lower()))


def find_membership(*, session: Session, statement_id: int, user_id: int) -> Membership | None:
    """The user's membership of the statement, if they are a member."""
    return session.exec(
        select(Membership).where(
            Membership.statement_id == statement_id, Membership.user_id == user_id
        )
    ).first()


def _membership(session: Session, statement_id: int, user_id: int) -> Membership:
    """The membership as it is now, for a change to it: another may have changed it since this
    request first read it (its role, say)."""
    membership = session.exec(
        select(Membership)
        .where(Membership.statement_id == statement_id, Membership.user_id == user_id)
        .execution_options(populate_existing=True)
    ).first()
    if membership is None:
        raise NotFound("This person is not a member of the statement.")
    return membership


def _facilitator_count(session: Session, statement_id: int) -> int:
    return session.exec(
        select(func.count()).where(
            Membership.statement_id == statement_id, Membership.role == Role.facilitator
        )
    ).one()


def _keep_a_facilitator(session: Session, membership: Membership) -> None:
    if (
        membership.role == Role.facilitator
        and _facilitator_count(session, membership.statement_id) <= 1
    ):
        raise Conflict(
            "A statement always needs a facilitator; make someone else facilitator first."
        )


def add_member(
    *, session: Session, statement_id: int, user: User, role: Role, actor: User | None = None
) -> Membership:
    """Make `user` a member, or return their membership if they already are one."""
    joined = join(session=session, statement_id=statement_id, user=user, role=role, actor=actor)
    if joined is not None:
        return joined
    existing = find_membership(session=session, statement_id=statement_id, user_id=user.id)
    assert existing is not None
    return existing


def join(
    *, session: Session, statement_id: int, user: User, role: Role, actor: User | None = None
) -> Membership | None:
    """Make `user` a member; None if they already are one (also when they were made one at
    the same moment by another request)."""
    if find_membership(session=session, statement_id=statement_id, user_id=user.id):
        return None
    membership = Membership(
        statement_id=statement_id, user_id=user.id, role=role, organisation=user.organisation
    )
    try:
        with session.begin_nested():
            session.add(membership)
            session.flush()
            audit.record(
                session=session,
                statement_id=statement_id,
                actor=actor or user,
                kind="member.joined",
                member_id=user.id,
                member=user.name,
                role=Role(role).value,
            )
    except IntegrityError:
        return None
    return membership


def change_member(
    *, session: Session, statement_id: int, user_id: int, changes: MemberUpdate, actor: User
) -> MemberPublic:
    """Change a member's role or the organisation they speak for."""
    # Changes to one statement's members take turns, so that two facilitators stepping down
    # at once cannot both count the other as the one who stays.
    hold_statement(session=session, statement_id=statement_id)
    membership = _membership(session, statement_id, user_id)
    member = session.get(User, user_id)
    name = member.name if member else ""
    fields = changes.model_dump(exclude_unset=True)
    role = fields.get("role")
    if role is not None and role != membership.role:
        if role != Role.facilitator:
            _keep_a_facilitator(session, membership)
        audit.record(
            session=session,
            statement_id=statement_id,
            actor=actor,
            kind="member.role_changed",
            member_id=user_id,
            member=name,
            old=Role(membership.role).value,
            new=Role(role).value,
        )
        membership.role = role
    organisation = fields.get("organisation")
    if organisation is not None and organisation != membership.organisation:
        audit.record(
            session=session,
            statement_id=statement_id,
            actor=actor,
            kind="member.organisation_changed",
            member_id=user_id,
            member=name,
            old=membership.organisation,
            new=organisation,
        )
        membership.organisation = organisation
    session.add(membership)
    session.flush()
    return next(
        m for m in list_members(session=session, statement_id=statement_id) if m.user_id == user_id
    )


def remove_member(*, session: Session, statement_id: int, user_id: int, actor: User) -> None:
    """Remove a member (or, with one's own id, leave); their past contributions stay."""
    hold_statement(session=session, statement_id=statement_id)  # see change_member
    membership = _membership(session, statement_id, user_id)
    _keep_a_facilitator(session, membership)
    member = session.get(User, user_id)
    session.delete(membership)
    audit.record(
        session=session,
        statement_id=statement_id,
        actor=actor,
        kind="member.left" if actor.id == user_id else "member.removed",
        member_id=user_id,
        member=member.name if member else "",
    )
