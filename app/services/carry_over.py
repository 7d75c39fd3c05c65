"""Stances on sections from one round to the next: a person's stance on a section whose text
has not changed since the version they took it on carries over to a new round, marked with
that version; they are asked only about the sections that changed, shown what changed since
they last approved each; and they can take a stance back."""

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.diff.engine import word_diff
from app.errors import Conflict, NotFound
from app.models.base import utcnow
from app.models.membership import Membership
from app.models.review import ReviewRound, Stance, StanceKind
from app.models.section import MySection
from app.models.user import User
from app.models.version import Version
from app.services import audit, sections, versions
from app.services.reviews import WITH_A_SAY


def carry(*, session: Session, review: ReviewRound) -> int:
    """Carry each person's latest stance on each section of the round's version, where that
    section reads as it did on the version they took it on; how many were carried."""
    texts = _Texts(session, review.statement_id)
    now = texts.of(review.version_number)
    members = {
        m.user_id: m
        for m in session.exec(
            select(Membership).where(Membership.statement_id == review.statement_id)
        ).all()
        if m.role in WITH_A_SAY
    }
    carried = 0
    recorded_at = utcnow()
    for (user_id, key), (stance, origin) in _latest(session, review).items():
        membership = members.get(user_id)
        if membership is None or key not in now or texts.of(origin).get(key) != now[key]:
            continue
        session.add(
            Stance(
                round_id=review.id,
                user_id=user_id,
                organisation=membership.organisation,
                kind=stance.kind,
                reason=stance.reason,
                section=key,
                carried_from=origin,
                recorded_at=recorded_at,
            )
        )
        carried += 1
    return carried


def mine(*, session: Session, review: ReviewRound, user: User) -> list[MySection]:
    """The sections of the round's version as `user` is asked about them."""
    texts = _Texts(session, review.statement_id)
    version = texts.version(review.version_number)
    now = texts.of(review.version_number)
    current = {
        s.section: s
        for s in session.exec(
            select(Stance).where(
                Stance.round_id == review.id,
                Stance.user_id == user.id,
                Stance.section != "",
                col(Stance.superseded_at).is_(None),
            )
        ).all()
    }
    approved = _approved_on(session, review, user)
    items = []
    for section in sections.of_version(session=session, version=version):
        stance = current.get(section.key)
        origin = approved.get(section.key)
        before = texts.of(origin).get(section.key) if origin is not None else None
        changed = before is not None and before != now[section.key]
        items.append(
            MySection(
                section=section.key,
                heading=section.heading,
                level=section.level,
                start=section.start,
                end=section.end,
                stance=StanceKind(stance.kind).value if stance else None,
                reason=stance.reason if stance else "",
                carried_from=stance.carried_from if stance else None,
                asked=stance is None,
                approved_on=origin,
                changed=changed,
                diff=_pieces(before, now[section.key]) if changed and before else None,
            )
        )
    return items


def take_back(*, session: Session, review: ReviewRound, user: User, key: str) -> None:
    """Take back one's current stance on a section (carried or not); nothing takes its place."""
    if review.closed_at is not None:
        raise Conflict("This review round is closed.")
    taken = session.execute(
        update(Stance)
        .where(
            col(Stance.round_id) == review.id,
            col(Stance.user_id) == user.id,
            col(Stance.section) == key,
            col(Stance.superseded_at).is_(None),
        )
        .values(superseded_at=utcnow())
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound("You have no stance on this section in this round.")
    audit.record(
        session=session,
        statement_id=review.statement_id,
        actor=user,
        kind="stance.taken_back",
        round_id=review.id,
        section=key,
    )


def _latest(session: Session, review: ReviewRound) -> dict[tuple[int, str], tuple[Stance, int]]:
    """Each person's stance on each section in the latest earlier round where they took one,
    with the version it was taken on; none where they took it back in that round."""
    rows = session.exec(
        select(Stance, ReviewRound)
        .join(ReviewRound, col(ReviewRound.id) == Stance.round_id)
        .where(
            ReviewRound.statement_id == review.statement_id,
            ReviewRound.id != review.id,
            Stance.section != "",
        )
        .order_by(col(ReviewRound.opened_at).desc(), col(ReviewRound.id).desc())
    ).all()
    latest: dict[tuple[int, str], tuple[Stance, int] | None] = {}
    round_of: dict[tuple[int, str], int] = {}
    for stance, earlier in rows:
        key = (stance.user_id, stance.section)
        if round_of.setdefault(key, earlier.id) != earlier.id:
            continue  # an older round than the latest where they spoke of this section
        if stance.superseded_at is None:
            latest[key] = (stance, stance.carried_from or earlier.version_number)
        else:
            latest.setdefault(key, None)
    return {key: found for key, found in latest.items() if found is not None}


def _approved_on(session: Session, review: ReviewRound, user: User) -> dict[str, int]:
    """For each section, the version on which `user` last approved it in an earlier round
    (where that approval was still theirs when the round ended: not changed, not taken back)."""
    rows = session.exec(
        select(Stance, ReviewRound)
        .join(ReviewRound, col(ReviewRound.id) == Stance.round_id)
        .where(
            ReviewRound.statement_id == review.statement_id,
            ReviewRound.id != review.id,
            Stance.user_id == user.id,
            Stance.section != "",
            Stance.kind == StanceKind.approve,
            col(Stance.superseded_at).is_(None),
        )
        .order_by(col(ReviewRound.opened_at), col(Stance.recorded_at))
    ).all()
    return {s.section: s.carried_from or r.version_number for s, r in rows}


class _Texts:
    """Versions' section texts, each read once."""

    def __init__(self, session: Session, statement_id: int) -> None:
        self.session, self.statement_id = session, statement_id
        self.found: dict[int, dict[str, str]] = {}
        self.versions: dict[int, Version] = {}

    def version(self, number: int) -> Version:
        if number not in self.versions:
            self.versions[number] = versions.find_version(
                session=self.session, statement_id=self.statement_id, number=number
            )
        return self.versions[number]

    def of(self, number: int) -> dict[str, str]:
        if number not in self.found:
            version = self.version(number)
            self.found[number] = {
                s.key: s.text(version.text)
                for s in sections.of_version(session=self.session, version=version)
            }
        return self.found[number]


def _pieces(before: str, after: str) -> list[tuple[str, str]]:
    return [(kind, text) for kind, text in word_diff(before, after).pieces]
