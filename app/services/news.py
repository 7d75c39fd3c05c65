"""What each event of a statement tells whom: the notifications other services ask for, in
their own transaction (app/services/notifications.py writes them)."""

from datetime import date, datetime

from sqlmodel import Session, col, select

from app.models.comment import Comment, Thread
from app.models.membership import Membership, Permission
from app.models.notification import Kind, MailState
from app.models.review import ReviewRound
from app.models.statement import Statement
from app.models.suggestion import Suggestion
from app.models.user import User
from app.services import authorship, notification_mail
from app.services.notifications import News, reach_of, tell


def _members(session: Session, statement_id: int, *, with_a_say: bool = False) -> list[int]:
    """The statement's members; `with_a_say`, those who may record a stance."""
    found = session.exec(select(Membership).where(Membership.statement_id == statement_id))
    return [m.user_id for m in found if not with_a_say or m.can(Permission.comment)]


def _statement(session: Session, statement_id: int) -> Statement:
    statement = session.get(Statement, statement_id)
    assert statement is not None
    return statement


def comment_posted(
    session: Session,
    *,
    thread: Thread,
    comment: Comment,
    author: User,
    mentioned_before: set[int] | None = None,
    edit: bool = False,
) -> None:
    """Those newly mentioned in the comment, and, for a new reply, those who started or took
    part in the thread."""
    statement = _statement(session, thread.statement_id)
    # A suggestion's discussion is shown with the suggestions, a passage's thread on its own.
    where = "suggestions" if thread.suggestion_id is not None else f"thread-{thread.id}"
    path = f"/statements/{statement.id}#{where}"
    mentioned = set(comment.mentions) - (mentioned_before or set())
    tell(
        session,
        news=News(
            kind=Kind.mention,
            statement=statement,
            actor=author,
            title=f"{author.name} mentioned you",
            body=comment.body,
            path=path,
        ),
        recipients=mentioned,
    )
    if edit:
        return  # nobody is told of a reply again when it is edited
    earlier = session.exec(
        select(Comment.author_id).where(
            Comment.thread_id == thread.id, col(Comment.id) != comment.id
        )
    ).all()
    if not earlier:
        return  # the thread's first comment
    taking_part = {a for a in earlier if a is not None} | {thread.created_by or 0}
    tell(
        session,
        news=News(
            kind=Kind.reply,
            statement=statement,
            actor=author,
            title=(
                f"{author.name} replied in the discussion of a suggestion"
                if thread.suggestion_id is not None
                else f"{author.name} replied in a thread on “{thread.quote[:60]}”"
            ),
            body=comment.body,
            path=path,
        ),
        recipients=taking_part - set(comment.mentions),
    )


def _writers(session: Session, suggestion: Suggestion) -> set[int]:
    """Who wrote the characters the suggestion changes (for an insertion, those around it)."""
    runs = authorship.runs_at(
        session=session,
        statement_id=suggestion.statement_id,
        rev=suggestion.anchor_rev,
        keep=False,  # no commit halfway through the suggestion's transaction
    )
    start, end = suggestion.start, suggestion.end
    if start == end:
        start, end = start - 1, end + 1  # an insertion: the words either side
    found: set[int] = set()
    at = 0
    for length, writer in runs:
        if at < end and at + length > start and writer is not None:
            found.add(writer)
        at += length
    return found


def _change(suggestion: Suggestion) -> str:
    """The suggestion in words: what it replaces with what, and why."""
    old, new = suggestion.replaced, suggestion.inserted
    what = (
        f"Replace “{old}” with “{new}”"
        if old and new
        else (f"Insert “{new}”" if new else f"Delete “{old}”")
    )
    return f"{what}\n{suggestion.reason}" if suggestion.reason else what


def suggestion_made(session: Session, *, suggestion: Suggestion, author: User) -> None:
    statement = _statement(session, suggestion.statement_id)
    tell(
        session,
        news=News(
            kind=Kind.suggestion,
            statement=statement,
            actor=author,
            title=f"{author.name} suggested a change to text you wrote",
            body=_change(suggestion),
            path=f"/statements/{statement.id}#suggestions",
        ),
        recipients=_writers(session, suggestion),
    )


DECIDED = {
    "accepted": "accepted",
    "rejected": "rejected",
    "adopted": "adopted by vote",
    "not_adopted": "not adopted by vote",
}


def suggestion_decided(
    session: Session, *, suggestion: Suggestion, actor: User | None, outcome: str, reason: str = ""
) -> None:
    """The decision on a suggestion, told to its author."""
    if suggestion.author_id is None:
        return
    statement = _statement(session, suggestion.statement_id)
    tell(
        session,
        news=News(
            kind=Kind.decision,
            statement=statement,
            actor=actor,
            title=f"Your suggestion was {DECIDED[outcome]}",
            body=f"{_change(suggestion)}\n{reason}" if reason else _change(suggestion),
            path=f"/statements/{statement.id}#suggestions",
        ),
        recipients=[suggestion.author_id],
    )


def _closing(closes_on: date | None) -> str:
    return f"It closes at the end of {closes_on:%A %d %B %Y} (UTC)." if closes_on else ""


def round_opened(
    session: Session, *, statement: Statement, review: ReviewRound, actor: User
) -> None:
    tell(
        session,
        news=News(
            kind=Kind.round_opened,
            statement=statement,
            actor=actor,
            title=f"Review round opened on version {review.version_number}",
            body=f"Read the version and record your stance. {_closing(review.closes_on)}",
            path=f"/statements/{statement.id}/versions/{review.version_number}",
        ),
        recipients=_members(session, statement.id, with_a_say=True),
    )


def round_closed(
    session: Session, *, statement: Statement, review: ReviewRound, actor: User | None
) -> None:
    approved = bool(review.approved)
    tell(
        session,
        news=News(
            kind=Kind.round_closed,
            statement=statement,
            actor=actor,
            title=(
                f"Version {review.version_number} is approved"
                if approved
                else f"The review round on version {review.version_number} closed without approval"
            ),
            body="The round has closed; its record shows every stance.",
            path=f"/statements/{statement.id}/rounds/{review.id}",
        ),
        recipients=_members(session, statement.id),
    )


def reminder(
    session: Session,
    *,
    statement: Statement,
    review: ReviewRound,
    actor: User | None,
    people: list[int],
    once: str,
) -> list[int]:
    """Remind `people` to respond in the round; each at most once for `once`. Who was told."""
    told = tell(
        session,
        news=News(
            kind=Kind.round_reminder,
            statement=statement,
            actor=actor,
            title=f"Your stance on version {review.version_number} is awaited",
            body=f"You have not responded in the open round yet. {_closing(review.closes_on)}",
            path=f"/statements/{statement.id}/versions/{review.version_number}",
            once=once,
        ),
        recipients=people,
    )
    return [row.user_id for row in told]


def published(session: Session, *, statement: Statement, number: int, actor: User) -> None:
    tell(
        session,
        news=News(
            kind=Kind.publication,
            statement=statement,
            actor=actor,
            title=f"Version {number} is published",
            body=f"“{statement.title}” is published for everyone to read.",
            path=f"/s/{statement.slug}",
        ),
        recipients=_members(session, statement.id),
    )


def invited(
    session: Session,
    *,
    statement: Statement,
    actor: User,
    email: str,
    url: str,
    path: str,
    role: str,
    expires_at: datetime,
) -> str | None:
    """Send an invitation link to `email`: in the app and by email to someone with an account
    (as they chose), by email alone to anyone else. The address when an email is on its way."""
    title = f"{actor.name} invites you to “{statement.title}” as {role}"
    body = f"Accept the invitation before {expires_at:%d %B %Y}."
    person = session.exec(select(User).where(User.email == email)).first()
    if person is not None:
        told = tell(
            session,
            news=News(
                kind=Kind.invitation,
                statement=None,
                actor=actor,
                title=title,
                body=body,
                path=path,
            ),
            recipients=[person.id],
        )
        mailed = [row for row in told if row.mail in (MailState.queued, MailState.digest)]
        return email if mailed else None
    if not reach_of(session).mail:
        return None
    letter = notification_mail.Letter(
        subject=title,
        lead="Hello,",
        items=[(title, body, url)],
        footer=f"{actor.name} sent this invitation through Accord, to this address only.",
    )
    notification_mail.write(session, to=email, letter=letter)
    return email
