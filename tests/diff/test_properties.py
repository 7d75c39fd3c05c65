"""Randomized properties: the segments give back both texts exactly, whatever the edits."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from app.diff import compare
from app.models.diff import TextDiffPublic

# Words, spaces, line breaks (CRLF too), punctuation, an astral emoji and a combining mark.
PIECES = st.sampled_from(
    ["we", "agree", "the", "plan", " ", "  ", "\n", "\n\n", "\r\n", ".", "!", ",", "😀", "\u0301"]
)
TEXTS = st.lists(PIECES, max_size=60).map("".join)


def rebuilt(result: TextDiffPublic) -> tuple[str, str]:
    old = "".join(s.text for s in result.segments if s.kind in ("equal", "delete", "move_from"))
    new = "".join(s.text for s in result.segments if s.kind in ("equal", "insert", "move_to"))
    return old, new


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, str]:
    """A text and the same text after a few edits and perhaps a paragraph moved."""
    paragraphs = draw(st.lists(TEXTS, min_size=1, max_size=8))
    old = "\n\n".join(paragraphs)
    rng = random.Random(draw(st.integers(0, 2**32)))
    new_paragraphs = list(paragraphs)
    for _ in range(draw(st.integers(0, 4))):
        index = rng.randrange(len(new_paragraphs))
        text = new_paragraphs[index]
        at = rng.randrange(len(text) + 1)
        cut = rng.randrange(at, len(text) + 1)
        new_paragraphs[index] = text[:at] + draw(TEXTS) + text[cut:]
    if draw(st.booleans()) and len(new_paragraphs) > 1:
        new_paragraphs.insert(rng.randrange(len(new_paragraphs)), new_paragraphs.pop(0))
    return old, "\n\n".join(new_paragraphs)


@settings(max_examples=300, deadline=None)
@given(edited())
def test_segments_rebuild_both_texts(pair: tuple[str, str]) -> None:
    old, new = pair
    result = compare(old, new, old_name="a", new_name="b", new_authors=[(len(new), 1)])
    if result.line_endings_normalised:
        old, new = (t.replace("\r\n", "\n").replace("\r", "\n") for t in (old, new))
    assert rebuilt(result) == (old, new)
    for segment in result.segments:
        assert segment.text
        assert (segment.move is not None) == segment.kind.startswith("move")
        if segment.kind in ("insert", "move_to"):
            assert segment.authors == [1]


@settings(max_examples=200, deadline=None)
@given(TEXTS, TEXTS)
def test_segments_rebuild_unrelated_texts(old: str, new: str) -> None:
    result = compare(old, new, old_name="a", new_name="b")
    if not result.line_endings_normalised:
        assert rebuilt(result) == (old, new)


@settings(max_examples=200, deadline=None)
@given(edited())
def test_moves_link_exactly_two_ends(pair: tuple[str, str]) -> None:
    result = compare(*pair, old_name="a", new_name="b")
    for move in result.moves:
        ends = [s.kind for s in result.segments if s.move == move.id]
        assert sorted(set(ends)) == ["move_from", "move_to"]
