"""The one entry point: compare two versions of a text and show it every way."""

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate

from app.diff.engine import Segment, compare_texts
from app.diff.render import inline_html, side_by_side, unified
from app.models.diff import DiffCounts, DiffMove, DiffSegment, TextDiffPublic

Run = tuple[int, int | None]  # (length in code points, writer id), as authorship keeps them


def compare(
    old: str,
    new: str,
    *,
    old_name: str,
    new_name: str,
    new_authors: Sequence[Run] | None = None,
) -> TextDiffPublic:
    """What changed from `old` to `new`; with the authorship runs of `new`, who wrote each
    insert and each moved passage's new wording."""
    if new_authors is not None and sum(length for length, _ in new_authors) != len(new):
        raise ValueError("The authorship runs do not cover the new text.")
    normalised = _mixed_breaks(old, new)
    if normalised:
        if new_authors is not None:
            new_authors = _without_crs(new, new_authors)
        old, new = _lf(old), _lf(new)
    result = compare_texts(old, new)
    segments = _segments(result.segments, new_authors)
    moves = {move.id: move for move in result.moves}
    return TextDiffPublic(
        old_name=old_name,
        new_name=new_name,
        line_endings_normalised=normalised,
        segments=segments,
        moves=[
            DiffMove(
                id=move.id,
                identical=not move.changes,
                changes=[DiffSegment(kind=kind, text=text) for kind, text in move.changes],
            )
            for move in result.moves
        ],
        counts=DiffCounts(
            words_added=result.words_added,
            words_removed=result.words_removed,
            paragraphs_changed=result.paragraphs_changed,
            paragraphs_moved=result.paragraphs_moved,
        ),
        html=inline_html(segments, moves),
        rows=side_by_side(result.blocks, moves),
        unified=unified(old, new, old_name=old_name, new_name=new_name),
    )


def _segments(found: list[Segment], runs: Sequence[Run] | None) -> list[DiffSegment]:
    segments: list[DiffSegment] = []
    ends = list(accumulate(length for length, _ in runs)) if runs else []
    at = 0  # position in the new text
    for kind, text, move in found:
        authors = None
        if runs is not None and kind in ("insert", "move_to"):
            first = bisect_right(ends, at)
            last = bisect_left(ends, at + len(text))
            authors = sorted({w for _, w in runs[first : last + 1] if w is not None})
        segments.append(
            DiffSegment.model_construct(kind=kind, text=text, move=move, authors=authors)
        )
        if kind in ("equal", "insert", "move_to"):
            at += len(text)
    return segments


def _breaks(text: str) -> set[str]:
    crlf = text.count("\r\n")
    kinds = {"\r\n": crlf, "\r": text.count("\r") - crlf, "\n": text.count("\n") - crlf}
    return {kind for kind, count in kinds.items() if count}


def _mixed_breaks(old: str, new: str) -> bool:
    """Whether the texts break lines differently (one CRLF, the other LF, say): compared as
    they are, every line would show as changed."""
    old_breaks, new_breaks = _breaks(old), _breaks(new)
    return bool(old_breaks and new_breaks and old_breaks != new_breaks)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _without_crs(text: str, runs: Sequence[Run]) -> list[Run]:
    """The runs once each CRLF in `text` has become LF: each run loses its CRs."""
    result: list[Run] = []
    at = 0
    for length, writer in runs:
        span = text[at : at + length]
        # A CRLF split between two runs loses its CR from the first.
        shorter = (
            length
            - span.count("\r\n")
            - (span.endswith("\r") and text[at + length : at + length + 1] == "\n")
        )
        if shorter:
            result.append((shorter, writer))
        at += length
    return result
