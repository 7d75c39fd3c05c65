"""Passages that move with the text: a comment's range carried through every later change.

A passage keeps to its own characters. Text typed inside it joins it; text typed at either
edge, or put in place of its first or last words, stays outside (a thread on "free knowledge"
does not grow when someone types right after it). When every character of the passage is
gone, it is empty: outdated.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from app.collab import ops


def move_passage(start: int, end: int, op: ops.Operation) -> tuple[int, int]:
    """The passage [start, end) after `op`: from its first surviving character to just after
    its last, with whatever was typed between them. Empty when none survives."""
    old = new = 0
    first: int | None = None
    last = 0
    for component in op:
        if isinstance(component, str):
            new += len(component)
        elif component > 0:
            low, high = max(old, start), min(old + component, end)
            if low < high:  # this retain keeps some of the passage
                if first is None:
                    first = new + low - old
                last = new + high - old
            old += component
            new += component
        else:
            old -= component
    if first is None:
        gone = ops.transform_position(start, op)
        return gone, gone
    return first, last


def follow(start: int, end: int, changes: Iterable[Sequence[Any]]) -> tuple[int, int]:
    """The passage after each of `changes` in turn (operations as the log keeps them)."""
    for op in changes:
        if start == end:
            break  # once empty, a passage stays where it was last seen
        start, end = move_passage(start, end, list(op))
    return start, end
