"""Comment threads on passages: start one, reply, edit one's own words, delete, resolve.

Live-draft threads follow their passage through every change (app/services/anchors.py); a
thread whose passage was deleted whole stays, marked outdated, with the quote it began with,
and takes its passage again if that quote comes back where the passage was.
"""

import re
from datetime import datetime
from functools import partial

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.collab import log
from app.config import Settings
from app.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from app.models.base import utcnow
from app.models.comment import (
    Comment,
    CommentEdit,
    CommentPublic,
    Thread,
    ThreadCreate,
    ThreadPublic,
)
from app.models.membership import Membership
from app.models.user import User
from app.services import markdown, news, versions
from app.services.anchors import carry
from app.services.text import text_at


def _check_body(settings: Settings, body: str) -> None:
    if len(body) > settings.max_comment_chars:
        raise TooLarge(f"A comment may hold at most {settings.max_comment_chars} characters.")


def _member_names(session: Session, statement_id: int) -> dict[int, tuple[str, str]]:
    rows = session.exec(
        select(User.id, User.name, Membership.organisation)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.statement_id == statement_id)
    ).all()
    return {user_id: (name, organisation) for user_id, name, organisation in rows}


def _mentions(body: str, members: dict[int, tuple[str, str]]) -> list[int]:
    """The members named after an @ in `body` (longest names first, so "@Ann Lee" is not "@Ann")."""
    found: list[int] = []
    for user_id, (name, _) in sorted(members.items(), key=lambda m: -len(m[1][0])):
        if re.search(rf"@{re.escape(name)}(?!\w)", body):
            found.append(user_id)
    return sorted(found)


def start_thread(
    *,
    session: Session,
    settings: Settings,
    statement_id: int,
    thread_in: ThreadCreate,
    author: User,
) -> Thread:
    _check_body(settings, thread_in.body)
    if thread_in.version is not None and thread_in.rev is not None:
        raise Invalid("A passage is in a version or in the live draft at a revision, not both.")
    if thread_in.version is not None:
        version = versions.find_version(
            session=session, statement_id=statement_id, number=thread_in.version
        )
        text, rev = version.text, version.rev
    else:
        at = text_at(session=session, statement_id=statement_id, rev=thread_in.rev)
        text, rev = at.text, at.rev
    if not thread_in.start < thread_in.end <= len(text):
        raise Invalid(
            f"The passage [{thread_in.start}, {thread_in.end}) is not within the text, "
            f"which has {len(text)} characters."
        )
    start, end = thread_in.start, thread_in.end
    if thread_in.version is None:
        # Bring the passage up to the head, so every thread is kept at a recent revision.
        head = log.head_revision(session=session, statement_id=statement_id)
        # Only up to that head: what is committed meanwhile must not move a passage that is
        # then said to stand there.
        later = log.ops_between(session=session, statement_id=statement_id, after=rev, upto=head)
        changes = [change.op for change in later]
        start, end = carry(start, end, changes, quote=text[start:end], text=lambda: text)
        rev = head
    thread = Thread(
        statement_id=statement_id,
        version_number=thread_in.version,
        start=start,
        end=end,
        anchor_rev=rev,
        quote=text[thread_in.start : thread_in.end],
        outdated=start == end,
        created_by=author.id,
    )
    session.add(thread)
    session.flush()
    members = _member_names(session, statement_id)
    first = Comment(
        thread_id=thread.id,
        author_id=author.id,
        body=thread_in.body,
        mentions=_mentions(thread_in.body, members),
    )
    session.add(first)
    session.flush()
    news.comment_posted(session, thread=thread, comment=first, author=author)
    return thread


def find_thread(*, session: Session, statement_id: int, thread_id: int) -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None or thread.statement_id != statement_id:
        raise NotFound("This statement has no such thread.")
    return thread


def find_comment(*, session: Session, statement_id: int, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    thread = session.get(Thread, comment.thread_id) if comment else None
    if comment is None or thread is None or thread.statement_id != statement_id:
        raise NotFound("This statement has no such comment.")
    return comment


def reply(
    *, session: Session, settings: Settings, thread: Thread, body: str, author: User
) -> Comment:
    _check_body(settings, body)
    members = _member_names(session, thread.statement_id)
    comment = Comment(
        thread_id=thread.id, author_id=author.id, body=body, mentions=_mentions(body, members)
    )
    session.add(comment)
    session.flush()
    news.comment_posted(session, thread=thread, comment=comment, author=author)
    return comment


def _hold(session: Session, comment: Comment) -> None:
    """Hold the comment until this transaction ends (a write: see hold_statement), and read it
    as it is now."""
    session.execute(
        update(Comment).where(col(Comment.id) == comment.id).values(body=col(Comment.body))
    )
    session.refresh(comment)


def edit(
    *, session: Session, settings: Settings, comment: Comment, body: str, editor: User
) -> Comment:
    """Change one's own comment; the earlier wording is kept."""
    _check_body(settings, body)
    if comment.author_id != editor.id:
        raise Forbidden("Only its author may edit a comment.")
    # Edits of one comment take turns, each keeping the wording it replaced.
    _hold(session, comment)
    if comment.deleted_at is not None:
        raise Conflict("A deleted comment cannot be edited.")
    if body == comment.body:
        return comment
    session.add(
        CommentEdit(
            comment_id=comment.id,
            body=comment.body,
            written_at=comment.edited_at or comment.created_at,
        )
    )
    thread = session.get(Thread, comment.thread_id)
    assert thread is not None
    before = set(comment.mentions)
    comment.body = body
    comment.mentions = _mentions(body, _member_names(session, thread.statement_id))
    comment.edited_at = utcnow()
    session.add(comment)
    news.comment_posted(
        session, thread=thread, comment=comment, author=editor, mentioned_before=before, edit=True
    )
    return comment


def delete(*, session: Session, comment: Comment, actor: User, may_moderate: bool) -> None:
    """Leave a tombstone: the thread keeps its place and order, the words go, earlier ones too."""
    if comment.author_id != actor.id and not may_moderate:
        raise Forbidden("Only its author or a facilitator may delete a comment.")
    _hold(session, comment)  # so that no edit at the same moment keeps a wording
    if comment.deleted_at is not None:
        return
    for earlier in session.exec(select(CommentEdit).where(CommentEdit.comment_id == comment.id)):
        session.delete(earlier)
    comment.body = ""
    comment.mentions = []
    comment.deleted_at = utcnow()
    session.add(comment)


def set_resolved(*, session: Session, thread: Thread, actor: User, resolved: bool) -> None:
    """Resolve the thread, or reopen it; resolving it again keeps who resolved it first, and
    when."""
    change = update(Thread).where(col(Thread.id) == thread.id)
    if resolved:
        change = change.where(col(Thread.resolved_at).is_(None)).values(
            resolved_at=utcnow(), resolved_by=actor.id
        )
    else:
        change = change.values(resolved_at=None, resolved_by=None)
    session.execute(change, execution_options={"synchronize_session": False})
    session.expire(thread)


def _bring_to_head(session: Session, statement_id: int, live: list[Thread]) -> None:
    """Carry live-draft passages up to the head (re-attaching those whose quote came back) and
    save them there."""
    if not live:
        return
    head = log.head_revision(session=session, statement_id=statement_id)
    oldest = min(t.anchor_rev for t in live)
    if oldest >= head:
        return
    changes = list(  # up to the head just read, as in start_thread
        log.ops_between(session=session, statement_id=statement_id, after=oldest, upto=head)
    )
    texts: dict[int, str] = {}  # threads saved together share their revision's text

    def text_of(rev: int) -> str:
        if rev not in texts:
            texts[rev] = text_at(session=session, statement_id=statement_id, rev=rev).text
        return texts[rev]

    for thread in live:
        later = [change.op for change in changes if change.rev > thread.anchor_rev]
        thread.start, thread.end = carry(
            thread.start,
            thread.end,
            later,
            quote=thread.quote,
            text=partial(text_of, thread.anchor_rev),
        )
        thread.anchor_rev = head
        thread.outdated = thread.start == thread.end
        session.add(thread)
    session.commit()


def list_threads(
    *,
    session: Session,
    statement_id: int,
    version: int | None,
    everything: bool,
    thread_id: int | None = None,
    of_suggestions: bool = False,
) -> list[ThreadPublic]:
    """Threads in text order: of the live draft (`version` None), of one version, or all;
    with `thread_id`, only that one. The threads that discuss suggestions are listed only
    when asked for (`of_suggestions`), and then only they: they are not about a passage.

    Live-draft passages are first brought up to the head; those that moved are saved there.
    """
    query = select(Thread).where(Thread.statement_id == statement_id)
    if thread_id is not None:
        query = query.where(Thread.id == thread_id)
    else:
        about = col(Thread.suggestion_id)
        query = query.where(about.is_not(None) if of_suggestions else about.is_(None))
        if not everything:
            query = query.where(Thread.version_number == version)
    threads = list(session.exec(query).all())
    _bring_to_head(session, statement_id, [t for t in threads if t.version_number is None])
    members = _member_names(session, statement_id)
    comments = session.exec(
        select(Comment)
        .where(col(Comment.thread_id).in_([t.id for t in threads]))
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all()
    edits = _edit_counts(session, [c.id for c in comments])
    by_thread: dict[int, list[CommentPublic]] = {}
    for comment in comments:
        by_thread.setdefault(comment.thread_id, []).append(
            to_public(comment, members, edits.get(comment.id, 0))
        )
    ordered = sorted(threads, key=lambda t: (t.version_number or 0, t.outdated, t.start, t.id))
    return [
        ThreadPublic(
            id=t.id,
            version=t.version_number,
            start=t.start,
            end=t.end,
            rev=t.anchor_rev,
            quote=t.quote,
            outdated=t.outdated,
            created_at=t.created_at,
            resolved_at=t.resolved_at,
            resolved_by=_name(members, t.resolved_by) if t.resolved_by else None,
            suggestion=t.suggestion_id,
            comments=by_thread.get(t.id, []),
        )
        for t in ordered
    ]


def _edit_counts(session: Session, comment_ids: list[int]) -> dict[int, int]:
    rows = session.exec(
        select(CommentEdit.comment_id).where(col(CommentEdit.comment_id).in_(comment_ids))
    ).all()
    counts: dict[int, int] = {}
    for comment_id in rows:
        counts[comment_id] = counts.get(comment_id, 0) + 1
    return counts


def _name(members: dict[int, tuple[str, str]], user_id: int | None) -> str:
    return members[user_id][0] if user_id in members else "a former member"


def to_public(
    comment: Comment, members: dict[int, tuple[str, str]], edits: int = 0
) -> CommentPublic:
    name, organisation = members.get(comment.author_id or 0, ("a former member", ""))
    mentioned = [members[m][0] for m in comment.mentions if m in members]
    return CommentPublic(
        id=comment.id,
        author={"id": comment.author_id, "name": name, "organisation": organisation},
        body=comment.body,
        html=markdown.render(comment.body, mentioned) if comment.body else "",
        mentions=comment.mentions,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        deleted_at=comment.deleted_at,
        edits=edits,
    )


def earlier_wordings(*, session: Session, comment: Comment) -> list[tuple[str, datetime]]:
    rows = session.exec(
        select(CommentEdit)
        .where(CommentEdit.comment_id == comment.id)
        .order_by(col(CommentEdit.written_at))
    ).all()
    return [(row.body, row.written_at) for row in rows]
