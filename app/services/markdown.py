"""Markdown as Accord reads it, for comments, the public page and the exports: parsed once
into tokens, and rendered to HTML that is then sanitised, so that no markup a person writes can
run script, load anything or restyle the page.

Three readings keep what a reader needs where plain CommonMark would drop it: an image is its
description, "[Image: …]", linked to its address (pages load no image from elsewhere, so the
words are what a reader gets); a definition whose label starts with ^, the way footnotes are
written elsewhere, stays in the text as written rather than vanishing as an unused link target;
and a table column's alignment is an `align` attribute, which the pages' style policy allows
where a `style` attribute would be refused."""

import re
import threading
from collections import OrderedDict
from html import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_block import reference
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_TAGS = {
    "p", "br", "em", "strong", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
    "mark",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "mark": {"class"},
    "ol": {"start"},  # a numbered list that starts at 3 says 3 on the page too
    "th": {"align"},
    "td": {"align"},
}

# markdown-it is linear but slow: up to about 2.5 µs a character, ten times that for each one
# that may open markup (table cells, runs of brackets) and more for each line. A text whose
# cost, counted in those units, passes the budget (half a second at worst) is shown as written
# instead of parsed, so that no text, however it was crafted, holds the server for long.
_MARKUP = re.compile(r"[!#$%&*+\-:<=>@\[\\\]^_`{}~|]")
_BUDGET = 200_000


def _reference_unless_footnote(state: StateBlock, line: int, end: int, silent: bool) -> bool:
    start = state.bMarks[line] + state.tShift[line]
    if state.src.startswith("[^", start):
        return False
    return reference(state, line, end, silent)


def _text_of(tokens: list[Token]) -> str:
    return "".join(
        _text_of(token.children or []) if token.type == "image" else token.content
        for token in tokens
    )


def _described_images(state: StateCore) -> None:
    """Each image becomes its description in words, linked to its address unless it already
    sits inside a link; each table cell's alignment becomes an `align` attribute."""
    for block in state.tokens:
        if block.type in ("th_open", "td_open") and "style" in block.attrs:
            block.attrs = {"align": str(block.attrs["style"]).removeprefix("text-align:")}
        if block.type != "inline" or not block.children:
            continue
        depth = 0
        children: list[Token] = []
        for token in block.children:
            depth += token.type == "link_open"
            depth -= token.type == "link_close"
            if token.type != "image":
                children.append(token)
                continue
            alt = _text_of(token.children or [])
            words = Token("text", "", 0, content=f"[Image: {alt}]" if alt else "[Image]")
            if depth:
                children.append(words)
                continue
            attrs = {"href": token.attrs["src"]}
            if token.attrs.get("title"):
                attrs["title"] = token.attrs["title"]
            children += [Token("link_open", "a", 1, attrs=attrs), words]
            children.append(Token("link_close", "a", -1))
        block.children = children


# CommonMark without raw HTML (it is escaped instead), plus tables and strikethrough.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)
_MARKDOWN.block.ruler.at("reference", _reference_unless_footnote)
_MARKDOWN.core.ruler.push("described_images", _described_images)


def parse(text: str) -> list[Token]:
    """The block and inline tokens of `text`, read as every page and export reads it."""
    return _MARKDOWN.parse(text)


class Node:
    """A block of the text: its token (the opening one of a pair) and the blocks it holds."""

    __slots__ = ("children", "token", "type")

    def __init__(self, token: Token) -> None:
        self.token = token
        self.type = token.type.removesuffix("_open")
        self.children: list[Node] = []

    def attr(self, name: str) -> str:
        return str(self.token.attrs.get(name, ""))

    def words(self) -> list[Token]:
        """The inline tokens of a paragraph, heading or table cell, in order."""
        return self.children[0].token.children or [] if self.children else []


def _nest(tokens: list[Token]) -> list[Node]:
    # Blocks only, and lighter than markdown-it's SyntaxTreeNode, which costs as much again as
    # the parse: the inline tokens are read in order, as they come.
    top: list[Node] = []
    open_children = [top]
    for token in tokens:
        if token.nesting == -1:
            open_children.pop()
            continue
        node = Node(token)
        open_children[-1].append(node)
        if token.nesting == 1:
            open_children.append(node.children)
    return top


def tree(text: str) -> list[Node]:
    """The top-level blocks of `text`, each holding its own."""
    return _nest(parse(text))


def affordable(text: str) -> bool:
    """Whether `text` is cheap enough to parse as Markdown within the budget."""
    if len(text) > _BUDGET:
        return False
    markup = len(text) - len(_MARKUP.sub("", text))
    return len(text) + 10 * markup + 24 * text.count("\n") <= _BUDGET


class _Rendered:
    """The HTML of bodies rendered lately, least recently used dropped first, within a
    budget of characters kept (bodies and their HTML), so that opening a statement's threads
    again, or a publication, does not parse every comment again."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.entries: OrderedDict[tuple[str, tuple[str, ...]], str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, tuple[str, ...]]) -> str | None:
        with self.lock:
            html = self.entries.get(key)
            if html is not None:
                self.entries.move_to_end(key)
            return html

    def put(self, key: tuple[str, tuple[str, ...]], html: str) -> None:
        size = _size(key, html)
        if size > self.budget // 4:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = html
            self.used += size
            while self.used > self.budget:
                old, old_html = self.entries.popitem(last=False)
                self.used -= _size(old, old_html)


def _size(key: tuple[str, tuple[str, ...]], html: str) -> int:
    return len(key[0]) + sum(map(len, key[1])) + len(html)


# About 8 million characters: the comments of a busy statement, for a few tens of megabytes.
_rendered = _Rendered(8_000_000)


def render(body: str, mentions: list[str] | None = None) -> str:
    """Safe HTML for a Markdown body; each name in `mentions` found after an @ is marked.
    A body too costly to parse shows as written, preformatted."""
    key = (body, tuple(sorted(set(mentions or ()))))
    html = _rendered.get(key)
    if html is None:
        html = _render(body, key[1])
        _rendered.put(key, html)
    return html


def _render(body: str, mentions: tuple[str, ...]) -> str:
    parsed = affordable(body)
    html = _MARKDOWN.render(body) if parsed else f"<pre>{escape(body)}</pre>\n"
    for name in sorted(mentions, key=len, reverse=True):
        shown = escape(name)
        mark = f'<mark class="mention">@{shown}</mark>'
        html = re.sub(rf"@{re.escape(shown)}(?!\w)", mark.replace("\\", "\\\\"), html)
    if not parsed:
        # Escaped throughout, so safe as it is; the sanitiser would take seconds on a long one.
        return html
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
