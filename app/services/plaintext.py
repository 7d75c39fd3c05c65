"""Plain text from a statement's Markdown: the words and the shape a reader needs, without
markup. Headings are underlined, lists keep their markers, numbers and nesting, quotes their
"> ", code is indented, tables are aligned in columns, a link is followed by its address, an
image is its description, and struck text keeps its ~~ marks (dropping them would turn a
deletion into an assertion)."""

from markdown_it.token import Token

from app.services import markdown
from app.services.markdown import Node


def _inline(tokens: list[Token]) -> str:
    out: list[str] = []  # the pieces of the innermost open link's words, or of all
    links: list[tuple[list[str], str]] = []  # each open link's surrounding pieces and address
    for token in tokens:
        kind = token.type
        if kind in ("text", "code_inline"):
            out.append(token.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind in ("s_open", "s_close"):
            out.append("~~")
        elif kind == "link_open":
            links.append((out, str(token.attrs.get("href", ""))))
            out = []
        elif kind == "link_close" and links:
            label = "".join(out)
            out, href = links.pop()
            shown = label in (href, href.removeprefix("mailto:"))
            out.append(label if shown else f"{label} ({href})" if label else href)
    return "".join(out)


def _indented(lines: list[str], prefix: str) -> list[str]:
    return [prefix + line if line else "" for line in lines]


def _list(node: Node) -> list[str]:
    start = int(node.attr("start") or 1)
    # A tight list's paragraphs are hidden: its items take no blank line between them.
    tight = any(block.token.hidden for item in node.children for block in item.children)
    lines: list[str] = []
    for number, item in enumerate(node.children, start):
        marker = f"{number}." if node.type == "ordered_list" else "-"
        if lines and not tight:
            lines.append("")
        body = _blocks(item.children, tight) or [""]
        lines.append(f"{marker} {body[0]}".rstrip())
        lines += _indented(body[1:], " " * (len(marker) + 1))
    return lines


def _table(node: Node) -> list[str]:
    rows = [
        [(cell.attr("align"), _inline(cell.words())) for cell in row.children]
        for part in node.children
        for row in part.children
    ]
    widths = [max(len(row[i][1]) for row in rows) for i in range(len(rows[0]))]
    lay = {"right": str.rjust, "center": str.center}

    def line(row: list[tuple[str, str]]) -> str:
        cells = [
            lay.get(align, str.ljust)(text, width)
            for (align, text), width in zip(row, widths, strict=True)
        ]
        return " | ".join(cells).rstrip()

    return [line(rows[0]), "-+-".join("-" * width for width in widths), *map(line, rows[1:])]


def _block(node: Node) -> list[str]:
    kind = node.type
    if kind == "paragraph":
        return _inline(node.words()).split("\n")
    if kind == "heading":
        lines = _inline(node.words()).split("\n")
        level = int(node.token.tag[1])
        if level > 2:
            return lines
        return [*lines, ("=" if level == 1 else "-") * max(map(len, lines))]
    if kind in ("bullet_list", "ordered_list"):
        return _list(node)
    if kind == "blockquote":
        return [f"> {line}" if line else ">" for line in _blocks(node.children, False)]
    if kind in ("fence", "code_block"):
        return _indented(node.token.content.rstrip("\n").split("\n"), "    ")
    if kind == "hr":
        return ["* * *"]
    if kind == "table":
        return _table(node)
    return node.token.content.split("\n")


def _blocks(nodes: list[Node], tight: bool) -> list[str]:
    lines: list[str] = []
    for node in nodes:
        if lines and not tight:
            lines.append("")
        lines += _block(node)
    return lines


def plain(text: str) -> str:
    """Plain text of a statement's Markdown; a text too costly to parse (see
    markdown.affordable) as written."""
    if not markdown.affordable(text):
        return text
    return "\n".join(_blocks(markdown.tree(text), False)) + "\n"
