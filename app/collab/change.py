"""A sequenced change, and a room's batch of them, as the op log keeps them."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sent:
    """A change as its sender sent it: an operation on revision `base_rev`."""

    base_rev: int
    op: list[Any]


@dataclass(frozen=True)
class Change:
    """One sequenced change, as the log keeps it; and, while it is new, as it was sent, so
    that it can be sequenced again if other workers' changes turn out to come first."""

    rev: int
    op: list[Any]
    author_id: int
    client_id: str
    seq: int
    sent: Sent | None = field(default=None, compare=False, repr=False)


# One room's part of a write: its statement, its changes, and a snapshot if one is due.
Batch = tuple[int, list[Change], tuple[int, str] | None]
