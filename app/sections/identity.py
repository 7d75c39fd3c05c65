"""Which section of a new text is which section of the text before it.

A section keeps its id while its heading or most of its text stays, wherever it moves:
  1. a section that reads exactly as one before is that one;
  2. else one whose heading is one before's (the same words, any case) is that one: its text
     was rewritten under the same heading;
  3. else one that shares most of its words with one before is that one: its heading was
     renamed (the pair sharing the most goes first).
A new section most of whose words come from a section before was split from it; a section
before that is gone, most of whose words are in a new one, was merged into that one.
New sections take an id made from their heading ("resources-and-structures"), which they then
keep whatever they are renamed, as a wiki's anchors would not. The ids are chosen from the two
texts alone, so two servers reading the same texts choose the same ones.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

MOST = 0.5  # the share of words in common that makes two sections one
# Comparing words costs a pass over two sections for each pair compared: past this many pairs
# (a text rewritten wholesale into hundreds of sections) the remaining sections are new.
MOST_PAIRS = 10_000
_WORD = re.compile(r"\w+")
_NOT_SLUG = re.compile(r"[^\w]+")
SLUG_LENGTH = 48


@dataclass(frozen=True, slots=True)
class Known:
    """A section as it stood before: its id, heading and the words under it."""

    key: str
    heading: str
    body: str


@dataclass(frozen=True, slots=True)
class Named:
    """A new text's section, with the id it takes and what it came from."""

    key: str
    split_from: str | None = None
    merged_from: tuple[str, ...] = field(default=())


def name(before: Sequence[Known], after: Sequence[tuple[str, str]]) -> list[Named]:
    """The ids of the sections `after` ((heading, body) each, in order), given those `before`."""
    pairs: dict[int, int] = {}  # index after -> index before
    _pair_exact(before, after, pairs)
    _pair_headings(before, after, pairs)
    words_before = [_words(known.body) for known in before]
    words_after = [_words(body) for _, body in after]
    _pair_words(words_before, words_after, pairs)
    taken = {known.key for known in before}
    keys: dict[int, str] = {i: before[j].key for i, j in pairs.items()}
    for i, (heading, _) in enumerate(after):
        if i not in keys:
            keys[i] = _fresh(heading, taken)
            taken.add(keys[i])
    return [Named(keys[i], *found) for i, found in enumerate(_related(before, after, pairs))]


def related(before: Sequence[Known], after: Sequence[tuple[str, str]]) -> list[Named]:
    """What each of the sections `after` ((id, body) each, already named) was split from or
    merged from, among those `before`: the ids say which are the same."""
    index = {known.key: j for j, known in enumerate(before)}
    pairs = {i: index[key] for i, (key, _) in enumerate(after) if key in index}
    found = _related(before, [("", body) for _, body in after], pairs)
    return [Named(key, *relation) for (key, _), relation in zip(after, found, strict=True)]


def _related(
    before: Sequence[Known], after: Sequence[tuple[str, str]], pairs: dict[int, int]
) -> list[tuple[str | None, tuple[str, ...]]]:
    """A new section, most of whose words come from a section kept, was split from it; a
    section gone, most of whose words are in a new one, was merged into it."""
    paired_before = set(pairs.values())
    if (len(after) - len(pairs)) * len(before) > MOST_PAIRS:
        return [(None, ())] * len(after)
    words_before = [_words(known.body) for known in before]
    words_after = [_words(body) for _, body in after]
    split_from = {
        i: before[j].key
        for i in range(len(after))
        if i not in pairs
        and (j := _most_of(words_after[i], words_before, paired_before)) is not None
    }
    merged: dict[int, list[str]] = {}
    for j, known in enumerate(before):
        if j in paired_before:
            continue
        into = _most_of(words_before[j], words_after, set(pairs))
        if into is not None:
            merged.setdefault(into, []).append(known.key)
    return [(split_from.get(i), tuple(merged.get(i, ()))) for i in range(len(after))]


def _pair_exact(
    before: Sequence[Known], after: Sequence[tuple[str, str]], pairs: dict[int, int]
) -> None:
    waiting: dict[tuple[str, str], list[int]] = {}
    for j, known in enumerate(before):
        waiting.setdefault((known.heading, known.body.strip()), []).append(j)
    for i, (heading, body) in enumerate(after):
        same = waiting.get((heading, body.strip()))
        if same:
            pairs[i] = same.pop(0)


def _pair_headings(
    before: Sequence[Known], after: Sequence[tuple[str, str]], pairs: dict[int, int]
) -> None:
    """Sections under the same heading, in the order they come (both sides unpaired)."""
    used = set(pairs.values())
    waiting: dict[str, list[int]] = {}
    for j, known in enumerate(before):
        if j not in used:  # the preamble's heading is "": it stays the preamble
            waiting.setdefault(known.heading.strip().casefold(), []).append(j)
    for i, (heading, _) in enumerate(after):
        same = waiting.get(heading.strip().casefold())
        if i not in pairs and same:
            pairs[i] = same.pop(0)


def _pair_words(
    before: list[Counter[str]], after: list[Counter[str]], pairs: dict[int, int]
) -> None:
    """Sections sharing most of their words, the closest pairs first."""
    used = set(pairs.values())
    if (len(after) - len(pairs)) * (len(before) - len(used)) > MOST_PAIRS:
        return
    scored = sorted(
        (
            (-_alike(after[i], before[j]), i, j)
            for i in range(len(after))
            if i not in pairs
            for j in range(len(before))
            if j not in used
        ),
    )
    for score, i, j in scored:
        if -score < MOST:
            break
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)


def _most_of(words: Counter[str], others: list[Counter[str]], among: set[int]) -> int | None:
    """Which of `others` (of those `among`) holds most of `words`, if one does."""
    total = sum(words.values())
    if not total:
        return None
    best, share = None, MOST
    for index in sorted(among):
        held = sum((words & others[index]).values()) / total
        if held >= share:
            best, share = index, held
    return best


def _alike(a: Counter[str], b: Counter[str]) -> float:
    """The share of words two sections have in common (Dice's coefficient); 0 for no words."""
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 0.0


def _words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.casefold()))


def _fresh(heading: str, taken: set[str]) -> str:
    """An id made from the heading, not yet taken: "trust-and-culture", "trust-and-culture-2"."""
    slug = _NOT_SLUG.sub("-", heading.casefold()).strip("-_")
    if len(slug) > SLUG_LENGTH:  # cut at a word's end where there is one
        cut = slug[:SLUG_LENGTH]
        slug = (cut[: cut.rfind("-")] if "-" in cut else cut).strip("-_")
    slug = slug or ("preamble" if not heading else "section")
    if slug not in taken:
        return slug
    number = 2
    while f"{slug}-{number}" in taken:
        number += 1
    return f"{slug}-{number}"
