"""Show a comparison three ways: inline HTML, side by side rows, and a unified patch.

Every piece of user text goes through html.escape (quotes too) before it meets markup, and
the only markup is ours: <ins>, <del>, and their classes. Newlines are kept as they are, for a
page that shows the HTML with `white-space: pre-wrap`.
"""

import difflib
from collections.abc import Iterable, Iterator
from html import escape

from app.diff.align import matching_blocks
from app.diff.engine import Block, Move, Para, Piece
from app.diff.words import content, is_blank, split_lines, split_paragraphs
from app.models.diff import DiffSegment, RowKind, SideBySideRow

CONTEXT = 1  # unchanged paragraphs shown around a change in the side by side view
MIN_FOLD = 2  # fewer unchanged paragraphs than this are shown rather than folded
UNIFIED_CONTEXT = 3  # lines, as diff -u


def _pieces_html(pieces: Iterable[Piece], css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    parts: list[str] = []
    for kind, text in pieces:
        if kind == "equal":
            parts.append(escape(text))
        elif kind == "insert":
            parts.append(f"<ins{attribute}>{escape(text)}</ins>")
        elif kind == "delete":
            parts.append(f"<del{attribute}>{escape(text)}</del>")
    return "".join(parts)


def inline_html(segments: list[DiffSegment], moves: dict[int, Move]) -> str:
    """The new text with what changed marked inline; a moved passage's own edits are marked
    inside its new place."""
    parts: list[str] = []
    for segment in segments:
        text = escape(segment.text)
        authors = ""
        if segment.authors:
            authors = f' data-authors="{" ".join(str(a) for a in segment.authors)}"'
        if segment.kind == "equal":
            parts.append(text)
        elif segment.kind == "insert":
            parts.append(f"<ins{authors}>{text}</ins>")
        elif segment.kind == "delete":
            parts.append(f"<del>{text}</del>")
        elif segment.kind == "move_from":
            parts.append(f'<del class="move-from" data-move="{segment.move}">{text}</del>')
        else:
            assert segment.move is not None
            changes = moves[segment.move].changes
            if changes:
                text = _pieces_html(changes, "move-edit")
            parts.append(f'<ins class="move-to" data-move="{segment.move}"{authors}>{text}</ins>')
    return "".join(parts)


def _split_html(
    pieces: list[Piece], paras: list[Para], keep: str, tag: str, css: str = ""
) -> list[tuple[str, bool]]:
    """The HTML of each paragraph on one side of a diff (its text, without the line break and
    blank lines after it), and whether anything in it changed. `keep` is the kind of piece
    this side shows besides equal ones, marked with `tag`."""
    opening = f'<{tag} class="{css}">' if css else f"<{tag}>"
    result: list[tuple[str, bool]] = []
    index, used, changed = 0, 0, False
    parts: list[str] = []
    for kind, text in pieces:
        if kind not in ("equal", keep):
            continue
        while text and index < len(paras):
            length = len(paras[index].text)
            take = min(len(text), length - used)
            part = text[: max(0, min(take, len(content(paras[index].text)) - used))]
            changed = changed or (kind != "equal" and bool(part))
            if part and kind == "equal":
                parts.append(escape(part))
            elif part:
                parts.append(f"{opening}{escape(part)}</{tag}>")
            text, used = text[take:], used + take
            if used == length:
                result.append(("".join(parts), changed))
                index, used, changed, parts = index + 1, 0, False, []
    return result


def side_by_side(blocks: list[Block], moves: dict[int, Move]) -> list[SideBySideRow]:
    """Rows pairing each old paragraph with the new one it became, unchanged ones folded."""
    rows: list[SideBySideRow] = []
    moved = {move.id: iter(_moved_html(move)) for move in moves.values()}
    for block in blocks:
        if block.changes is None:
            for old, new in zip(block.old, block.new, strict=True):
                if not is_blank(old.text):
                    html = escape(content(old.text))
                    rows.append(_row("equal", old, new, html, html))
        else:
            rows.extend(_region_rows(block, block.changes, moved))
    return _fold(rows)


def _region_rows(
    block: Block, changes: list[Piece], moved: dict[int, Iterator[str]]
) -> list[SideBySideRow]:
    """Rows in the order of both texts: moved paragraphs where they stood, and the others
    paired: those with the same text (which only gained or lost a line break) together,
    the rest in order."""
    olds, news = block.old, block.new
    still_old = [p for p in olds if p.move is None]
    still_new = [p for p in news if p.move is None]
    old_html = iter(_split_html(changes, still_old, "delete", "del"))
    new_html = iter(_split_html(changes, still_new, "insert", "ins"))
    pairs = iter(_pairs(still_old, still_new))
    rows: list[SideBySideRow] = []
    i = j = 0
    while i < len(olds) or j < len(news):
        if i < len(olds) and (move := olds[i].move) is not None:
            text = olds[i].text
            html = f'<del class="move-from" data-move="{move}">{escape(content(text))}</del>'
            if not is_blank(text):
                rows.append(_row("move_from", olds[i], None, html, None))
            i += 1
            continue
        if j < len(news) and (move := news[j].move) is not None:
            html = f'<ins class="move-to" data-move="{move}">{next(moved[move], "")}</ins>'
            if not is_blank(news[j].text):
                rows.append(_row("move_to", None, news[j], None, html))
            j += 1
            continue
        has_old, has_new = next(pairs)
        old = olds[i] if has_old else None
        new = news[j] if has_new else None
        left, left_changed = next(old_html) if old else (None, False)
        right, right_changed = next(new_html) if new else (None, False)
        i, j = i + has_old, j + has_new
        if (old is None or is_blank(old.text)) and (new is None or is_blank(new.text)):
            continue
        kind: RowKind = "change" if old and new else "delete" if old else "insert"
        if kind == "change" and not (left_changed or right_changed):
            kind = "equal"
        rows.append(_row(kind, old, new, left, right))
    return rows


def _pairs(olds: list[Para], news: list[Para]) -> list[tuple[bool, bool]]:
    """Which sides each row of the paragraphs that stayed takes a paragraph from."""
    keys = [content(p.text) for p in olds], [content(p.text) for p in news]
    pairs: list[tuple[bool, bool]] = []
    i = j = 0
    for bi, bj, n in [*matching_blocks(*keys), (len(olds), len(news), 0)]:
        common = min(bi - i, bj - j)
        pairs += [(True, True)] * common + [(True, False)] * (bi - i - common)
        pairs += [(False, True)] * (bj - j - common) + [(True, True)] * n
        i, j = bi + n, bj + n
    return pairs


def _row(
    kind: RowKind, old: Para | None, new: Para | None, old_html: str | None, new_html: str | None
) -> SideBySideRow:
    return SideBySideRow.model_construct(
        kind=kind,
        old_line=old.line if old else None,
        new_line=new.line if new else None,
        old_html=old_html,
        new_html=new_html,
        move=(old.move if old else None) or (new.move if new else None),
        hidden=0,
        rows=[],
    )


def _moved_html(move: Move) -> list[str]:
    """The HTML of each paragraph of a move at its new place, with its own edits marked."""
    paras = [Para(text, 0) for text in split_paragraphs(move.new_text)]
    if not move.changes:
        return [escape(content(para.text)) for para in paras if not is_blank(para.text)]
    split = _split_html(move.changes, paras, "insert", "ins", "move-edit")
    return [html for (html, _), para in zip(split, paras, strict=True) if not is_blank(para.text)]


def _fold(rows: list[SideBySideRow]) -> list[SideBySideRow]:
    """Fold each stretch of unchanged rows but CONTEXT rows next to a change."""
    shown = [row.kind != "equal" for row in rows]
    for index, row in enumerate(rows):
        if row.kind != "equal":
            for near in range(max(0, index - CONTEXT), min(len(rows), index + CONTEXT + 1)):
                shown[near] = True
    folded: list[SideBySideRow] = []
    hidden: list[SideBySideRow] = []

    def flush() -> None:
        if len(hidden) >= MIN_FOLD:
            folded.append(
                SideBySideRow(
                    kind="fold",
                    old_line=hidden[0].old_line,
                    new_line=hidden[0].new_line,
                    hidden=len(hidden),
                    rows=list(hidden),
                )
            )
        else:
            folded.extend(hidden)
        hidden.clear()

    for row, show in zip(rows, shown, strict=True):
        if show:
            flush()
            folded.append(row)
        else:
            hidden.append(row)
    flush()
    return folded


def unified(old: str, new: str, *, old_name: str, new_name: str) -> str:
    """A unified patch from `old` to `new`, line by line, as `diff -u` prints it."""
    lines = difflib.unified_diff(
        split_lines(old),
        split_lines(new),
        fromfile=_one_line(old_name),
        tofile=_one_line(new_name),
        n=UNIFIED_CONTEXT,
    )
    return "".join(
        line if line.endswith(("\n", "\r")) else f"{line}\n\\ No newline at end of file\n"
        for line in lines
    )


def _one_line(name: str) -> str:
    return " ".join(name.splitlines()) or "-"
