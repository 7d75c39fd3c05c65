"""PostgreSQL as the sequencer among workers: revisions are claimed under a lock per statement.

Each worker's rooms sequence changes in memory, numbering them after the head they know. The
transaction that writes a batch first takes a transaction-scoped advisory lock on each of its
statements (in statement order, so that two workers never wait on each other in a circle),
then reads what other workers wrote after the batch's base. Usually, with one worker per
statement, that is nothing and the batch is written as it is. Otherwise the batch's changes
are sequenced again, from what their senders sent, after those changes, still under the
lock: a worker never gives up its turn to retry. The commit releases the locks and makes
PostgreSQL deliver the notice that tells the other workers there is something new, so no
worker hears of a revision that is not durable. (statement_id, rev) stays the primary key
besides: two writers can never take one revision, whatever else goes wrong.
"""

from dataclasses import dataclass, replace

from sqlalchemy import Connection, text

from app.collab import ops
from app.collab.change import Batch, Change, Sent
from app.collab.fanout import CHANNEL, MAX_NOTICE_BYTES, notice

LOCK_SPACE = 0x41434344  # the first key of Accord's advisory locks; the statement id is the second

_LOCK = text("SELECT pg_advisory_xact_lock(:space, s) FROM unnest(CAST(:ids AS integer[])) AS s")
_FOREIGN = text(
    "SELECT o.statement_id, o.rev, o.op, o.author_id, o.client_id, o.seq "
    "FROM operation AS o JOIN unnest(CAST(:ids AS integer[]), CAST(:bases AS integer[])) "
    "AS b(statement_id, base) ON o.statement_id = b.statement_id AND o.rev > b.base "
    "ORDER BY o.statement_id, o.rev"
)
_BETWEEN = text(
    "SELECT rev, op, author_id, client_id, seq FROM operation "
    "WHERE statement_id = :statement_id AND rev > :low AND rev <= :high ORDER BY rev"
)
_NOTIFY = text("SELECT pg_notify(:channel, m) FROM unnest(CAST(:messages AS text[])) AS m")


@dataclass(frozen=True)
class Rebased:
    """A batch that other workers' changes overtook: theirs, then the batch as written."""

    foreign: list[Change]
    changes: list[Change]


class DuplicateChange(Exception):
    """A change that another worker already wrote (its sender moved between workers)."""


def claim(connection: Connection, batches: list[Batch]) -> tuple[list[Batch], list[Rebased | None]]:
    """Lock the batches' statements and put each batch after what others wrote meanwhile.

    Returns the batches to write and, for each, what overtook it (None where nothing did).
    Raises DuplicateChange if a batch holds a change another worker wrote.
    """
    ids = sorted({batch.statement_id for batch in batches})
    connection.execute(_LOCK, {"space": LOCK_SPACE, "ids": ids})
    bases = [batch.changes[0].rev - 1 for batch in batches]
    foreign: dict[int, list[Change]] = {}
    found = connection.execute(
        _FOREIGN, {"ids": [batch.statement_id for batch in batches], "bases": bases}
    )
    for statement_id, rev, op, author_id, client_id, seq in found:
        foreign.setdefault(statement_id, []).append(Change(rev, op, author_id or 0, client_id, seq))
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
        written.append(Batch(statement_id, again, None))
        outcomes.append(Rebased(theirs, again))
    messages = [_told(batch.statement_id, batch.changes) for batch in written]
    connection.execute(_NOTIFY, {"channel": CHANNEL, "messages": messages})
    return written, outcomes


def sequence_again(changes: list[Change], history: list[Change]) -> list[Change]:
    """The changes sequenced again from what their senders sent, after `history`: every
    change in the log after the oldest of their base revisions, in order.

    Each sent operation is transformed over the changes after its base, in the order they
    are now numbered, which is the order in which its sender's client transforms it. (Moving
    the operations as first sequenced over the newcomers instead would take another path
    through the same texts, and those need not end in the same operation.)
    """
    low = min(_sent(change).base_rev for change in changes)
    line = list(history)
    assert all(change.rev == low + 1 + index for index, change in enumerate(line))
    again = []
    for change in changes:
        sent = _sent(change)
        later = (c.op for c in line[sent.base_rev - low :])
        placed = replace(
            change, rev=low + 1 + len(line), op=ops.normalise(ops.transform_over(sent.op, later))
        )
        line.append(placed)
        again.append(placed)
    return again


def _sent(change: Change) -> Sent:
    if change.sent is None:
        raise ValueError(f"revision {change.rev} does not say how it was sent")
    return change.sent


def _history(
    connection: Connection, statement_id: int, changes: list[Change], base: int
) -> list[Change]:
    """The log from the oldest base of the batch's changes up to the batch's own base."""
    low = min(_sent(change).base_rev for change in changes)
    if low >= base:
        return []
    rows = connection.execute(_BETWEEN, {"statement_id": statement_id, "low": low, "high": base})
    return [Change(rev, op, author or 0, client, seq) for rev, op, author, client, seq in rows]


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
