"""Each suggestion's discussion: one comment thread, made with its first comment.

A suggestion's thread is a live-draft thread like any other (the comment machinery of
app/services/comments.py: mentions, edits, tombstones), anchored where the suggestion stood
when the discussion began, but it is about the suggestion, not a passage: the listing of
passage threads leaves it out. Of two first comments at once, the unique index on the thread's
suggestion keeps one thread, and the other comment joins it.
"""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.config import Settings
from app.models.comment import Comment, CommentPublic, Thread
from app.models.suggestion import Suggestion
from app.models.user import User
from app.services import comments


def thread_of(*, session: Session, suggestion: Suggestion) -> Thread | None:
    return session.exec(select(Thread).where(Thread.suggestion_id == suggestion.id)).first()


def discussion(*, session: Session, suggestion: Suggestion) -> list[CommentPublic]:
    """The comments on a suggestion, oldest first; none before the first."""
    thread = thread_of(session=session, suggestion=suggestion)
    if thread is None:
        return []
    (found,) = comments.list_threads(
        session=session,
        statement_id=suggestion.statement_id,
        version=None,
        everything=False,
        thread_id=thread.id,
    )
    return found.comments


def _start_thread(session: Session, suggestion: Suggestion, author: User) -> Thread:
    """The suggestion's thread, made now unless another first comment made it meanwhile."""
    thread = Thread(
        statement_id=suggestion.statement_id,
        start=suggestion.start,
        end=suggestion.end,
        anchor_rev=suggestion.anchor_rev,
        quote=suggestion.replaced,
        outdated=suggestion.start == suggestion.end,
        suggestion_id=suggestion.id,
        created_by=author.id,
    )
    try:
        with session.begin_nested():
            session.add(thread)
    except IntegrityError:
        made = thread_of(session=session, suggestion=suggestion)
        assert made is not None  # the index refused ours for this one
        return made
    return thread


def comment(
    *, session: Session, settings: Settings, suggestion: Suggestion, body: str, author: User
) -> Comment:
    """Add a comment to the suggestion's discussion, beginning it if this is the first."""
    thread = thread_of(session=session, suggestion=suggestion) or _start_thread(
        session, suggestion, author
    )
    made = comments.reply(
        session=session, settings=settings, thread=thread, body=body, author=author
    )
    session.flush()
    return made
