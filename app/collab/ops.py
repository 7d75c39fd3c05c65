"""Text operations in the JSON form of ot.js, counted in Unicode code points.

An operation is a list of components that walks the whole base text from its start:
a positive integer retains that many characters, a string inserts itself, a negative
integer deletes that many. Retains plus deletes equal the base text's length; zero
and empty components are invalid. Python's str indexes code points, so lengths here
are code points as the protocol requires.
"""

from typing import Any

Component = int | str
Operation = list[Component]


class InvalidOperation(ValueError):
    """The operation is malformed or does not fit the text it is applied to."""


def parse(raw: Any) -> Operation:
    """Check the JSON form of an operation and return it."""
    if not isinstance(raw, list):
        raise InvalidOperation("An operation is a list of retains, inserts and deletes.")
    for component in raw:
        if isinstance(component, bool) or not isinstance(component, int | str):
            raise InvalidOperation("Each component is an integer or a string.")
        if component == 0 or component == "":
            raise InvalidOperation("Zero retains and empty inserts are not allowed.")
    return list(raw)


def base_length(op: Operation) -> int:
    """The length of the text the operation applies to."""
    return sum(abs(c) for c in op if isinstance(c, int))


def apply(text: str, op: Operation) -> str:
    """Apply `op` to `text`, which must be exactly as long as the operation's base."""
    if base_length(op) != len(text):
        raise InvalidOperation(
            f"The operation covers {base_length(op)} characters but the text has {len(text)}."
        )
    parts: list[str] = []
    position = 0
    for component in op:
        if isinstance(component, str):
            parts.append(component)
        elif component > 0:
            parts.append(text[position : position + component])
            position += component
        else:
            position -= component
    return "".join(parts)
