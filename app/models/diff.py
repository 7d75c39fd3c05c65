"""A comparison of two versions of a text, as the API shows it.

Positions and lengths count code points. The segments cover both texts in order: the old
text is its `equal`, `delete` and `move_from` segments joined, the new text its `equal`,
`insert` and `move_to` segments joined.
"""

from typing import Literal

from sqlmodel import SQLModel

SegmentKind = Literal["equal", "insert", "delete", "move_from", "move_to"]
RowKind = Literal["equal", "change", "delete", "insert", "move_from", "move_to", "fold"]


class DiffSegment(SQLModel):
    """A stretch of text that is the same, new, gone, or one end of a moved passage."""

    kind: SegmentKind
    text: str
    move: int | None = None  # links a move_from to its move_to
    authors: list[int] | None = None  # who wrote an insert or move_to, when asked for


class DiffMove(SQLModel):
    """Paragraphs that left one place and arrived in another, the same or nearly."""

    id: int
    identical: bool
    # The moved text's own edits, from its old wording to its new (equal, insert and delete
    # segments); empty when identical.
    changes: list[DiffSegment]


class DiffCounts(SQLModel):
    """Words (and punctuation marks) added and removed; paragraphs changed and moved."""

    words_added: int
    words_removed: int
    paragraphs_changed: int
    paragraphs_moved: int


class SideBySideRow(SQLModel):
    """One row of the side-by-side view: an old paragraph beside the new one it became.

    Each side is escaped HTML (None where the side has no paragraph); line numbers count from
    1. A `fold` row stands for `hidden` unchanged paragraphs, carried in `rows` so that a page
    can unfold them without asking again."""

    kind: RowKind
    old_line: int | None = None
    new_line: int | None = None
    old_html: str | None = None
    new_html: str | None = None
    move: int | None = None
    hidden: int = 0
    rows: list["SideBySideRow"] = []


class TextDiffPublic(SQLModel):
    """Everything that changed from one version of a text to another, in every form."""

    old_name: str
    new_name: str
    # True when the two texts used different line breaks (CRLF and LF): the comparison is
    # then of both with LF breaks, so that the breaks alone do not mark every line changed.
    line_endings_normalised: bool = False
    segments: list[DiffSegment]
    moves: list[DiffMove]
    counts: DiffCounts
    html: str  # inline: <ins>, <del>, moves with class "move-from" / "move-to"
    rows: list[SideBySideRow]  # side by side, unchanged stretches folded
    unified: str  # a unified patch, as `diff -u` prints it
