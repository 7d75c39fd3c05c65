"""Who wrote each character of a statement's text, from the operation log nobody can erase.

Authorship is kept as runs: (length, author id) pairs that cover the text in order. Each
change's inserts belong to its author; deletes remove characters with whoever wrote them.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.collab import log
from app.errors import NotFound
from app.models.authorship import AuthorshipSnapshot
from app.models.history import AuthorshipPublic, Writer
from app.models.membership import Membership
from app.models.user import User
from app.services.accepted_words import accepted_words
from app.services.members import colour_of

Run = tuple[int, int | None]  # (length in code points, author id)
KEEP_AFTER = 1_000  # a replay this long is kept, so the next one starts from there
KEEP_EVERY = 10_000  # and a long one also keeps the runs it passes at every such revision


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


class Replay:
    """Runs edited in place, one change after another, for replaying a long log.

    `apply_to_runs` builds a new list per change, which costs the whole list each time: on a
    long text written in turns that is thousands of runs for every keystroke. Here a
    keystroke-shaped change (retain, insert, delete, retain) splits and joins runs around
    its position only, found by walking from the previous change's position (people type
    near where they typed last). Other shapes go through `apply_to_runs`. Either way the runs
    are the same as `apply_to_runs` gives: merged, none empty.
    """

    def __init__(self, runs: Iterable[Run] = ()) -> None:
        self._reset(runs)

    def _reset(self, runs: Iterable[Run]) -> None:
        merged: list[Run] = []
        for length, writer in runs:
            _push(merged, length, writer)
        self.lengths = [length for length, _ in merged]
        self.writers = [writer for _, writer in merged]
        self.total = sum(self.lengths)
        self.index, self.start = 0, 0  # a run, and the position where it starts

    def runs(self) -> list[Run]:
        return list(zip(self.lengths, self.writers, strict=True))

    def apply(self, op: Sequence[Any], author: int | None) -> None:
        edit = _keystroke(op)
        if edit is None or edit[3] != self.total:
            self._reset(apply_to_runs(self.runs(), op, author))
            return
        position, inserted, deleted, _ = edit
        at = self._split(position)
        if deleted:
            end = self._split(position + deleted)
            del self.lengths[at:end], self.writers[at:end]
        if inserted:
            self.lengths.insert(at, inserted)
            self.writers.insert(at, author)
        self.total += inserted - deleted
        # Only the runs either side of the change can now need joining.
        first = max(at - 1, 0)
        start = position - self.lengths[at - 1] if at > 0 else 0
        last = at + 1 if inserted else at
        index = first
        while index < last and index + 1 < len(self.lengths):
            if self.writers[index] == self.writers[index + 1]:
                self.lengths[index] += self.lengths[index + 1]
                del self.lengths[index + 1], self.writers[index + 1]
                last -= 1
            else:
                index += 1
        self.index, self.start = (first, start) if self.lengths else (0, 0)

    def _split(self, position: int) -> int:
        """The index of the run starting at `position`, splitting the run across it."""
        lengths, index, start = self.lengths, self.index, self.start
        while start > position:
            index -= 1
            start -= lengths[index]
        while index < len(lengths) and start + lengths[index] <= position:
            start += lengths[index]
            index += 1
        if start < position:
            lengths.insert(index + 1, start + lengths[index] - position)
            self.writers.insert(index + 1, self.writers[index])
            lengths[index] = position - start
            index, start = index + 1, position
        self.index, self.start = index, start
        return index


def _keystroke(op: Sequence[Any]) -> tuple[int, int, int, int] | None:
    """(position, inserted length, deleted length, base length) of a keystroke-shaped
    operation (retain, insert, delete, retain; each optional), or None for another shape."""
    position = inserted = deleted = rest = 0
    index, size = 0, len(op)
    if index < size and type(op[index]) is int and op[index] > 0:
        position = op[index]
        index += 1
    if index < size and type(op[index]) is str:
        inserted = len(op[index])
        index += 1
    if index < size and type(op[index]) is int and op[index] < 0:
        deleted = -op[index]
        index += 1
    if index < size and type(op[index]) is int and op[index] > 0:
        rest = op[index]
        index += 1
    if index != size:
        return None
    return position, inserted, deleted, position + deleted + rest


def runs_at(*, session: Session, statement_id: int, rev: int, keep: bool = True) -> list[Run]:
    """The authorship of the text at `rev`: from the nearest kept runs at or before it, the
    log replayed after them. Where that replay was long, the result is kept for next time,
    and so are the runs it passed at every KEEP_EVERY revisions, for questions about them
    (committing the caller's session); not with `keep` False, inside a larger transaction."""
    kept = session.exec(
        select(AuthorshipSnapshot)
        .where(AuthorshipSnapshot.statement_id == statement_id, col(AuthorshipSnapshot.rev) <= rev)
        .order_by(col(AuthorshipSnapshot.rev).desc())
        .limit(1)
    ).first()
    replay = Replay((int(length), writer) for length, writer in kept.runs) if kept else Replay()
    start = kept.rev if kept else 0
    passed: list[tuple[int, list[Run]]] = []
    replayed = 0
    for change in log.ops_between(
        session=session, statement_id=statement_id, after=start, upto=rev
    ):
        replay.apply(change.op, change.author_id)
        replayed += 1
        at = change.rev
        if at % KEEP_EVERY == 0 and at - start >= KEEP_EVERY and at < rev:
            passed.append((at, replay.runs()))
    runs = replay.runs()
    if keep and replayed >= KEEP_AFTER:
        _keep(session, statement_id, [*passed, (rev, runs)])
    return runs


def _keep(session: Session, statement_id: int, found: list[tuple[int, list[Run]]]) -> None:
    for rev, runs in found:
        try:
            with session.begin_nested():
                session.add(AuthorshipSnapshot(statement_id=statement_id, rev=rev, runs=runs))
        except IntegrityError:
            pass  # another request kept the same revision first
    session.commit()


def authorship(*, session: Session, statement_id: int, rev: int | None) -> AuthorshipPublic:
    """The runs at `rev` (default: the head) and the people they name."""
    head = log.head_revision(session=session, statement_id=statement_id)
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
    accepted = accepted_words(session=session, statement_id=statement_id, rev=rev)
    return AuthorshipPublic(rev=rev, runs=runs, writers=writers, accepted=accepted)
