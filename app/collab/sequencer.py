"""Changes sequenced again after other workers' changes that turned out to come first.

On PostgreSQL a room numbers its batch after the head it knows, and the transaction that
writes it may find, under the statement's lock, that other workers wrote after that head
meanwhile (app/collab/log.py). The batch's changes are then sequenced again here, from what
their senders sent, after those changes. Nothing here reads or writes: it is pure.
"""

from dataclasses import dataclass, replace

from app.collab import ops
from app.collab.change import Change, Sent


@dataclass(frozen=True)
class Rebased:
    """A batch that other workers' changes overtook: theirs, then the batch as written."""

    foreign: list[Change]
    changes: list[Change]


class DuplicateChange(Exception):
    """A change that another worker already wrote (its sender moved between workers)."""


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
