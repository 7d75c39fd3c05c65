"""Match two sequences of units (lines or tokens) fast by construction.

Common prefix and suffix are matched first. A small remaining gap goes to diff-match-patch's
Myers diff (exact, with no timeout); a large one is cut at the units that occur exactly once on
each side, kept in order by a longest increasing subsequence (patience diff), and each piece is
matched the same way. A large gap with no such unit is left unmatched: Myers' cost grows with
the square of the edits, and a gap that shares no unique unit is a rewrite anyway.
"""

from bisect import bisect_left
from collections.abc import Sequence

from diff_match_patch import diff_match_patch

Block = tuple[int, int, int]  # (start in a, start in b, length): a[i:i+n] == b[j:j+n]

# Units on both sides up to which a gap goes to Myers: its cost stays under a millisecond.
MYERS_LIMIT = 160


class TokenDiffer(diff_match_patch):  # type: ignore[misc]
    """diff-match-patch on texts whose characters stand for units (lines or tokens).

    It never gives up early (no timeout): speed comes from what it is given. Its "lossless"
    cleanup, which slides edits to word boundaries judged by the characters, is skipped:
    here every character is already a whole unit, so there are no such boundaries to find.
    """

    def __init__(self) -> None:
        super().__init__()
        self.Diff_Timeout = 0

    def diff_cleanupSemanticLossless(self, diffs: list[tuple[int, str]]) -> None:  # noqa: N802
        return None


def code(number: int) -> str:
    """The character standing for unit `number`, skipping the surrogates."""
    return chr(number + 1 if number < 0xD7FF else number + 0x801)


_DMP = TokenDiffer()


def matching_blocks(a: Sequence[str], b: Sequence[str]) -> list[Block]:
    """Blocks of equal units, increasing on both sides, merged where they touch."""
    found: list[Block] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        n = _common(a, alo, b, blo, min(ahi - alo, bhi - blo), 1)
        if n:
            found.append((alo, blo, n))
            alo, blo = alo + n, blo + n
        n = _common(a, ahi, b, bhi, min(ahi - alo, bhi - blo), -1)
        if n:
            found.append((ahi - n, bhi - n, n))
            ahi, bhi = ahi - n, bhi - n
        if alo == ahi or blo == bhi or not set(a[alo:ahi]).intersection(b[blo:bhi]):
            continue
        if ahi - alo + bhi - blo <= MYERS_LIMIT:
            found.extend(_myers(a, alo, ahi, b, blo, bhi))
            continue
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
        for i, j in anchors:
            stack.append((alo, i, blo, j))
            found.append((i, j, 1))
            alo, blo = i + 1, j + 1
        if anchors:
            stack.append((alo, ahi, blo, bhi))
    return _merge(found)


def _common(a: Sequence[str], i: int, b: Sequence[str], j: int, most: int, way: int) -> int:
    """How many units are equal from a[i] and b[j] on (way 1), or back from before them
    (way -1): a binary search over slice comparisons, which run in C."""
    low, high = 0, most
    while low < high:
        mid = (low + high + 1) // 2
        same = a[i : i + mid] == b[j : j + mid] if way > 0 else a[i - mid : i] == b[j - mid : j]
        if same:
            low = mid
        else:
            high = mid - 1
    return low


def _merge(blocks: list[Block]) -> list[Block]:
    merged: list[Block] = []
    for i, j, n in sorted(blocks):
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        else:
            merged.append((i, j, n))
    return merged


def _myers(
    a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int
) -> list[Block]:
    codes: dict[str, str] = {}
    text_a = "".join(codes.setdefault(unit, code(len(codes))) for unit in a[alo:ahi])
    text_b = "".join(codes.setdefault(unit, code(len(codes))) for unit in b[blo:bhi])
    blocks: list[Block] = []
    i, j = alo, blo
    for kind, chunk in _DMP.diff_main(text_a, text_b, False):
        if kind == 0:
            blocks.append((i, j, len(chunk)))
            i, j = i + len(chunk), j + len(chunk)
        elif kind < 0:
            i += len(chunk)
        else:
            j += len(chunk)
    return blocks


def _unique_anchors(
    a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Pairs of positions of the units found once on each side, in order on both."""
    seen_a: dict[str, int] = {}
    for i in range(alo, ahi):
        seen_a[a[i]] = -1 if a[i] in seen_a else i
    seen_b: dict[str, int] = {}
    for j in range(blo, bhi):
        unit = b[j]
        if seen_a.get(unit, -1) >= 0:
            seen_b[unit] = -1 if unit in seen_b else j
    pairs = sorted((i, seen_b[a[i]]) for i in range(alo, ahi) if seen_b.get(a[i], -1) >= 0)
    return increasing(pairs)


def increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of `pairs` (sorted by first) whose seconds increase too."""
    tails: list[int] = []  # smallest second ending a run of each length
    tail_index: list[int] = []
    previous: list[int] = []
    for index, (_, j) in enumerate(pairs):
        length = bisect_left(tails, j)
        if length == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[length] = j
            tail_index[length] = index
        previous.append(tail_index[length - 1] if length else -1)
    chain: list[tuple[int, int]] = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        chain.append(pairs[index])
        index = previous[index]
    chain.reverse()
    return chain
