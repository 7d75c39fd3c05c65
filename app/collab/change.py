"""A sequenced change, and a room's batch of them, as the op log keeps them."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    """One sequenced change, as the log keeps it."""

    rev: int
    op: list[Any]
    author_id: int
    client_id: str
    seq: int


# One room's part of a write: its statement, its changes, and a snapshot if one is due.
Batch = tuple[int, list[Change], tuple[int, str] | None]
