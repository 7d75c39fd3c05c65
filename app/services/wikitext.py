"""MediaWiki wikitext from a statement's Markdown, for posting on a wiki.

The structure becomes wiki markup: headings, lists, bold and italics, links, tables, quotes,
preformatted code. Nothing the author wrote can act as markup: every character MediaWiki
would read as markup is written as a character reference, which a wiki shows as the character
and never parses, and a signature (~~~~), a magic word (__NOTOC__) or a magic link (ISBN …) is
no longer one once a single character of it is. Character references rather than <nowiki>,
because they also hold inside link addresses, table cells and list items."""

import re

from markdown_it.token import Token

from app.services import markdown
from app.services.markdown import Node

# Markup anywhere in a line: links, templates and tables ([ ] { } |), tags and character
# references (< > &), signatures (~~~).
_CHARACTERS = {char: f"&#{ord(char)};" for char in "[]{}|~"} | {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
}
_AS_REFERENCES = str.maketrans(_CHARACTERS)
# Runs that are markup only together: bold and italics (''), magic words (__TOC__), table
# cells (!!); magic links (ISBN, RFC, PMID); and the schemes of MediaWiki's default
# $wgUrlProtocols, which make a bare address a link.
_MARKUP = re.compile(
    r"'{2,}|_{2,}|!{2,}|ISBN|RFC|PMID"
    r"|(?i:\b(?:bitcoin|ftps?|geo|git|gopher|https?|ircs?|magnet|mailto|matrix|mms|news|nntp"
    r"|redis|sftp|sips?|sms|ssh|svn|tel|telnet|urn|worldwind|xmpp):)"
)
# What makes a line a list, an indent, a heading, a rule, a table cell or preformatted text.
_LINE_START = frozenset("*#:;=-! \t")
# A link's address: entities are read in it, and quotes, signatures and magic words act there
# too; percent-encoding keeps the same address.
_ADDRESS = re.compile(r"&|'{2,}|~{2,}|_{2,}|!{2,}")
_LINKED = ("http:", "https:", "mailto:")  # what the pages link; other addresses stay words


def _reference(char: str) -> str:
    return _CHARACTERS.get(char) or f"&#{ord(char)};"


def _marked(match: re.Match[str]) -> str:
    found = match[0]
    if found[-1] == ":":
        return found[:-1] + "&#58;"
    if found[0] in "IRP":  # ISBN, RFC, PMID
        return _reference(found[0]) + found[1:]
    return "".join(map(_reference, found))


def escape(text: str, *, line_start: bool = False) -> str:
    """`text` as words on a wiki, none of it markup. `line_start`: it begins a line."""
    escaped = _MARKUP.sub(_marked, text.translate(_AS_REFERENCES))
    # An apostrophe or underscore at either end could join one of the markup's own.
    if escaped[:1] in ("'", "_") or (line_start and escaped[:1] in _LINE_START):
        escaped = _reference(escaped[0]) + escaped[1:]
    if escaped[-1:] in ("'", "_"):
        escaped = escaped[:-1] + _reference(escaped[-1])
    return escaped


def _address(href: str) -> str:
    return _ADDRESS.sub(
        lambda m: "&amp;" if m[0] == "&" else "".join(f"%{ord(c):02X}" for c in m[0]), href
    )


def _pre(code: str) -> str:
    """A <pre> block: MediaWiki reads character references there and no markup, but a
    signature or a closing tag would still act."""
    return "<pre>" + code.translate(_AS_REFERENCES) + "</pre>"


def _inline(tokens: list[Token], *, line_start: bool = False) -> str:
    out: list[str] = []  # the pieces of the innermost open link's words, or of all
    links: list[tuple[list[str], str]] = []  # each open link's surrounding pieces and address
    words: list[str] = []  # neighbouring pieces of text, escaped together

    def flush() -> None:
        if words:
            out.append(escape("".join(words), line_start=line_start and not out and not links))
            words.clear()

    for token in tokens:
        kind = token.type
        if kind == "text":
            words.append(token.content)
            continue
        flush()
        if kind == "code_inline":
            out.append(f"<code>{escape(token.content)}</code>")
        elif kind == "softbreak":  # a newline would end a list item, or start new markup
            out.append(" ")
        elif kind == "hardbreak":
            out.append("<br />")
        elif kind in _QUOTES:
            out.append(_QUOTES[kind])
        elif kind == "link_open":
            links.append((out, str(token.attrs.get("href", ""))))
            out = []
        elif kind == "link_close" and links:
            label = "".join(out)
            out, href = links.pop()
            out.append(_link(href, label))
    flush()
    return "".join(out)


_QUOTES = {
    "strong_open": "'''",
    "strong_close": "'''",
    "em_open": "''",
    "em_close": "''",
    "s_open": "<s>",
    "s_close": "</s>",
}


def _link(href: str, label: str) -> str:
    if href.lower().startswith(_LINKED):
        return f"[{_address(href)} {label or escape(href)}]"
    if label[:1] in _LINE_START:  # the words may begin a line once the link's mark is gone
        label = _reference(label[0]) + label[1:]
    return f"{label} ({escape(href)})" if label else escape(href)


def _listable(node: Node) -> bool:
    """Whether a list reads as wiki list lines: numbered ones always start at 1 there."""
    if node.type == "ordered_list" and int(node.attr("start") or 1) != 1:
        return False
    return all(
        _listable(block)
        for item in node.children
        for block in item.children
        if block.type in ("bullet_list", "ordered_list")
    )


def _list_lines(node: Node, prefix: str) -> list[str]:
    """`*` and `#` lines; a later block of an item continues it (`#:`), as wikis write it."""
    marker = prefix + ("#" if node.type == "ordered_list" else "*")
    lines: list[str] = []
    for item in node.children:
        if not item.children:
            lines.append(marker)
        for index, block in enumerate(item.children):
            if block.type in ("bullet_list", "ordered_list") and _listable(block):
                lines += _list_lines(block, marker)
            else:
                lines.append(f"{marker}{':' if index else ''} {_one_line(block)}")
    return lines


def _one_line(node: Node, *, line_start: bool = False) -> str:
    """A block on one line, for inside a list item, where a line break would end the list."""
    kind = node.type
    if kind == "paragraph":
        return _inline(node.words(), line_start=line_start)
    if kind == "heading":
        return f"'''{_inline(node.words())}'''"
    if kind in ("fence", "code_block"):
        return _pre(node.token.content.rstrip("\n"))
    if kind == "hr":
        return "<hr />"
    if kind == "blockquote":
        return f"<blockquote>{_html_blocks(node.children, '')}</blockquote>"
    if kind in ("bullet_list", "ordered_list"):
        return _html_list(node, "")
    if kind == "table":
        return _html_table(node)
    return escape(node.token.content)


def _html_blocks(nodes: list[Node], newline: str) -> str:
    parts = [_one_line(block) for block in nodes]
    if len(nodes) == 1 and nodes[0].type == "paragraph":
        return parts[0]
    return newline.join(
        f"<p>{part}</p>" if block.type == "paragraph" and not block.token.hidden else part
        for block, part in zip(nodes, parts, strict=True)
    )


def _html_list(node: Node, newline: str) -> str:
    """A list as HTML tags, which MediaWiki accepts: a numbered list may start anywhere."""
    start = int(node.attr("start") or 1)
    tags = ("<ol>", "</ol>") if start == 1 else (f'<ol start="{start}">', "</ol>")
    if node.type == "bullet_list":
        tags = ("<ul>", "</ul>")
    items = [f"<li>{_html_blocks(item.children, '')}</li>" for item in node.children]
    return newline.join([tags[0], *items, tags[1]])


def _cells(row: Node) -> list[tuple[str, str, str]]:
    """Each cell's tag, alignment and text."""
    return [(cell.type, cell.attr("align"), _inline(cell.words())) for cell in row.children]


def _html_table(node: Node) -> str:
    rows = [row for part in node.children for row in part.children]
    html = ['<table class="wikitable">']
    for row in rows:
        html.append("<tr>")
        for tag, align, text in _cells(row):
            html.append(f'<{tag} align="{align}">' if align else f"<{tag}>")
            html.append(f"{text}</{tag}>")
        html.append("</tr>")
    return "".join(html) + "</table>"


def _table_lines(node: Node) -> list[str]:
    lines = ['{| class="wikitable"']
    for part in node.children:
        for row in part.children:
            if len(lines) > 1:
                lines.append("|-")
            for tag, align, text in _cells(row):
                mark = "!" if tag == "th" else "|"
                style = f'style="text-align:{align}" | ' if align else ""
                lines.append(f"{mark} {style}{text}")
    return [*lines, "|}"]


def _block_lines(node: Node) -> list[str]:
    kind = node.type
    if kind == "heading":
        marks = "=" * int(node.token.tag[1])
        return [f"{marks} {_inline(node.words(), line_start=True)} {marks}"]
    if kind in ("bullet_list", "ordered_list"):
        return _list_lines(node, "") if _listable(node) else [_html_list(node, "\n")]
    if kind == "blockquote":
        return ["<blockquote>", *_blocks(node.children), "</blockquote>"]
    if kind == "hr":
        return ["----"]
    if kind == "table":
        return _table_lines(node)
    return [_one_line(node, line_start=True)]


def _blocks(nodes: list[Node]) -> list[str]:
    lines: list[str] = []
    for node in nodes:
        if lines:
            lines.append("")
        lines += _block_lines(node)
    return lines


def wikitext(text: str) -> str:
    """MediaWiki wikitext of a statement's Markdown. A text too costly to parse (see
    markdown.affordable) goes over as written, preformatted."""
    if not markdown.affordable(text):
        return _pre(text) + "\n"
    return "\n".join(_blocks(markdown.tree(text))) + "\n"
