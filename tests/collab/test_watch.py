"""A room's watch of open suggestions agrees with the rules suggestions follow: random
suggestions through random edits, the watch's fast path and its general one alike."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.collab import ops
from app.collab.proposals import Proposed, follow
from app.collab.watch import Watch

TEXT = "We value free knowledge and partners who share it."


@st.composite
def edits(draw: st.DrawFn, length: int) -> tuple[list[Any], int]:
    """One edit on a text of `length`, keystroke-shaped or in two places; and the new length."""
    cuts = sorted(draw(st.lists(st.integers(0, length), min_size=2, max_size=4)))
    op: list[Any] = []
    position, new_length = 0, length
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if start > position:
            op.append(start - position)
        typed = draw(st.text(alphabet="xyz", max_size=3))
        if typed:
            op.append(typed)
        if end > start:
            op.append(start - end)
        position = end
        new_length += len(typed) - (end - start)
    if length > position:
        op.append(length - position)
    return ops.normalise(op), new_length


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[tuple[int, int]], list[list[Any]]]:
    length = len(TEXT)
    ranges = [
        tuple(sorted(draw(st.tuples(st.integers(0, length), st.integers(0, length)))))
        for _ in range(draw(st.integers(1, 6)))
    ]
    changes = []
    for _ in range(draw(st.integers(1, 8))):
        op, length = draw(edits(length))
        changes.append(op)
    return [(a, b) for a, b in ranges], changes


@settings(max_examples=300, deadline=None)
@given(histories())
def test_the_watch_outdates_exactly_what_the_rules_outdate(
    history: tuple[list[tuple[int, int]], list[list[Any]]],
) -> None:
    ranges, changes = history
    watch = Watch()
    watch.load(0, dict(enumerate(ranges)))
    outdated: set[int] = set()
    for rev, op in enumerate(changes, start=1):
        outdated.update(watch.hear(rev, op))
    for key, (start, end) in enumerate(ranges):
        expected = follow(Proposed(start, end, ""), changes)
        if end == start:
            assert key not in watch.ranges
            assert key not in outdated
        elif expected is None:
            assert key in outdated
            assert key not in watch.ranges
        else:
            assert key not in outdated
            assert watch.ranges[key] == (expected.start, expected.end)


def test_a_change_heard_twice_or_out_of_turn_counts_once() -> None:
    watch = Watch()
    watch.load(3, {1: (3, 8)})
    assert watch.hear(3, [3, -1, 44]) == []  # already counted at revision 3
    assert watch.hear(5, [3, -1, 44]) == []  # one is missing between: not this one's to count
    assert watch.ranges == {1: (3, 8)}
    assert watch.hear(4, [4, -1, 43]) == [1]
