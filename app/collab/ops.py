"""Text operations in the JSON form of ot.js, counted in Unicode code points.

An operation is a list of components that walks the whole base text from its start:
a positive integer retains that many characters, a string inserts itself, a negative
integer deletes that many. Retains plus deletes equal the base text's length; zero
and empty components are invalid. Python's str indexes code points, so lengths here
are code points as the protocol requires.

Invariants, checked by the property tests:
- apply(apply(s, a), b) == apply(s, compose(a, b))
- with (a2, b2) = transform(a, b): apply(apply(s, b), a2) == apply(apply(s, a), b2)
- apply(apply(s, a), invert(a, s)) == s
Operations built here are normalised like ot.js's: no two neighbours of one kind, and an
insert always stands before a delete it touches, so equal edits compare equal.
"""

from collections.abc import Iterable
from typing import Any

Component = int | str
Operation = list[Component]


class InvalidOperation(ValueError):
    """The operation is malformed or does not fit the text it is applied to."""


class _Builder:
    """Accumulates components in normal form."""

    def __init__(self) -> None:
        self.ops: Operation = []

    def retain(self, n: int) -> None:
        if n <= 0:
            return
        if self.ops and _is_retain(self.ops[-1]):
            self.ops[-1] = int(self.ops[-1]) + n
        else:
            self.ops.append(n)

    def insert(self, s: str) -> None:
        if not s:
            return
        ops = self.ops
        if ops and isinstance(ops[-1], str):
            ops[-1] += s
        elif ops and _is_delete(ops[-1]):
            # Insert before a delete: the same edit, one canonical spelling.
            if len(ops) > 1 and isinstance(ops[-2], str):
                ops[-2] += s
            else:
                ops.insert(len(ops) - 1, s)
        else:
            ops.append(s)

    def delete(self, n: int) -> None:
        if n <= 0:
            return
        if self.ops and _is_delete(self.ops[-1]):
            self.ops[-1] = int(self.ops[-1]) - n
        else:
            self.ops.append(-n)


def _is_retain(c: Component) -> bool:
    return isinstance(c, int) and c > 0


def _is_delete(c: Component) -> bool:
    return isinstance(c, int) and c < 0


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


def normalise(op: Operation) -> Operation:
    """The canonical spelling of `op`, which must already be valid."""
    builder = _Builder()
    for c in op:
        if isinstance(c, str):
            builder.insert(c)
        elif c > 0:
            builder.retain(c)
        else:
            builder.delete(-c)
    return builder.ops


def base_length(op: Operation) -> int:
    """The length of the text the operation applies to."""
    return sum(abs(c) for c in op if isinstance(c, int))


def target_length(op: Operation) -> int:
    """The length of the text the operation produces."""
    return sum(len(c) if isinstance(c, str) else max(c, 0) for c in op)


def is_noop(op: Operation) -> bool:
    return all(_is_retain(c) for c in op)


def _edit(op: Operation) -> tuple[int, str, int, int] | None:
    """A keystroke-shaped operation (retain, insert, delete, retain; each optional) as
    (position, inserted, deleted, base length); None for any other shape."""
    position = deleted = 0
    inserted = ""
    index, size = 0, len(op)
    if index < size and type(op[index]) is int and int(op[index]) > 0:
        position = int(op[index])
        index += 1
    if index < size and type(op[index]) is str:
        inserted = str(op[index])
        index += 1
    if index < size and type(op[index]) is int and int(op[index]) < 0:
        deleted = -int(op[index])
        index += 1
    rest = 0
    if index < size and type(op[index]) is int and int(op[index]) > 0:
        rest = int(op[index])
        index += 1
    if index != size:
        return None
    return position, inserted, deleted, position + deleted + rest


def single_edit(op: Operation) -> tuple[int, str, int, int] | None:
    """The one contiguous edit a normalised operation makes, as (position, inserted, deleted,
    base length); None if it makes edits in several places."""
    return _edit(op)


def _edit_op(position: int, inserted: str, deleted: int, length: int) -> Operation:
    """The normal form of one edit on a text of `length`."""
    op: Operation = [position] if position else []
    if inserted:
        op.append(inserted)
    if deleted:
        op.append(-deleted)
    rest = length - position - deleted
    if rest:
        op.append(rest)
    return op


def apply(text: str, op: Operation) -> str:
    """Apply `op` to `text`, which must be exactly as long as the operation's base."""
    edit = _edit(op)
    if edit is not None and edit[3] == len(text):
        # A keystroke: two slices instead of a walk.
        position, inserted, deleted, _ = edit
        return text[:position] + inserted + text[position + deleted :]
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


def inserted(op: Operation) -> str:
    """Everything the operation inserts, in order."""
    return "".join(c for c in op if isinstance(c, str))


def deleted(op: Operation, text: str) -> str:
    """Everything the operation deletes from `text`, in order."""
    parts: list[str] = []
    position = 0
    for c in op:
        if isinstance(c, int):
            if c < 0:
                parts.append(text[position : position - c])
            position += abs(c)
    return "".join(parts)


def invert(op: Operation, text: str) -> Operation:
    """The operation that undoes `op` once it has been applied to `text`."""
    builder = _Builder()
    position = 0
    for c in op:
        if isinstance(c, str):
            builder.delete(len(c))
        elif c > 0:
            builder.retain(c)
            position += c
        else:
            builder.insert(text[position : position - c])
            position -= c
    return builder.ops


class _Cursor:
    """Walks an operation component by component, splitting them where needed."""

    def __init__(self, op: Operation) -> None:
        self.ops = op
        self.index = 0
        self.head: Component | None = op[0] if op else None

    def advance(self) -> None:
        self.index += 1
        self.head = self.ops[self.index] if self.index < len(self.ops) else None

    def take(self, n: int) -> Component:
        """Take up to n characters' worth from the head (all of an insert if it is one)."""
        head = self.head
        assert head is not None
        if isinstance(head, str):
            if len(head) <= n:
                self.advance()
                return head
            self.head = head[n:]
            return head[:n]
        size = abs(head)
        if size <= n:
            self.advance()
            return head
        self.head = head - n if head > 0 else head + n
        return n if head > 0 else -n


def _length(c: Component) -> int:
    return len(c) if isinstance(c, str) else abs(c)


def compose(a: Operation, b: Operation) -> Operation:
    """One operation with the effect of `a` followed by `b`."""
    if target_length(a) != base_length(b):
        raise InvalidOperation("The second operation does not start where the first ends.")
    builder = _Builder()
    first, second = _Cursor(a), _Cursor(b)
    while first.head is not None or second.head is not None:
        if first.head is not None and _is_delete(first.head):
            builder.delete(-int(first.take(_length(first.head))))
            continue
        if second.head is not None and isinstance(second.head, str):
            builder.insert(str(second.take(len(second.head))))
            continue
        if first.head is None or second.head is None:
            raise InvalidOperation("The operations do not line up.")
        n = min(_length(first.head), _length(second.head))
        x, y = first.take(n), second.take(n)
        if _is_retain(y):
            # b keeps what a produced: a retain stays a retain, an insert stays an insert.
            if isinstance(x, str):
                builder.insert(x)
            else:
                builder.retain(int(x))
        elif not isinstance(x, str):
            builder.delete(n)  # b deletes what a retained
        # else: b deletes what a inserted, so neither appears.
    return builder.ops


def transform(a: Operation, b: Operation) -> tuple[Operation, Operation]:
    """Make two concurrent operations on one text apply after each other.

    Returns (a2, b2) with apply(apply(s, b), a2) == apply(apply(s, a), b2). Where both
    insert at one position, `a`'s insert goes first: the server calls
    transform(incoming, applied), so the change sequenced later is placed first.
    """
    fast = _transform_edits(a, b)
    return fast if fast is not None else _transform_walk(a, b)


def apply_all(text: str, operations: Iterable[Operation]) -> str:
    for op in operations:
        text = apply(text, op)
    return text


def transform_over(op: Operation, applied: Iterable[Operation]) -> Operation:
    """`op`, concurrent with the first of `applied`, transformed over each of them in turn
    (each applied after the one before): the first result of transform(), step by step.

    A room transforms a change over every change its client had not seen, often dozens of
    keystrokes; the change stays a keystroke-shaped edit between steps instead of being
    built and parsed again at each one.
    """
    edit = _edit(op)
    for other in applied:
        if edit is not None:
            found = _edit(other)
            if found is not None and found[3] == edit[3]:
                position, inserted, deleted, length = edit
                pb, ib, db, _ = found
                after = length + len(ib) - db
                if not (inserted or deleted):  # it changes nothing, whatever came before it
                    edit = (after, "", 0, after)
                    continue
                if position + deleted <= pb or not (ib or db):
                    edit = (position, inserted, deleted, after)
                    continue
                if pb + db <= position and (pb < position or not inserted):
                    edit = (position + len(ib) - db, inserted, deleted, after)
                    continue
            op = _edit_op(*edit)
        op = _transform_walk(op, other)[0]
        edit = _edit(op)
    return _edit_op(*edit) if edit is not None else op


def _transform_walk(a: Operation, b: Operation) -> tuple[Operation, Operation]:
    """transform() of any two operations, component by component."""
    if base_length(a) != base_length(b):
        raise InvalidOperation("Concurrent operations must start from texts of equal length.")
    a2, b2 = _Builder(), _Builder()
    left, right = _Cursor(a), _Cursor(b)
    while left.head is not None or right.head is not None:
        if left.head is not None and isinstance(left.head, str):
            text = str(left.take(len(left.head)))
            a2.insert(text)
            b2.retain(len(text))
            continue
        if right.head is not None and isinstance(right.head, str):
            text = str(right.take(len(right.head)))
            a2.retain(len(text))
            b2.insert(text)
            continue
        if left.head is None or right.head is None:
            raise InvalidOperation("The operations do not line up.")
        n = min(abs(int(left.head)), abs(int(right.head)))
        x, y = int(left.take(n)), int(right.take(n))
        if x > 0 and y > 0:
            a2.retain(n)
            b2.retain(n)
        elif x < 0 < y:
            a2.delete(n)
        elif y < 0 < x:
            b2.delete(n)
        # both delete the same stretch: nothing is left to do for either.
    return a2.ops, b2.ops


def _transform_edits(a: Operation, b: Operation) -> tuple[Operation, Operation] | None:
    """transform() of two keystroke-shaped edits that do not overlap, without the walk;
    None when either is another shape, they overlap, or they do not fit one text."""
    first, second = _edit(a), _edit(b)
    if first is None or second is None:
        return None
    pa, ia, da, length = first
    pb, ib, db, length_b = second
    if length != length_b:
        return None
    after_a = length + len(ia) - da
    after_b = length + len(ib) - db
    if not (ia or da):  # a changes nothing: it keeps all of b's result
        return [after_b] if after_b else [], _edit_op(pb, ib, db, after_a)
    if not (ib or db):
        return _edit_op(pa, ia, da, after_b), [after_a] if after_a else []
    if pa + da <= pb:
        # a lies wholly before b (at one position, a's insert goes first).
        return (
            _edit_op(pa, ia, da, after_b),
            _edit_op(pb + len(ia) - da, ib, db, after_a),
        )
    if pb + db <= pa and (pb < pa or not ia):
        return (
            _edit_op(pa + len(ib) - db, ia, da, after_b),
            _edit_op(pb, ib, db, after_a),
        )
    return None
