"""The op log and its text snapshots: the only code that reads or writes them.

Every change to a statement's text is a row of `operation`, numbered by revision and never
erased. Every SNAPSHOT_EVERY revisions a room also writes the whole text to `snapshot`, so
that reading a text replays only the changes after the nearest snapshot. Rooms write their
batches through append_many, several rooms' in one transaction; the few changes made outside
a room (a new statement's first draft, the demo's history) are added one at a time.

On PostgreSQL several workers write, and the database is their sequencer: revisions are
claimed under a lock per statement. The transaction that writes a batch first takes a
transaction-scoped advisory lock on each of its statements (in statement order, so that two
workers never wait on each other in a circle), then reads what other workers wrote after the
batch's base. Usually, with one worker per statement, that is nothing and the batch is
written as it is. Otherwise the batch's changes are sequenced again (app/collab/document.py),
from what their senders sent, after those changes, still under the lock: a worker never gives
up its turn to retry. The commit releases the locks and makes PostgreSQL deliver the notice
that tells the other workers there is something new, so no worker hears of a revision that
is not durable. (statement_id, rev) stays the primary key besides: two writers can never
take one revision, whatever else goes wrong.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy
from sqlalchemy import Connection, Engine, Row, Select, func, insert
from sqlalchemy import text as sql
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from app.collab import ops
from app.collab.change import Batch, Change, Rebased
from app.collab.document import sent_of, sequence_again
from app.collab.fanout import CHANNEL, MAX_NOTICE_BYTES, notice
from app.models.base import utcnow
from app.models.operation import Operation, Snapshot

SNAPSHOT_EVERY = 200
BATCH = 2_000  # rows read at a time, so that a long replay never holds the whole log
DECODED = 200  # rows decoded at a time, of those read
LOCK_SPACE = 0x41434344  # the first key of Accord's advisory locks; the statement id is the second

# Core selects of the table's columns, not ORM ones: the rows read are decoded DECODED at a
# time as they are used, where the ORM decodes all of them at once, and so many objects alive
# at once keep the garbage collector busy through a long replay. Replays read no times:
# making each a datetime would cost as much as the rest of the row.
_TABLE = Operation.__table__  # type: ignore[attr-defined]
_CHANGES = sqlalchemy.select(
    _TABLE.c.rev, _TABLE.c.op, _TABLE.c.author_id, _TABLE.c.client_id, _TABLE.c.seq
)
_DATED = sqlalchemy.select(_TABLE.c.rev, _TABLE.c.op, _TABLE.c.author_id, _TABLE.c.created_at)

_LOCK = sql("SELECT pg_advisory_xact_lock(:space, s) FROM unnest(CAST(:ids AS integer[])) AS s")
# What other workers wrote after each batch's base and, as rows of revision 0 naming them in
# `client_id`, the sections locked now: read in one round trip under the claim's lock.
_FOREIGN = sql(
    "SELECT o.statement_id, o.rev, o.op, o.author_id, o.client_id, o.seq "
    "FROM operation AS o JOIN unnest(CAST(:ids AS integer[]), CAST(:bases AS integer[])) "
    "AS b(statement_id, base) ON o.statement_id = b.statement_id AND o.rev > b.base "
    "UNION ALL SELECT l.statement_id, 0, NULL, NULL, l.section, NULL FROM section_lock AS l "
    "WHERE l.statement_id = ANY(CAST(:ids AS integer[])) AND l.unlocked_at IS NULL "
    "ORDER BY 1, 2"
)
_NOTIFY = sql("SELECT pg_notify(:channel, m) FROM unnest(CAST(:messages AS text[])) AS m")
_INSERT = (
    "INSERT INTO operation (statement_id, rev, op, author_id, client_id, seq, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


class Logged(NamedTuple):
    """One change as the log keeps it."""

    rev: int
    op: list[Any]
    author_id: int | None  # None where the log names nobody
    client_id: str
    seq: int

    def change(self) -> Change:
        """The change as a room holds it, where nobody is author 0."""
        return Change(self.rev, self.op, self.author_id or 0, self.client_id, self.seq)


class Dated(NamedTuple):
    """One change with the time it was written, for the history."""

    rev: int
    op: list[Any]
    author_id: int | None
    created_at: datetime


def head_revision(*, session: Session, statement_id: int) -> int:
    """The newest revision of the statement's log; 0 before its first change."""
    head = session.exec(
        select(func.max(Operation.rev)).where(Operation.statement_id == statement_id)
    ).one()
    return int(head or 0)


def read_text(*, session: Session, statement_id: int, rev: int) -> str:
    """The text at `rev`: the nearest snapshot at or before it, then the log after it."""
    snapshot = session.exec(
        select(Snapshot.rev, Snapshot.text)
        .where(Snapshot.statement_id == statement_id, col(Snapshot.rev) <= rev)
        .order_by(col(Snapshot.rev).desc())
        .limit(1)
    ).first()
    start, content = snapshot if snapshot else (0, "")
    for change in ops_between(session=session, statement_id=statement_id, after=start, upto=rev):
        content = ops.apply(content, ops.parse(change.op))
    return content


def ops_between(
    *, session: Session, statement_id: int, after: int, upto: int | None = None
) -> Iterator[Logged]:
    """The changes after revision `after` up to `upto` (default: the newest), oldest first."""
    rows = _read(session, _CHANGES, statement_id, after, upto, None, newest_first=False)
    return map(Logged._make, rows)


def dated_between(
    *, session: Session, statement_id: int, after: int, limit: int
) -> Iterator[Dated]:
    """The changes after revision `after`, oldest first, `limit` at most, with their times."""
    rows = _read(session, _DATED, statement_id, after, None, limit, newest_first=False)
    return map(Dated._make, rows)


def newest_first(*, session: Session, statement_id: int, before: int | None) -> Iterator[Dated]:
    """The changes before revision `before` (default: all of them), newest first, with their
    times."""
    upto = None if before is None else before - 1
    return map(Dated._make, _read(session, _DATED, statement_id, 0, upto, None, newest_first=True))


def _read(
    session: Session,
    columns: Select[Any],
    statement_id: int,
    after: int,
    upto: int | None,
    limit: int | None,
    *,
    newest_first: bool,
) -> Iterator[Row[Any]]:
    """The rows of the changes in (after, upto], BATCH at a time: a long replay never holds
    the whole log, and a reader that stops early (the history) reads little more than it
    uses."""
    rev = _TABLE.c.rev
    while limit is None or limit > 0:
        size = BATCH if limit is None else min(BATCH, limit)
        query = columns.where(_TABLE.c.statement_id == statement_id, rev > after)
        if upto is not None:
            query = query.where(rev <= upto)
        order = rev.desc() if newest_first else rev
        read, last = 0, 0
        for part in session.execute(query.order_by(order).limit(size)).partitions(DECODED):
            read, last = read + len(part), part[-1].rev
            yield from part
        if read < size:
            return
        if limit is not None:
            limit -= size
        if newest_first:
            upto = last - 1
        else:
            after = last


def load_head(engine: Engine, statement_id: int) -> tuple[int, str]:
    """The head revision and its text, for a room that opens."""
    with Session(engine) as session:
        rev = head_revision(session=session, statement_id=statement_id)
        return rev, read_text(session=session, statement_id=statement_id, rev=rev)


def changes_after(engine: Engine, statement_id: int, rev: int) -> list[Change]:
    """The changes after revision `rev`, as a room holds them."""
    with Session(engine) as session:
        found = ops_between(session=session, statement_id=statement_id, after=rev)
        return [logged.change() for logged in found]


def client_record(
    engine: Engine, statement_id: int, client_id: str
) -> tuple[int | None, tuple[int, int]]:
    """Whose changes this client id carries here, and the newest (seq, rev) it had
    acknowledged; (None, (0, 0)) for a client id new here."""
    with Session(engine) as session:
        row = session.exec(
            select(Operation.author_id, Operation.seq, Operation.rev)
            .where(Operation.statement_id == statement_id, Operation.client_id == client_id)
            .order_by(col(Operation.seq).desc())
            .limit(1)
        ).first()
    if row is None:
        return None, (0, 0)
    author, seq, rev = row
    return author, (seq, rev)


def last_seq(engine: Engine, statement_id: int, client_id: str) -> tuple[int, int]:
    """The newest (seq, rev) this client id had acknowledged here, or (0, 0)."""
    return client_record(engine, statement_id, client_id)[1]


def add(
    *,
    session: Session,
    statement_id: int,
    rev: int,
    op: list[Any],
    author_id: int | None,
    created_at: datetime | None = None,
) -> None:
    """Add one change to the session's transaction, for a statement no room is writing: a
    new one's first draft, or the demo's."""
    session.add(
        Operation(
            statement_id=statement_id,
            rev=rev,
            op=op,
            author_id=author_id,
            created_at=created_at or utcnow(),
        )
    )


def date_first(*, session: Session, statement_id: int, created_at: datetime) -> None:
    """Say the statement's first draft was written at `created_at` (for a made-up history)."""
    first = session.get(Operation, (statement_id, 1))
    if first is None:
        raise ValueError(f"statement {statement_id} has no first draft to date")
    first.created_at = created_at
    session.add(first)


def append_many(engine: Engine, batches: list[Batch]) -> list[Rebased | None]:
    """Write the batches of several rooms in one transaction, so they share one fsync.

    On PostgreSQL, other workers may have written to the same statements meanwhile: each
    batch is then put after their changes (see claim), and what overtook it is returned in
    its place in the list. On SQLite one process writes, and nothing does.
    """
    now = utcnow()
    outcomes: list[Rebased | None] = [None] * len(batches)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            batches, outcomes = claim(connection, batches)
        snapshots = [
            {
                "statement_id": batch.statement_id,
                "rev": batch.snapshot.rev,
                "text": batch.snapshot.text,
                "created_at": now,
            }
            for batch in batches
            if batch.snapshot is not None
        ]
        if engine.dialect.paramstyle == "qmark":
            _insert_rows(connection, batches, now)
        else:
            # Core inserts of many rows at once: the ORM's unit of work costs more than the fsync.
            rows = [
                {
                    "statement_id": batch.statement_id,
                    "rev": change.rev,
                    "op": change.op,
                    "author_id": change.author_id,
                    "client_id": change.client_id,
                    "seq": change.seq,
                    "created_at": now,
                }
                for batch in batches
                for change in batch.changes
            ]
            if rows:
                connection.execute(insert(Operation), rows)
        if snapshots and engine.dialect.name == "postgresql":
            # Two workers may both owe a snapshot of the same durable revision: one will do.
            connection.execute(postgresql.insert(Snapshot).on_conflict_do_nothing(), snapshots)
        elif snapshots:
            connection.execute(insert(Snapshot), snapshots)
    return outcomes


def _insert_rows(connection: Connection, batches: list[Batch], now: datetime) -> None:
    """The rows straight to the driver (SQLite's): SQLAlchemy turning each row's values into
    parameters one by one costs more than the insert itself, and holds the GIL meanwhile.
    The column types still say how a value is stored; the time is converted once."""
    columns = _TABLE.c
    dialect = connection.dialect
    as_json = columns.op.type.bind_processor(dialect)
    as_time = columns.created_at.type.bind_processor(dialect)
    created_at = as_time(now) if as_time else now
    rows = [
        (
            batch.statement_id,
            change.rev,
            as_json(change.op) if as_json else change.op,
            change.author_id,
            change.client_id,
            change.seq,
            created_at,
        )
        for batch in batches
        for change in batch.changes
    ]
    if rows:
        connection.exec_driver_sql(_INSERT, rows)


class DuplicateChange(Exception):
    """A change that another worker already wrote (its sender moved between workers)."""


class LocksChanged(Exception):
    """A batch sequenced by a room that did not hold every section locked now: it is not
    written, and its room reads the locks again before its senders resend."""


def claim(connection: Connection, batches: list[Batch]) -> tuple[list[Batch], list[Rebased | None]]:
    """Lock the batches' statements and put each batch after what others wrote meanwhile.

    Returns the batches to write and, for each, what overtook it (None where nothing did).
    Raises DuplicateChange if a batch holds a change another worker wrote, and LocksChanged
    if its room did not hold a section locked since (its changes were not checked against it).
    """
    ids = sorted({batch.statement_id for batch in batches})
    connection.execute(_LOCK, {"space": LOCK_SPACE, "ids": ids})
    bases = [batch.changes[0].rev - 1 for batch in batches]
    foreign: dict[int, list[Change]] = {}
    locked: dict[int, set[str]] = {}
    found = connection.execute(
        _FOREIGN, {"ids": [batch.statement_id for batch in batches], "bases": bases}
    )
    for statement_id, rev, op, author_id, client_id, seq in found:
        if rev == 0:
            locked.setdefault(statement_id, set()).add(client_id)
            continue
        foreign.setdefault(statement_id, []).append(Change(rev, op, author_id or 0, client_id, seq))
    for batch in batches:
        if not locked.get(batch.statement_id, set()) <= batch.locked:
            raise LocksChanged(f"statement {batch.statement_id} has a section locked since")
    written: list[Batch] = []
    outcomes: list[Rebased | None] = []
    for batch, base in zip(batches, bases, strict=True):
        statement_id, changes = batch.statement_id, batch.changes
        theirs = foreign.get(statement_id)
        if not theirs:
            written.append(batch)
            outcomes.append(None)
            continue
        _refuse_duplicates(changes, theirs)
        history = _history(connection, statement_id, changes, base) + theirs
        again = sequence_again(changes, history)
        # Its snapshot was of a text that is not the one now written; the room owes one.
        written.append(Batch(statement_id, again))
        outcomes.append(Rebased(theirs, again))
    messages = [_told(batch.statement_id, batch.changes) for batch in written]
    connection.execute(_NOTIFY, {"channel": CHANNEL, "messages": messages})
    return written, outcomes


def _history(
    connection: Connection, statement_id: int, changes: list[Change], base: int
) -> list[Change]:
    """The log from the oldest base of the batch's changes up to the batch's own base."""
    low = min(sent_of(change).base_rev for change in changes)
    if low >= base:
        return []
    # Read in the claiming transaction, under its lock.
    with Session(connection) as session:
        found = ops_between(session=session, statement_id=statement_id, after=low, upto=base)
        return [logged.change() for logged in found]


def _refuse_duplicates(changes: list[Change], theirs: list[Change]) -> None:
    latest: dict[str, int] = {}
    for change in theirs:
        latest[change.client_id] = max(change.seq, latest.get(change.client_id, 0))
    for change in changes:
        if change.seq <= latest.get(change.client_id, 0):
            raise DuplicateChange(f"{change.client_id} seq {change.seq} is already written")


def _told(statement_id: int, changes: list[Change]) -> str:
    """The notice of a written batch: with the changes, unless they are too long for one."""
    rows = [[c.rev, c.op, c.author_id, c.client_id, c.seq] for c in changes]
    message = notice("op", statement_id, r=changes[-1].rev, c=rows)
    if len(message.encode()) <= MAX_NOTICE_BYTES:
        return message
    return notice("op", statement_id, r=changes[-1].rev)
