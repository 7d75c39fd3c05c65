"""Where a place in the text stands after an operation: carets, selections and passages.

An operation here is in the form of app/collab/ops.py.
"""

from app.collab.ops import Operation


def transform_position(position: int, op: Operation, *, inserted_after: bool = False) -> int:
    """Where a caret at `position` stands after `op` (the rule of ot.js's transformIndex).

    Text inserted exactly at the caret goes before it, so a caret follows what is typed
    at it (with `inserted_after`, after it: the caret stays put); text deleted before the
    caret pulls it back.
    """
    new_position = position
    index = 0
    for c in op:
        if index > position:
            break
        if isinstance(c, str):
            if index < position or not inserted_after:
                new_position += len(c)
        elif c > 0:
            index += c
        else:
            new_position -= min(-c, position - index)
            index -= c
    return new_position


def transform_range(start: int, end: int, op: Operation) -> tuple[int, int]:
    """A selection or passage [start, end) after `op`; it never turns inside out."""
    new_start = transform_position(start, op)
    return new_start, max(new_start, transform_position(end, op))
