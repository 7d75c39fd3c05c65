"""Suggestions follow the text exactly: random suggestions through random concurrent edits.

Every character carries an identity; an edit keeps the identities of what it does not touch.
A suggestion is outdated exactly when one of the characters it would replace was removed or
had text typed between it and the next, and otherwise stands on exactly those characters.
"""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.collab import ops
from app.collab.proposals import NotOneChange, Proposed, as_operation, follow, proposed

ALPHABET = "ab "


def _edit(text: list[int], position: int, deleted: int, inserted: str) -> ops.Operation:
    deleted = min(deleted, len(text) - position)
    return ops.normalise([position, inserted, -deleted, len(text) - position - deleted])


@st.composite
def _session(draw: Any) -> tuple[str, Proposed, list[tuple[int, int, str]]]:
    text = draw(st.text(ALPHABET, min_size=1, max_size=30))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    insert = draw(st.text(ALPHABET, min_size=0 if end > start else 1, max_size=4))
    edits = draw(
        st.lists(
            st.tuples(st.integers(0, 10**6), st.integers(0, 4), st.text(ALPHABET, max_size=3)),
            max_size=8,
        )
    )
    return text, Proposed(start, end, insert), edits


@settings(max_examples=400, deadline=None)
@given(_session())
def test_a_suggestion_stands_on_its_own_characters_or_is_outdated(
    session: tuple[str, Proposed, list[tuple[int, int, str]]],
) -> None:
    text, suggestion, edits = session
    ids = list(range(len(text)))  # each character's identity; new ones count down from -1
    own = ids[suggestion.start : suggestion.end]
    fresh = -1
    changes = []
    outdated = False
    for position, deleted, inserted in edits:
        position %= len(ids) + 1  # anywhere in the text as it is by then
        op = _edit(ids, position, deleted, inserted)
        changes.append(op)
        removed = ids[position : position + min(deleted, len(ids) - position)]
        if set(removed) & set(own):
            outdated = True
        new = list(range(fresh, fresh - len(inserted), -1))
        fresh -= len(inserted)
        ids = ids[:position] + new + ids[position + len(removed) :]
        if own and not outdated:
            first, last = ids.index(own[0]), ids.index(own[-1])
            if last - first + 1 != len(own):
                outdated = True  # typed between its characters
    result = follow(suggestion, changes)
    if outdated:
        assert result is None
        return
    assert result is not None
    assert result.insert == suggestion.insert
    assert ids[result.start : result.end] == own
    if not own:
        # A pure insertion: after whatever survives before its point, before what follows it.
        before = [i for i in range(suggestion.start) if i in ids]
        after = [i for i in range(suggestion.start, len(text)) if i in ids]
        assert all(ids.index(i) < result.start for i in before)
        assert all(ids.index(i) >= result.start for i in after)


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ([3, " all", 6], Proposed(3, 3, " all")),  # an insertion
        ([3, -6], Proposed(3, 9, "")),  # a deletion
        ([3, -6, " disagree"], Proposed(3, 9, " disagree")),  # a replacement, in any order
    ],
)
def test_one_change_becomes_a_suggestion_and_back(op: list[Any], expected: Proposed) -> None:
    text = "We agree."
    made = proposed(op, text)
    assert made == expected
    assert ops.apply(text, as_operation(made, len(text))) == ops.apply(text, op)


@pytest.mark.parametrize(
    ("op", "problem"),
    [
        (["x", 3, "y", 6], NotOneChange),  # two changes
        ([9], NotOneChange),  # none
        ([12], ops.InvalidOperation),  # not made on this text
    ],
)
def test_what_is_not_one_change_is_refused(op: list[Any], problem: type[Exception]) -> None:
    with pytest.raises(problem):
        proposed(op, "We agree.")
