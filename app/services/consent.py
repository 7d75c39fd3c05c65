"""The consent map of a round: each section of its version, everyone's current stance on it,
and whether the statement's rule holds for it; and, from the latest round, the state of each
section of a text (drafting, in review, agreed, locked, contested)."""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.models.membership import Membership
from app.models.review import ReviewRound, Stance, StanceKind
from app.models.section import (
    Consent,
    ConsentPerson,
    ConsentSection,
    ConsentStance,
    SectionState,
)
from app.models.user import User
from app.services import section_locks, sections, versions
from app.services.approval import Voice, tally
from app.services.reviews import WITH_A_SAY, open_round_of

OBJECTIONS = {StanceKind.request_changes: "requests changes", StanceKind.block: "blocks"}


def consent(*, session: Session, review: ReviewRound) -> Consent:
    version = versions.find_version(
        session=session, statement_id=review.statement_id, number=review.version_number
    )
    found = sections.of_version(session=session, version=version)
    people = _people(session, review.statement_id)
    names = {person.user_id: person.name for person in people}
    current: dict[str, list[Stance]] = {}
    for stance in section_stances(session=session, round_id=review.id):
        current.setdefault(stance.section, []).append(stance)
    locked = section_locks.active(session=session, statement_id=review.statement_id)
    items = []
    for section in found:
        stances = current.get(section.key, [])
        held = {stance.user_id: stance.kind for stance in stances}
        voices = [Voice(p.name, p.organisation, held.get(p.user_id)) for p in people]
        verdict = tally(review.rule, review.quorum, voices)
        items.append(
            ConsentSection(
                section=section.key,
                heading=section.heading,
                level=section.level,
                agreed=verdict.holds,
                locked=section.key in locked,
                summary=_in_words(section.heading, stances, people, names, verdict.summary),
                stances=[
                    ConsentStance(
                        user_id=s.user_id,
                        name=names.get(s.user_id, "a former member"),
                        organisation=s.organisation,
                        kind=StanceKind(s.kind).value,
                        reason=s.reason,
                        carried_from=s.carried_from,
                        recorded_at=s.recorded_at,
                    )
                    for s in stances
                ],
            )
        )
    return Consent(
        data=items,
        count=len(items),
        round=review.id,
        version=review.version_number,
        rule=review.rule,
        closed=review.closed_at is not None,
        people=people,
    )


def section_stances(*, session: Session, round_id: int) -> Sequence[Stance]:
    """The current stances on sections in a round, oldest first."""
    return session.exec(
        select(Stance)
        .where(
            Stance.round_id == round_id,
            Stance.section != "",
            col(Stance.superseded_at).is_(None),
        )
        .order_by(col(Stance.recorded_at), col(Stance.id))
    ).all()


def states(
    *, session: Session, statement_id: int, text: str, found: list[sections.Section]
) -> dict[str, SectionState]:
    """The state of each of `found` (sections of `text`), from the open round, or else the
    latest: locked; agreed or contested while its text is the round's version's; in review
    while a round on a version with it is open; else drafting."""
    locked = section_locks.active(session=session, statement_id=statement_id)
    review = (
        open_round_of(session=session, statement_id=statement_id)
        or session.exec(
            select(ReviewRound)
            .where(ReviewRound.statement_id == statement_id)
            .order_by(col(ReviewRound.opened_at).desc(), col(ReviewRound.id).desc())
        ).first()
    )
    result = {s.key: SectionState.drafting for s in found}
    if review is not None:
        version = versions.find_version(
            session=session, statement_id=statement_id, number=review.version_number
        )
        reviewed = {
            s.key: s.text(version.text)
            for s in sections.of_version(session=session, version=version)
        }
        mapped = {item.section: item for item in consent(session=session, review=review).data}
        for section in found:
            item = mapped.get(section.key)
            if item is None:
                continue
            same = reviewed.get(section.key) == section.text(text)
            objected = any(s.kind in ("request_changes", "block") for s in item.stances)
            if same and item.agreed:
                result[section.key] = SectionState.agreed
            elif same and objected:
                result[section.key] = SectionState.contested
            elif review.closed_at is None:
                result[section.key] = SectionState.in_review
    for key in locked:
        if key in result:
            result[key] = SectionState.locked
    return result


def _people(session: Session, statement_id: int) -> list[ConsentPerson]:
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.statement_id == statement_id)
        .order_by(col(Membership.organisation), col(User.name))
    ).all()
    return [
        ConsentPerson(user_id=user.id, name=user.name, organisation=membership.organisation)
        for membership, user in rows
        if membership.role in WITH_A_SAY
    ]


def _in_words(
    heading: str,
    stances: list[Stance],
    people: list[ConsentPerson],
    names: dict[int, str],
    summary: str,
) -> str:
    """ "Resources: Wikimedia UK requests changes (reason); 3 organisations have not
    responded", or the rule's summary when nobody objects and everyone responded."""
    said = []
    for stance in stances:
        if stance.kind in OBJECTIONS:
            who = stance.organisation or names.get(stance.user_id, "a former member")
            said.append(f"{who} {OBJECTIONS[stance.kind]} ({stance.reason})")
    responded = {stance.user_id for stance in stances}
    groups: dict[str, bool] = {}
    for person in people:
        group = person.organisation or person.name
        groups[group] = groups.get(group, False) or person.user_id in responded
    silent = sum(1 for answered in groups.values() if not answered)
    if silent:
        noun = "organisation has" if silent == 1 else "organisations have"
        said.append(f"{silent} {noun} not responded")
    return f"{heading or 'Preamble'}: {'; '.join(said) if said else summary}"
