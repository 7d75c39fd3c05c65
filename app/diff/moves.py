"""Find paragraphs that were deleted in one place and inserted, the same or nearly, in another.

Only paragraphs that changed are looked at. Within one changed region, the pairs that keep
their order on both sides are edits where the paragraph stands, not moves; the pairs that
cross them (two paragraphs that swapped places) are moves. Exact matches are paired first; then
near ones, by the share of words the two have in common (Dice over their word sets), looked up
through each paragraph's rarest words so that the search stays linear. Adjacent moved lines,
and the blank lines between them, form one move.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from app.diff.align import increasing
from app.diff.words import content, is_blank

MIN_EXACT_CHARS = 12  # shorter lines ("---", "## Scope") move too often by chance
MIN_NEAR_WORDS = 5
NEAR = 0.8  # the least word overlap (Dice) for a near match
RARE_WORDS = 4  # how many of a paragraph's rarest words are used to find its twin


@dataclass(frozen=True)
class MoveSpan:
    """Old lines [old_start, old_end) moved to new lines [new_start, new_end)."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int


def find_moves(
    old_paras: Sequence[str],
    new_paras: Sequence[str],
    old_region: Sequence[int],
    new_region: Sequence[int],
) -> list[MoveSpan]:
    """The moves among changed lines; `*_region` numbers each line's changed region, or -1."""
    old_candidates = [i for i, r in enumerate(old_region) if r >= 0 and not is_blank(old_paras[i])]
    new_candidates = [j for j, r in enumerate(new_region) if r >= 0 and not is_blank(new_paras[j])]
    pairs = _exact(old_paras, new_paras, old_region, new_region, old_candidates, new_candidates)
    paired_new = set(pairs.values())
    pairs.update(
        _near(
            old_paras,
            new_paras,
            old_region,
            new_region,
            [i for i in old_candidates if i not in pairs],
            [j for j in new_candidates if j not in paired_new],
        )
    )
    moved = _crossing(pairs, old_region, new_region)
    return _group(moved, old_paras, new_paras, old_region, new_region)


def _exact(
    old_paras: Sequence[str],
    new_paras: Sequence[str],
    old_region: Sequence[int],
    new_region: Sequence[int],
    old_candidates: list[int],
    new_candidates: list[int],
) -> dict[int, int]:
    by_text: dict[str, list[int]] = {}
    for i in old_candidates:
        text = content(old_paras[i])
        if len(text.strip()) >= MIN_EXACT_CHARS:
            by_text.setdefault(text, []).append(i)
    pairs: dict[int, int] = {}
    for j in new_candidates:
        olds = by_text.get(content(new_paras[j]))
        if olds:
            pairs[olds.pop(0)] = j
    return pairs


def _near(
    old_paras: Sequence[str],
    new_paras: Sequence[str],
    old_region: Sequence[int],
    new_region: Sequence[int],
    old_candidates: list[int],
    new_candidates: list[int],
) -> dict[int, int]:
    old_words = {i: set(old_paras[i].lower().split()) for i in old_candidates}
    old_words = {i: words for i, words in old_words.items() if len(words) >= MIN_NEAR_WORDS}
    index: dict[str, list[int]] = {}
    for i, words in old_words.items():
        for word in words:
            index.setdefault(word, []).append(i)
    scored: list[tuple[float, int, int]] = []
    for j in new_candidates:
        words = set(new_paras[j].lower().split())
        if len(words) < MIN_NEAR_WORDS:
            continue
        rare = sorted((len(index[w]), w) for w in words if w in index)[:RARE_WORDS]
        for i in {i for _, word in rare for i in index[word]}:
            score = 2 * len(words & old_words[i]) / (len(words) + len(old_words[i]))
            if score >= NEAR:
                scored.append((score, i, j))
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in sorted(scored, reverse=True):
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    return pairs


def _crossing(
    pairs: dict[int, int], old_region: Sequence[int], new_region: Sequence[int]
) -> dict[int, int]:
    """The pairs but those that stay in order within their region: they were edited where
    they stand."""
    by_region: dict[int, list[tuple[int, int]]] = {}
    for i, j in sorted(pairs.items()):
        if old_region[i] == new_region[j]:
            by_region.setdefault(old_region[i], []).append((i, j))
    moved = dict(pairs)
    for same in by_region.values():
        for i, _ in increasing(same):
            del moved[i]
    return moved


def _group(
    pairs: dict[int, int],
    old_paras: Sequence[str],
    new_paras: Sequence[str],
    old_region: Sequence[int],
    new_region: Sequence[int],
) -> list[MoveSpan]:
    """Grow each pair over the pairs and equal blank lines that follow it on both sides."""
    spans: list[MoveSpan] = []
    used: set[int] = set()
    for start in sorted(pairs):
        if start in used:
            continue
        i, j = start + 1, pairs[start] + 1
        while i < len(old_paras) and j < len(new_paras) and i not in used:
            if old_region[i] < 0 or new_region[j] < 0:
                break
            if pairs.get(i) == j:
                used.add(i)
            elif i in pairs or not (is_blank(old_paras[i]) and old_paras[i] == new_paras[j]):
                break
            i, j = i + 1, j + 1
        spans.append(MoveSpan(start, i, pairs[start], j))
    return spans
