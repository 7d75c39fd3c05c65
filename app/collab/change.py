"""A sequenced change, a room's batch of them, and what a room says of a change it applied."""

from dataclasses import dataclass, field
from typing import Any

from app.collab.members import Author

# The client ids the server gives the changes made through the API (a whole-text save, a
# restored version); no socket may take one. Such a change is its author's to undo.
API_CLIENT_PREFIX = "http-"


@dataclass(frozen=True, slots=True)
class Sent:
    """A change as its sender sent it: an operation on revision `base_rev`. A change that
    `keeps` characters [start, end) of that revision (an accepted suggestion's) is applied
    only if no change sequenced before it touched them."""

    base_rev: int
    op: list[Any]
    keeps: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One sequenced change, as the log keeps it; and, while it is new, as it was sent, so
    that it can be sequenced again if other workers' changes turn out to come first."""

    rev: int
    op: list[Any]
    author_id: int
    client_id: str
    seq: int
    sent: Sent | None = field(default=None, compare=False, repr=False)

    @property
    def through_api(self) -> bool:
        return self.client_id.startswith(API_CLIENT_PREFIX)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The whole text at a revision, written beside a batch now and then."""

    rev: int
    text: str


@dataclass(frozen=True, slots=True)
class Batch:
    """One room's part of a write: its statement, its changes, and a snapshot if one is due."""

    statement_id: int
    changes: list[Change]
    snapshot: Snapshot | None = None
    locked: frozenset[str] = frozenset()  # the sections its room held locked (app/collab/locks.py)


@dataclass(frozen=True, slots=True)
class Rebased:
    """A batch that other workers' changes overtook: theirs, then the batch as written."""

    foreign: list[Change]
    changes: list[Change]


@dataclass(slots=True)
class Applied:
    """A change that is durable: the answer to its sender, and the event everyone else gets.
    `again` marks the answer to a resend of a change that was durable already."""

    change: Change
    author: Author
    again: bool = False
