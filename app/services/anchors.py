"""Passages that move with the text: a comment's range carried through every later change.

A passage keeps to its own characters. Text typed inside it joins it; text typed at either
edge, or put in place of its first or last words, stays outside (a thread on "free knowledge"
does not grow when someone types right after it). When every character of the passage is
gone, it is empty: outdated. An empty passage still moves with the text, as a caret does, and
takes its quote again when the quote stands whole where it was once more: a deletion undone, or
the words typed back (as Hypothesis re-finds a quote near where it was). The browser applies the
same rule at the same revisions (frontend/js/collab/passages.js), so both reach the same passage.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from app.collab import ops, positions


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
        gone = positions.transform_position(start, op)
        return gone, gone
    return first, last


def follow(start: int, end: int, changes: Iterable[Sequence[Any]]) -> tuple[int, int]:
    """The passage after each of `changes` in turn (operations as the log keeps them)."""
    for op in changes:
        if start == end:
            break  # once empty, a passage stays where it was last seen
        start, end = move_passage(start, end, list(op))
    return start, end


def reattach(low: int, high: int, quote: str, text: str) -> tuple[int, int]:
    """An empty passage last seen between `low` and `high` in `text` (the two sides of what was
    just inserted where it stood): the first place where `quote` stands whole and touches that
    stretch, or still empty at `high`."""
    found = text.find(quote, max(0, low - len(quote)), high + len(quote))
    if not quote or found < 0:
        return high, high
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
    and the quote stands where it was (see reattach). `text` gives the text the changes apply
    to; it is asked for only once the passage is, or becomes, empty."""
    current: str | None = None
    for index, change in enumerate(changes):
        op = list(change)
        if current is not None:
            current = ops.apply(current, op)
        if start < end:
            moved = move_passage(start, end, op)
            if moved[0] < moved[1]:
                start, end = moved
                continue
        if current is None:
            current = ops.apply_all(text(), (list(c) for c in changes[: index + 1]))
        low = positions.transform_position(start, op, inserted_after=True)
        high = positions.transform_position(start, op)
        start, end = reattach(low, high, quote, current)
    return start, end
