"""Compare two texts: paragraphs first, then words inside those that changed, and moves.

The texts are matched paragraph by paragraph (a line with the blank lines after it: the
editor keeps a paragraph on one line); each run of changed paragraphs between two equal ones
is a region. Paragraphs that left one region and
arrived in another are moves. What remains of each region is compared word by word (see
words.py for what a word is) and cleaned up semantically, so that an edit reads as whole
phrases rather than a scatter of shared little words.
"""

import re
from dataclasses import dataclass, field
from typing import Literal

from app.diff.align import TokenDiffer, code, matching_blocks
from app.diff.moves import MoveSpan, find_moves
from app.diff.words import (
    content,
    counts_as_word,
    is_blank,
    safe_end,
    safe_start,
    split_paragraphs,
    tokenise,
)

Kind = Literal["equal", "insert", "delete", "move_from", "move_to"]
Piece = tuple[Kind, str]
Segment = tuple[Kind, str, int | None]  # kind, text, move id

_DMP = TokenDiffer()
# Where a sentence ends: between its last mark and the white space after it, which is always
# a token boundary. Sentences that did not change are matched whole, and never cut in words.
_SENTENCE_END = re.compile(r"(?<=[.!?;:])(?=\s)")
ALIKE = 0.5  # the least share of words in common for two paragraphs to be compared as a pair


@dataclass
class WordDiff:
    pieces: list[Piece]
    added: int = 0  # words
    removed: int = 0


@dataclass(frozen=True)
class Para:
    text: str  # with its line break and the blank lines after it
    line: int  # the number of its first line, from 1
    move: int | None = None


@dataclass
class Block:
    """Equal paragraphs (`changes` is None), or a changed region: its paragraphs on both
    sides, and the word diff of those that did not move."""

    old: list[Para]
    new: list[Para]
    changes: list[Piece] | None = None


@dataclass
class Move:
    id: int
    old_text: str
    new_text: str
    changes: list[Piece]  # its own edits, from old to new wording; empty when identical


@dataclass
class Comparison:
    blocks: list[Block] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    words_added: int = 0
    words_removed: int = 0
    paragraphs_changed: int = 0
    paragraphs_moved: int = 0


def word_diff(old: str, new: str) -> WordDiff:
    """The word-level diff of two texts; no piece ever cuts a token in two."""
    if old == new:
        return WordDiff([("equal", old)] if old else [])
    if not old or not new:
        return _whole(old, new)
    start = safe_start(old, _DMP.diff_commonPrefix(old, new))
    suffix = _DMP.diff_commonSuffix(old[start:], new[start:])
    end_old = safe_end(old, len(old) - suffix) if suffix else len(old)
    end_new = len(new) - (len(old) - end_old)
    result = WordDiff([("equal", old[:start])] if start else [])
    old_parts = _SENTENCE_END.split(old[start:end_old])
    new_parts = _SENTENCE_END.split(new[start:end_new])
    i = j = 0
    for bi, bj, n in [*matching_blocks(old_parts, new_parts), (len(old_parts), len(new_parts), 0)]:
        if bi > i or bj > j:
            _token_diff("".join(old_parts[i:bi]), "".join(new_parts[j:bj]), result)
        if n:
            _add(result.pieces, "equal", "".join(old_parts[bi : bi + n]))
        i, j = bi + n, bj + n
    if end_old < len(old):
        _add(result.pieces, "equal", old[end_old:])
    return result


def _whole(old: str, new: str) -> WordDiff:
    """A text against nothing: one piece, its words counted without a diff."""
    if old:
        return WordDiff([("delete", old)], removed=_words(old))
    return WordDiff([("insert", new)], added=_words(new))


def _words(text: str) -> int:
    return sum(1 for token in tokenise(text) if counts_as_word(token))


def _add(pieces: list[Piece], kind: Kind, text: str) -> None:
    if pieces and pieces[-1][0] == kind:
        pieces[-1] = (kind, pieces[-1][1] + text)
    else:
        pieces.append((kind, text))


def _token_diff(old: str, new: str, result: WordDiff) -> None:
    """Add the diff of two stretches of text, token by token, cleaned up semantically."""
    old_tokens, new_tokens = tokenise(old), tokenise(new)
    codes = {token: code(n) for n, token in enumerate(dict.fromkeys(old_tokens + new_tokens))}
    tokens = {char: token for token, char in codes.items()}
    diffs = _token_diffs(
        "".join(map(codes.__getitem__, old_tokens)), "".join(map(codes.__getitem__, new_tokens))
    )
    _DMP.diff_cleanupSemantic(diffs)
    for kind, run in diffs:
        text = "".join(map(tokens.__getitem__, run))
        if kind == 0:
            _add(result.pieces, "equal", text)
            continue
        words = sum(1 for char in run if counts_as_word(tokens[char]))  # changed runs only
        if kind > 0:
            _add(result.pieces, "insert", text)
            result.added += words
        else:
            _add(result.pieces, "delete", text)
            result.removed += words


def _token_diffs(a: str, b: str) -> list[tuple[int, str]]:
    diffs: list[tuple[int, str]] = []
    i = j = 0
    for bi, bj, n in [*matching_blocks(a, b), (len(a), len(b), 0)]:
        if bi > i:
            diffs.append((-1, a[i:bi]))
        if bj > j:
            diffs.append((1, b[j:bj]))
        if n:
            diffs.append((0, a[bi : bi + n]))
        i, j = bi + n, bj + n
    return diffs


def compare_texts(old: str, new: str) -> Comparison:
    """Everything that differs between `old` and `new`, in order."""
    old_paras, new_paras = split_paragraphs(old), split_paragraphs(new)
    equal = _equal_spans(old_paras, new_paras)
    old_region, new_region = [-1] * len(old_paras), [-1] * len(new_paras)
    regions: list[tuple[int, int, int, int]] = []
    i = j = 0
    for bi, bj, n in [*equal, (len(old_paras), len(new_paras), 0)]:
        if bi > i or bj > j:
            old_region[i:bi] = [len(regions)] * (bi - i)
            new_region[j:bj] = [len(regions)] * (bj - j)
            regions.append((i, bi, j, bj))
        i, j = bi + n, bj + n
    result = Comparison()
    # Paragraphs edited where they stand are no candidates for moves (and finding them
    # first keeps the search for moves short when many paragraphs changed a little).
    old_moving, new_moving = list(old_region), list(new_region)
    for i1, i2, j1, j2 in regions:
        front, back = _in_place(old_paras[i1:i2], new_paras[j1:j2])
        old_moving[i1 : i1 + front] = new_moving[j1 : j1 + front] = [-1] * front
        old_moving[i2 - back : i2] = new_moving[j2 - back : j2] = [-1] * back
    spans = find_moves(old_paras, new_paras, old_moving, new_moving)
    old_move, new_move = _moves(result, spans, old_paras, new_paras)
    old_at, new_at = _first_lines(old_paras), _first_lines(new_paras)
    i = j = 0
    end = (len(old_paras), len(old_paras), len(new_paras), len(new_paras))
    for i1, i2, j1, j2 in [*regions, end]:
        if i1 > i:
            result.blocks.append(
                Block(
                    [Para(old_paras[k], old_at[k]) for k in range(i, i1)],
                    [Para(new_paras[k], new_at[k]) for k in range(j, j1)],
                )
            )
            result.segments.append(("equal", "".join(old_paras[i:i1]), None))
        if i1 < i2 or j1 < j2:
            olds = [Para(old_paras[k], old_at[k], old_move.get(k)) for k in range(i1, i2)]
            news = [Para(new_paras[k], new_at[k], new_move.get(k)) for k in range(j1, j2)]
            result.blocks.append(_region(result, olds, news))
        i, j = i2, j2
    result.segments = _merged(result.segments)
    return result


def _first_lines(paras: list[str]) -> list[int]:
    numbers: list[int] = []
    line = 1
    for para in paras:
        numbers.append(line)
        line += para.count("\n") + para.count("\r") - para.count("\r\n")
    return numbers


def _equal_spans(old_paras: list[str], new_paras: list[str]) -> list[tuple[int, int, int]]:
    """Runs of equal paragraphs. They are matched on their text alone, so that a last
    paragraph which gained a line break still anchors the match, then split where their line
    breaks or blank lines differ."""
    spans: list[tuple[int, int, int]] = []
    keys = [content(line) for line in old_paras], [content(line) for line in new_paras]
    for bi, bj, n in matching_blocks(*keys):
        k = 0
        while k < n:
            start = k
            while k < n and old_paras[bi + k] == new_paras[bj + k]:
                k += 1
            if k > start:
                spans.append((bi + start, bj + start, k - start))
            while k < n and old_paras[bi + k] != new_paras[bj + k]:
                k += 1
    return spans


def _moves(
    result: Comparison, spans: list[MoveSpan], old_paras: list[str], new_paras: list[str]
) -> tuple[dict[int, int], dict[int, int]]:
    """Record each move; map its old and new paragraph indexes to its id."""
    old_move: dict[int, int] = {}
    new_move: dict[int, int] = {}
    for number, span in enumerate(spans, 1):
        olds = old_paras[span.old_start : span.old_end]
        news = new_paras[span.new_start : span.new_end]
        old_text, new_text = "".join(olds), "".join(news)
        changes: list[Piece] = []
        if [content(line) for line in olds] != [content(line) for line in news]:
            diff = word_diff(old_text, new_text)
            changes = diff.pieces
            result.words_added += diff.added
            result.words_removed += diff.removed
        result.moves.append(Move(number, old_text, new_text, changes))
        result.paragraphs_moved += sum(1 for line in olds if not is_blank(line))
        old_move.update(dict.fromkeys(range(span.old_start, span.old_end), number))
        new_move.update(dict.fromkeys(range(span.new_start, span.new_end), number))
    return old_move, new_move


def _region(result: Comparison, old_side: list[Para], new_side: list[Para]) -> Block:
    still_old = [line.text for line in old_side if line.move is None]
    still_new = [line.text for line in new_side if line.move is None]
    diff = _paired_diff(still_old, still_new)
    result.words_added += diff.added
    result.words_removed += diff.removed
    # A paragraph that only gained or lost a line break or a blank line has not changed.
    old_texts = {content(text) for text in still_old}
    new_texts = {content(text) for text in still_new}
    result.paragraphs_changed += max(
        sum(1 for text in still_old if not is_blank(text) and content(text) not in new_texts),
        sum(1 for text in still_new if not is_blank(text) and content(text) not in old_texts),
    )
    marks = _move_marks(old_side, "move_from"), _move_marks(new_side, "move_to")
    result.segments.extend(_interleave(diff.pieces, *marks))
    return Block(old_side, new_side, diff.pieces)


def _paired_diff(olds: list[str], news: list[str]) -> WordDiff:
    """The word diff of a region's paragraphs. Paragraphs with the same text (one only
    gained a blank line, say) are paired, and so are those that correspond at either end of
    what lies between (most of their words alike): each pair is compared alone, cut down to
    the stretch that changed before it is split into words. The rest is compared as one."""
    pairs: list[tuple[str, str]] = []
    keys = [content(text) for text in olds], [content(text) for text in news]
    i = j = 0
    for bi, bj, n in [*matching_blocks(*keys), (len(olds), len(news), 0)]:
        gap_old, gap_new = olds[i:bi], news[j:bj]
        front, back = _in_place(gap_old, gap_new)
        pairs += zip(gap_old[:front], gap_new[:front], strict=True)
        middle = (
            "".join(gap_old[front : len(gap_old) - back]),
            "".join(gap_new[front : len(gap_new) - back]),
        )
        pairs.append(middle)
        pairs += zip(gap_old[len(gap_old) - back :], gap_new[len(gap_new) - back :], strict=True)
        pairs += zip(olds[bi : bi + n], news[bj : bj + n], strict=True)
        i, j = bi + n, bj + n
    total = WordDiff([])
    for old, new in pairs:
        diff = word_diff(old, new)
        for kind, text in diff.pieces:
            _add(total.pieces, kind, text)
        total.added += diff.added
        total.removed += diff.removed
    return total


def _in_place(olds: list[str], news: list[str]) -> tuple[int, int]:
    """How many paragraphs at the front and at the back of a region correspond."""
    front = 0
    while front < min(len(olds), len(news)) and _alike(olds[front], news[front]):
        front += 1
    back = 0
    while back < min(len(olds), len(news)) - front and _alike(olds[-1 - back], news[-1 - back]):
        back += 1
    return front, back


def _alike(old: str, new: str) -> bool:
    quarter = min(len(old), len(new)) // 4
    if quarter > 8 and (old[:quarter] == new[:quarter] or old[-quarter:] == new[-quarter:]):
        return True
    old_words, new_words = set(old.split()), set(new.split())
    return 2 * len(old_words & new_words) >= ALIKE * (len(old_words) + len(new_words))


def _move_marks(side: list[Para], kind: Kind) -> list[tuple[int, Segment]]:
    """The moved paragraphs of one side, each run as one segment, at its offset in the text
    of the paragraphs that stayed."""
    marks: list[tuple[int, Segment]] = []
    offset = 0
    for line in side:
        if line.move is None:
            offset += len(line.text)
        elif marks and marks[-1][0] == offset and marks[-1][1][2] == line.move:
            marks[-1] = (offset, (kind, marks[-1][1][1] + line.text, line.move))
        else:
            marks.append((offset, (kind, line.text, line.move)))
    return marks


def _interleave(
    pieces: list[Piece], old_marks: list[tuple[int, Segment]], new_marks: list[tuple[int, Segment]]
) -> list[Segment]:
    """The pieces with the moved lines put back where they stood, cutting a piece if needed
    (only ever at a line break, since moves are whole paragraphs)."""
    out: list[Segment] = []
    old_at = new_at = 0
    o = n = 0  # the next old and new mark

    def flush() -> None:
        nonlocal o, n
        while o < len(old_marks) and old_marks[o][0] == old_at:
            out.append(old_marks[o][1])
            o += 1
        while n < len(new_marks) and new_marks[n][0] == new_at:
            out.append(new_marks[n][1])
            n += 1

    for kind, text in pieces:
        while text:
            flush()
            take = len(text)
            if kind != "insert" and o < len(old_marks):
                take = min(take, old_marks[o][0] - old_at)
            if kind != "delete" and n < len(new_marks):
                take = min(take, new_marks[n][0] - new_at)
            out.append((kind, text[:take], None))
            text = text[take:]
            old_at += take if kind != "insert" else 0
            new_at += take if kind != "delete" else 0
    flush()
    return out


def _merged(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for kind, text, move in segments:
        if not text:
            continue
        if merged and merged[-1][0] == kind and merged[-1][2] == move:
            merged[-1] = (kind, merged[-1][1] + text, move)
        else:
            merged.append((kind, text, move))
    return merged
