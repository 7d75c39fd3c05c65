"""Passages that move with the text: a comment's range carried through every later change.

A passage keeps to its own characters. Text typed inside it joins it; text typed at either
edge, or put in place of its first or last words, stays outside (a thread on "free knowledge"
does not grow when someone types right after it). When every character of the passage is
gone, it is empty: outdated. An empty passage still moves with the text, as a caret does, and
takes its quote again when the quote stands whole around it once more: a deletion undone, or
the words typed back where they were (as Hypothesis re-finds a quote near where it was).
"""

from collections.abc import Callable, Iterable, Sequence
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


def reattach(point: int, quote: str, text: str) -> tuple[int, int]:
    """An empty passage at `point` in `text`: the first place where `quote` stands whole around
    the point (starting at most its length before it), or still empty there."""
    low = max(0, point - len(quote))
    found = text.find(quote, low, point + len(quote))
    if not quote or found < 0:
        return point, point
    return found, found + len(quote)


def carry(
    start: int,
    end: int,
    changes: Sequence[Sequence[Any]],
    *,
    quote: str,
    text: Callable[[], str],
) -> tuple[int, int]:
    """The passage after each of `changes` in turn, taking its quote again whenever it is empty
    and the quote stands around it (see reattach). `text` gives the text the changes apply to;
    it is asked for only once the passage is, or becomes, empty."""
    current: str | None = None
    for index, change in enumerate(changes):
        op = list(change)
        if current is not None:
            current = ops.apply(current, op)
        if start < end:
            start, end = move_passage(start, end, op)
            if start < end:
                continue
        else:
            start = end = ops.transform_position(start, op)
        if current is None:
            current = ops.apply_all(text(), (list(c) for c in changes[: index + 1]))
        start, end = reattach(start, quote, current)
    return start, end
