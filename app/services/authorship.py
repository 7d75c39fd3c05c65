"""Who wrote each character of a statement's text, from the operation log nobody can erase.

Authorship is kept as runs: (length, author id) pairs that cover the text in order. Each
change's inserts belong to its author; deletes remove characters with whoever wrote them.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models.history import AuthorshipPublic, Writer
from app.models.membership import Membership
from app.models.operation import AuthorshipSnapshot, Operation
from app.models.user import User
from app.services.members import colour_of
from app.services.text import head_revision

Run = tuple[int, int | None]  # (length in code points, author id)
KEEP_AFTER = 1_000  # a replay this long is kept, so the next one starts from there


def _push(runs: list[Run], length: int, author: int | None) -> None:
    if length <= 0:
        return
    if runs and runs[-1][1] == author:
        runs[-1] = (runs[-1][0] + length, author)
    else:
        runs.append((length, author))


def apply_to_runs(runs: Sequence[Run], op: Iterable[Any], author: int | None) -> list[Run]:
    """The runs after `op` by `author`: what it retains keeps its writer, what it inserts is
    the author's, what it deletes is gone."""
    result: list[Run] = []
    index, used = 0, 0  # the run being walked, and how much of it is already consumed
    for component in op:
        if isinstance(component, str):
            _push(result, len(component), author)
            continue
        left = abs(component)
        while left > 0:
            length, writer = runs[index]
            take = min(left, length - used)
            if component > 0:
                _push(result, take, writer)
            left -= take
            used += take
            if used == length:
                index, used = index + 1, 0
    return result


def runs_at(*, session: Session, statement_id: int, rev: int) -> list[Run]:
    """The authorship of the text at `rev`: from the nearest kept runs at or before it, the
    log replayed after them. Where that replay was long, the result is kept for next time."""
    kept = session.exec(
        select(AuthorshipSnapshot)
        .where(AuthorshipSnapshot.statement_id == statement_id, col(AuthorshipSnapshot.rev) <= rev)
        .order_by(col(AuthorshipSnapshot.rev).desc())
        .limit(1)
    ).first()
    runs: list[Run] = [(int(length), writer) for length, writer in kept.runs] if kept else []
    start = kept.rev if kept else 0
    query = (
        select(Operation.op, Operation.author_id)
        .where(
            Operation.statement_id == statement_id,
            col(Operation.rev) > start,
            col(Operation.rev) <= rev,
        )
        .order_by(col(Operation.rev))
    )
    replayed = 0
    for op, author in session.exec(query.execution_options(yield_per=1000)):
        runs = apply_to_runs(runs, op, author)
        replayed += 1
    if replayed >= KEEP_AFTER:
        _keep(session, statement_id, rev, runs)
    return runs


def _keep(session: Session, statement_id: int, rev: int, runs: list[Run]) -> None:
    try:
        with session.begin_nested():
            session.add(AuthorshipSnapshot(statement_id=statement_id, rev=rev, runs=runs))
        session.commit()
    except IntegrityError:
        session.rollback()  # another request kept the same revision first


def authorship(*, session: Session, statement_id: int, rev: int | None) -> AuthorshipPublic:
    """The runs at `rev` (default: the head) and the people they name."""
    head = head_revision(session=session, statement_id=statement_id)
    if rev is None:
        rev = head
    elif rev > head:
        raise NotFound(f"Revision {rev} does not exist; this statement is at revision {head}.")
    runs = runs_at(session=session, statement_id=statement_id, rev=rev)
    ids = {writer for _, writer in runs if writer is not None}
    names = session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all()
    organisations = dict(
        session.exec(
            select(Membership.user_id, Membership.organisation).where(
                Membership.statement_id == statement_id, col(Membership.user_id).in_(ids)
            )
        ).all()
    )
    writers = [
        Writer(id=id_, name=name, organisation=organisations.get(id_, ""), colour=colour_of(id_))
        for id_, name in sorted(names)
    ]
    return AuthorshipPublic(rev=rev, runs=runs, writers=writers)
