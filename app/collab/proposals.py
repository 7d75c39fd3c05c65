"""A suggested change, and how it follows the live text: the pure rules of suggestions.

A suggestion is one contiguous change proposed on the live draft without making it: remove
the characters [start, end) (none for a pure insertion) and put `insert` in their place. It is
carried through every later change exactly, by the rules passages follow
(app/services/anchors.py): text typed at either edge of its characters stays outside them,
and a pure insertion's point moves as a caret does. If a later change removes any of its
characters, or types between them, it is outdated: applying it would change text it was not
made on, so it cannot be accepted until its author makes it again on the text as it is now.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.collab import ops, positions


@dataclass(frozen=True, slots=True)
class Proposed:
    """Where a suggestion stands in the text it was last carried to."""

    start: int
    end: int  # start == end for a pure insertion
    insert: str


class NotOneChange(ValueError):
    """The operation makes no change, or more than one contiguous change."""


def proposed(op: Sequence[Any], text: str) -> Proposed:
    """The one contiguous change `op` makes to `text`, as a suggestion. Raises
    ops.InvalidOperation if `op` does not fit `text`, NotOneChange if it makes no change or
    several (several changes are several suggestions)."""
    parsed = ops.parse(list(op))
    ops.apply(text, parsed)  # raises InvalidOperation if it does not fit
    edit = ops.single_edit(ops.normalise(parsed))
    if edit is None:
        raise NotOneChange("A suggestion is one contiguous change; make several for several.")
    position, inserted, deleted, _ = edit
    if not inserted and not deleted:
        raise NotOneChange("The suggestion changes nothing.")
    return Proposed(position, position + deleted, inserted)


def as_operation(suggestion: Proposed, length: int) -> ops.Operation:
    """The suggestion as an operation on a text of `length` characters."""
    op: ops.Operation = [suggestion.start] if suggestion.start else []
    if suggestion.insert:
        op.append(suggestion.insert)
    if suggestion.end > suggestion.start:
        op.append(suggestion.start - suggestion.end)
    if length > suggestion.end:
        op.append(length - suggestion.end)
    return ops.normalise(op)


def carried(suggestion: Proposed, op: Sequence[Any]) -> Proposed | None:
    """The suggestion after `op`; None if `op` changed any of its characters (outdated)."""
    start, end = suggestion.start, suggestion.end
    change = list(op)
    if start == end:
        point = positions.transform_position(start, change)
        return Proposed(point, point, suggestion.insert)
    old = 0
    for component in change:
        if isinstance(component, str):
            if start < old < end:
                return None  # typed between its characters
        elif component > 0:
            old += component
        else:
            if max(old, start) < min(old - component, end):
                return None  # some of its characters removed
            old -= component
    return Proposed(
        positions.transform_position(start, change),
        positions.transform_position(end, change, inserted_after=True),
        suggestion.insert,
    )


def follow(suggestion: Proposed, changes: Iterable[Sequence[Any]]) -> Proposed | None:
    """The suggestion after each of `changes` in turn; None once one outdates it."""
    current: Proposed | None = suggestion
    for op in changes:
        if current is None:
            return None
        current = carried(current, op)
    return current
