"""PostgreSQL as the sequencer among workers: revisions are claimed under a lock per statement.

Each worker's rooms sequence changes in memory, numbering them after the head they know. The
transaction that writes a batch first takes a transaction-scoped advisory lock on each of its
statements (in statement order, so that two workers never wait on each other in a circle),
then reads what other workers wrote after the batch's base. Usually, with one worker per
statement, that is nothing and the batch is written as it is. Otherwise the batch is
transformed over those changes and numbered after them, still under the lock: a worker never
gives up its turn to retry. The commit releases the locks and makes PostgreSQL deliver the
notice that tells the other workers there is something new, so no worker hears of a revision
that is not durable. (statement_id, rev) stays the primary key besides: two writers can never
take one revision, whatever else goes wrong.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, text

from app.collab import ops
from app.collab.change import Batch, Change
from app.collab.fanout import CHANNEL, MAX_NOTICE_BYTES, notice

LOCK_SPACE = 0x41434344  # the first key of Accord's advisory locks; the statement id is the second

_LOCK = text("SELECT pg_advisory_xact_lock(:space, s) FROM unnest(CAST(:ids AS integer[])) AS s")
_FOREIGN = text(
    "SELECT o.statement_id, o.rev, o.op, o.author_id, o.client_id, o.seq "
    "FROM operation AS o JOIN unnest(CAST(:ids AS integer[]), CAST(:bases AS integer[])) "
    "AS b(statement_id, base) ON o.statement_id = b.statement_id AND o.rev > b.base "
    "ORDER BY o.statement_id, o.rev"
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
    ids = sorted({statement_id for statement_id, _, _ in batches})
    connection.execute(_LOCK, {"space": LOCK_SPACE, "ids": ids})
    bases = [changes[0].rev - 1 for _, changes, _ in batches]
    foreign: dict[int, list[Change]] = {}
    found = connection.execute(
        _FOREIGN, {"ids": [statement_id for statement_id, _, _ in batches], "bases": bases}
    )
    for statement_id, rev, op, author_id, client_id, seq in found:
        foreign.setdefault(statement_id, []).append(Change(rev, op, author_id or 0, client_id, seq))
    written: list[Batch] = []
    outcomes: list[Rebased | None] = []
    for statement_id, changes, snapshot in batches:
        theirs = foreign.get(statement_id)
        if not theirs:
            written.append((statement_id, changes, snapshot))
            outcomes.append(None)
            continue
        moved, snapshot = _rebase(changes, theirs, snapshot)
        written.append((statement_id, moved, snapshot))
        outcomes.append(Rebased(theirs, moved))
    messages = [_told(statement_id, changes) for statement_id, changes, _ in written]
    connection.execute(_NOTIFY, {"channel": CHANNEL, "messages": messages})
    return written, outcomes


def _told(statement_id: int, changes: list[Change]) -> str:
    """The notice of a written batch: with the changes, unless they are too long for one."""
    rows = [[c.rev, c.op, c.author_id, c.client_id, c.seq] for c in changes]
    message = notice("op", statement_id, r=changes[-1].rev, c=rows)
    if len(message.encode()) <= MAX_NOTICE_BYTES:
        return message
    return notice("op", statement_id, r=changes[-1].rev)


def _rebase(
    changes: list[Change], theirs: list[Change], snapshot: tuple[int, str] | None
) -> tuple[list[Change], tuple[int, str] | None]:
    """The batch transformed over `theirs` and numbered after them; its snapshot likewise."""
    latest: dict[str, int] = {}
    for change in theirs:
        latest[change.client_id] = max(change.seq, latest.get(change.client_id, 0))
    for change in changes:
        if change.seq <= latest.get(change.client_id, 0):
            raise DuplicateChange(f"{change.client_id} seq {change.seq} is already written")
    mine, over = ops.rebase([c.op for c in changes], [c.op for c in theirs])
    shift = len(theirs)
    moved = [
        Change(c.rev + shift, ops.normalise(op), c.author_id, c.client_id, c.seq)
        for c, op in zip(changes, mine, strict=True)
    ]
    if snapshot is not None:
        # The room's text after its batch, with their changes applied after it, is the text
        # after their changes and the batch as written.
        snapshot = (snapshot[0] + shift, ops.apply_all(snapshot[1], over))
    return moved, snapshot
