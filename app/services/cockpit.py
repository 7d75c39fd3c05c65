"""The facilitator's cockpit: who has not responded in the open round, by organisation; the
blocks and requests for changes with their reasons; the unresolved threads of each section of
the live draft; the open suggestions; and what closes when.

It only reads what the other services keep: reading it carries threads and suggestions to the
head, and names the draft's sections, as listing them does anywhere else.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.collab import log
from app.errors import Conflict
from app.models.audit import AuditEvent
from app.models.cockpit import (
    Cockpit,
    CockpitRound,
    Concern,
    Deadline,
    OpenSuggestion,
    RemindedPerson,
    Reminders,
    SectionThreads,
    ThreadBrief,
    TimeLeft,
    Waiting,
    WaitingOrganisation,
    WaitingPerson,
)
from app.models.comment import ThreadPublic
from app.models.membership import Membership, Permission
from app.models.review import ReviewRound, Stance, StanceKind
from app.models.statement import Statement
from app.models.user import User
from app.services import comments, reminders, sections, suggestions, versions
from app.services.anchors import follow
from app.services.reviews import open_round_of

CONCERNS = (StanceKind.block, StanceKind.request_changes)
DAY = 86_400
HOUR = 3_600


def gather(*, session: Session, statement_id: int, now: datetime) -> Cockpit:
    """Everything the facilitator should see of the statement, as it stands at `now`."""
    review = open_round_of(session=session, statement_id=statement_id)
    threads = unresolved_threads(session=session, statement_id=statement_id)
    return Cockpit(
        round=_round(review, now) if review else None,
        waiting=waiting(session=session, review=review) if review else None,
        concerns=concerns(session=session, review=review) if review else [],
        threads=threads,
        unresolved=sum(group.count for group in threads),
        suggestions=open_suggestions(session=session, statement_id=statement_id, now=now),
        deadlines=_deadlines(review, now),
    )


def closes_at(day: date) -> datetime:
    """A round with this closing date closes by itself once the day is over, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def time_left(until: datetime, now: datetime) -> TimeLeft:
    seconds = max(0, int((until - now).total_seconds()))
    days, hours = seconds // DAY, seconds % DAY // HOUR
    parts = [_count(days, "day"), _count(hours, "hour")]
    words = " and ".join(part for part in parts if part) or "less than an hour"
    return TimeLeft(seconds=seconds, days=days, hours=hours, words=words)


def _count(number: int, noun: str) -> str:
    if number == 0:
        return ""
    return f"1 {noun}" if number == 1 else f"{number} {noun}s"


def _round(review: ReviewRound, now: datetime) -> CockpitRound:
    ends = closes_at(review.closes_on) if review.closes_on else None
    return CockpitRound(
        id=review.id,
        version=review.version_number,
        opened_at=review.opened_at,
        closes_on=review.closes_on,
        closes_at=ends,
        left=time_left(ends, now) if ends else None,
    )


def _deadlines(review: ReviewRound | None, now: datetime) -> list[Deadline]:
    """What closes when, soonest first: the open round's closing date, if it has one.
    Amendments are put to a vote without a date: a facilitator closes each vote."""
    found = []
    if review is not None and review.closes_on is not None:
        ends = closes_at(review.closes_on)
        found.append(
            Deadline(
                what=f"The review round on version {review.version_number} closes",
                round=review.id,
                closes_on=review.closes_on,
                closes_at=ends,
                left=time_left(ends, now),
            )
        )
    return sorted(found, key=lambda deadline: deadline.closes_at)


def waiting(*, session: Session, review: ReviewRound) -> Waiting:
    """Who has a say and no current stance on the whole version, by organisation, with when
    each was last reminded of this round."""
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.statement_id == review.statement_id)
        .order_by(col(Membership.organisation), col(User.name), col(User.id))
    ).all()
    with_a_say = [(m, u) for m, u in rows if m.can(Permission.comment)]
    awaited = set(reminders.waiting(session, review))
    silent = [(m, u) for m, u in with_a_say if u.id in awaited]
    reminded = reminders.last_reminded(session, review)
    groups: dict[str, list[WaitingPerson]] = {}
    for membership, user in silent:
        groups.setdefault(membership.organisation, []).append(
            WaitingPerson(
                user_id=user.id,
                name=user.name,
                email=user.email,
                role=membership.role,
                last_reminded_at=reminded.get(user.id),
            )
        )
    # People who speak for no organisation come last, after the named ones.
    order = sorted(groups, key=lambda name: (name == "", name.casefold()))
    return Waiting(
        count=len(silent),
        of=len(with_a_say),
        organisations=[WaitingOrganisation(organisation=o, people=groups[o]) for o in order],
    )


def concerns(*, session: Session, review: ReviewRound) -> list[Concern]:
    """The current blocks and requests for changes of the round, on the version or on one of
    its sections, oldest first."""
    stances = session.exec(
        select(Stance, User)
        .join(User, col(User.id) == Stance.user_id)
        .where(
            Stance.round_id == review.id,
            col(Stance.superseded_at).is_(None),
            col(Stance.kind).in_(CONCERNS),
        )
        .order_by(col(Stance.recorded_at), col(Stance.id))
    ).all()
    if not stances:
        return []
    version = versions.find_version(
        session=session, statement_id=review.statement_id, number=review.version_number
    )
    headings = {s.key: s.heading for s in sections.of_version(session=session, version=version)}
    return [
        Concern(
            user_id=user.id,
            name=user.name,
            organisation=stance.organisation,
            kind=stance.kind,
            reason=stance.reason,
            section=stance.section or None,
            heading=headings.get(stance.section) if stance.section else None,
            quote=version.text[stance.start : stance.end]
            if stance.start is not None and stance.end is not None
            else None,
            recorded_at=stance.recorded_at,
        )
        for stance, user in stances
    ]


def unresolved_threads(*, session: Session, statement_id: int) -> list[SectionThreads]:
    """Each section of the live draft with its unresolved threads, in text order, and the
    threads whose passage is gone last, under a heading of their own."""
    listed = comments.list_threads(
        session=session, statement_id=statement_id, version=None, everything=False
    )
    unresolved = [thread for thread in listed if thread.resolved_at is None]
    rev, _, found = sections.draft(session=session, statement_id=statement_id)
    places = _at_revision(session, statement_id, unresolved, rev)
    groups: dict[str, list[ThreadBrief]] = {section.key: [] for section in found}
    gone: list[ThreadBrief] = []
    for thread in unresolved:
        start, end = places[thread.id]
        home = _section_at(found, start) if start < end else None
        (groups[home] if home is not None else gone).append(_brief(thread))
    result = [
        SectionThreads(
            section=section.key,
            heading=section.heading,
            count=len(groups[section.key]),
            threads=groups[section.key],
        )
        for section in found
    ]
    if gone:
        result.append(SectionThreads(section=None, heading="", count=len(gone), threads=gone))
    return result


def _at_revision(
    session: Session, statement_id: int, threads: list[ThreadPublic], rev: int
) -> dict[int, tuple[int, int]]:
    """Where each thread's passage stands at `rev`: the sections were read at that revision,
    which may be newer than the one the threads were brought to a moment before."""
    oldest = min((thread.rev for thread in threads), default=rev)
    later = list(
        log.ops_between(session=session, statement_id=statement_id, after=oldest, upto=rev)
    )
    return {
        thread.id: follow(
            thread.start, thread.end, [change.op for change in later if change.rev > thread.rev]
        )
        for thread in threads
    }


def _section_at(found: Sequence[sections.Section], position: int) -> str | None:
    """The section a position of the text falls in (the last one for the very end; the first
    for blank lines before it)."""
    home = found[0].key if found else None
    for section in found:
        if section.start <= position:
            home = section.key
    return home


def _brief(thread: ThreadPublic) -> ThreadBrief:
    first = thread.comments[0] if thread.comments else None
    return ThreadBrief(
        id=thread.id,
        quote=thread.quote,
        started_by=first.author["name"] if first else "a former member",
        started_at=thread.created_at,
        comments=sum(1 for comment in thread.comments if comment.deleted_at is None),
        last_at=max((comment.created_at for comment in thread.comments), default=thread.created_at),
    )


def open_suggestions(*, session: Session, statement_id: int, now: datetime) -> list[OpenSuggestion]:
    """The suggestions still open or put to a vote, oldest first, with their authors."""
    listed = suggestions.list_suggestions(session=session, statement_id=statement_id)
    undecided = [s for s in listed if s.status in suggestions.CARRIED]
    named = suggestions.authors(session=session, statement_id=statement_id, suggestions=undecided)
    opened = _votes_opened(session, statement_id)
    return [
        OpenSuggestion(
            id=s.id,
            status=s.status,
            author=named[s.author_id]["name"],
            organisation=named[s.author_id]["organisation"],
            delete=s.replaced,
            insert=s.inserted,
            reason=s.reason,
            created_at=s.created_at,
            age_days=max(0, (now - s.created_at).days),
            vote_opened_at=opened.get(s.id) if s.status == "voting" else None,
        )
        for s in undecided
    ]


def _votes_opened(session: Session, statement_id: int) -> dict[int, datetime]:
    """When each suggestion was last put to a vote, from the audit log."""
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.statement_id == statement_id, AuditEvent.kind == "suggestion.vote_opened")
        .order_by(col(AuditEvent.at))
    ).all()
    return {event.data["suggestion"]: event.at for event in events if "suggestion" in event.data}


def remind(
    *, session: Session, statement: Statement, review: ReviewRound, actor: User
) -> Reminders:
    """Email everyone who has not responded in the open round, except who was reminded of it
    earlier today (UTC); 409 once the round is closed. The one reminding is not reminded."""
    if review.closed_at is not None:
        raise Conflict("This review round is closed: there is nobody to remind.")
    told = reminders.remind(session=session, review=review, statement=statement, actor=actor)
    named = _named(session, review.statement_id, {*told.reminded, *told.already})
    return Reminders(
        reminded=[named[user_id] for user_id in _in_order(named, told.reminded)],
        already=[named[user_id] for user_id in _in_order(named, told.already)],
    )


def _named(session: Session, statement_id: int, user_ids: set[int]) -> dict[int, RemindedPerson]:
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.statement_id == statement_id, col(User.id).in_(user_ids))
    ).all()
    return {
        user.id: RemindedPerson(
            user_id=user.id, name=user.name, organisation=membership.organisation
        )
        for membership, user in rows
    }


def _in_order(named: dict[int, RemindedPerson], user_ids: list[int]) -> list[int]:
    """By organisation, then name, as the cockpit lists those who have not responded."""
    found = [user_id for user_id in user_ids if user_id in named]
    return sorted(found, key=lambda i: _place(named[i]))


def _place(person: RemindedPerson) -> tuple[bool, str, str, int]:
    return (person.organisation == "", person.organisation.casefold(), person.name, person.user_id)
