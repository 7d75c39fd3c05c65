"""Where a text's headings divide it into sections.

A section runs from the first line of its heading to the first line of the next heading (at
the top level of the document: a "#" inside a code block or a quotation divides nothing), or
to the end of the text. The text before the first heading is the preamble, when it holds any
words. Headings are found as the pages render them (CommonMark: "# Title" lines and underlined
ones), so what the outline shows as a section is what the reader sees as one.
"""

import itertools
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

# Blocks only: what lies inside a heading or a paragraph divides nothing, and inline parsing is
# where a crafted text costs seconds (runs of brackets); blocks cost a few ms for a megabyte.
# A heading's words are as written ("Trust *and* Culture").
_PARSER = MarkdownIt("commonmark").disable("inline")
_LINE_END = re.compile(r"\r\n?|\n")
MOST_SECTIONS = 500  # headings after that many divide nothing: a statement has a few dozen
# markdown-it reads blocks at some 20 µs a line: past this many lines (a text no statement
# comes near, but one an editor could craft) headings are found by a plain reading of lines:
# "#" lines outside fenced code.
MOST_LINES = 20_000
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r" {0,3}(```|~~~)")


@dataclass(frozen=True, slots=True)
class Part:
    """One section of a text: [start, end) in code points; `body` starts after its heading."""

    heading: str  # the heading's words; "" for the preamble
    level: int  # 1 to 6; 0 for the preamble
    start: int
    body: int
    end: int

    @property
    def preamble(self) -> bool:
        return self.level == 0


def split(text: str) -> list[Part]:
    """The sections of `text`, in order; together they cover it (but for white space before a
    preamble-less first heading, which belongs to no one)."""
    starts = _line_starts(text)
    found = _headings(text, starts) if len(starts) <= MOST_LINES else _plain_headings(text, starts)
    del found[MOST_SECTIONS:]
    parts: list[Part] = []
    first_start = found[0][0] if found else len(text)
    if text[:first_start].strip():
        parts.append(Part("", 0, 0, 0, first_start))
    for number, (start, body, level, heading) in enumerate(found):
        end = found[number + 1][0] if number + 1 < len(found) else len(text)
        parts.append(Part(heading, level, start, max(start, min(body, end)), end))
    return parts


def _headings(text: str, starts: list[int]) -> list[tuple[int, int, int, str]]:
    """Each top-level heading's start, body start, level and words, as CommonMark reads them."""
    found = []
    tokens = _PARSER.parse(text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map is not None:
            first, after = token.map
            words = tokens[index + 1].content.strip()
            body = starts[min(after, len(starts) - 1)]
            found.append((starts[first], body, int(token.tag[1]), words))
    return found


def _plain_headings(text: str, starts: list[int]) -> list[tuple[int, int, int, str]]:
    """The "#" headings of a text too long to read as CommonMark, outside fenced code."""
    found = []
    fence: str | None = None
    for start, end in itertools.pairwise(starts):
        line = text[start:end].rstrip("\r\n")
        opening = _FENCE.match(line)
        if opening is not None and (fence is None or opening.group(1) == fence):
            fence = opening.group(1) if fence is None else None
            continue
        heading = _ATX.match(line) if fence is None else None
        if heading is not None:
            found.append((start, end, len(heading.group(1)), (heading.group(2) or "").strip()))
    return found


def _line_starts(text: str) -> list[int]:
    """Where each line starts, as markdown-it counts lines, and the text's end after them."""
    return [0, *(match.end() for match in _LINE_END.finditer(text)), len(text)]
