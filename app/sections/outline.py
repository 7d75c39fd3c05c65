"""Where a text's headings divide it into sections.

A section runs from the first line of its heading to the first line of the next heading (at
the top level of the document: a "#" inside a code block or a quotation divides nothing), or
to the end of the text. The text before the first heading is the preamble, when it holds any
words. Headings are found as the pages render them (CommonMark: "# Title" lines and underlined
ones), so what the outline shows as a section is what the reader sees as one.
"""

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark")
_LINE_END = re.compile(r"\r\n?|\n")


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
    found: list[tuple[int, int, int, str]] = []  # start, body, level, heading
    tokens = _PARSER.parse(text)
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.level != 0 or token.map is None:
            continue
        first, after = token.map
        words = tokens[index + 1].content.strip()
        found.append((starts[first], starts[min(after, len(starts) - 1)], int(token.tag[1]), words))
    parts: list[Part] = []
    first_start = found[0][0] if found else len(text)
    if text[:first_start].strip():
        parts.append(Part("", 0, 0, 0, first_start))
    for number, (start, body, level, heading) in enumerate(found):
        end = found[number + 1][0] if number + 1 < len(found) else len(text)
        parts.append(Part(heading, level, start, max(start, min(body, end)), end))
    return parts


def _line_starts(text: str) -> list[int]:
    """Where each line starts, as markdown-it counts lines, and the text's end after them."""
    return [0, *(match.end() for match in _LINE_END.finditer(text)), len(text)]
