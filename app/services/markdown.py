"""Comment bodies: Markdown rendered to HTML, then sanitised, so that no markup a person
writes can run script, load anything or restyle the page."""

import re
import threading
from collections import OrderedDict
from html import escape

import nh3
from markdown_it import MarkdownIt

# CommonMark without raw HTML (it is escaped instead), plus tables and strikethrough.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)
_TAGS = {
    "p", "br", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
    "mark",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "mark": {"class"}, "th": {"align"}, "td": {"align"}}

# markdown-it is linear but slow: up to about 2.5 µs a character, ten times that for each one
# that may open markup (table cells, runs of brackets) and more for each line. A text whose
# cost, counted in those units, passes the budget (half a second at worst) is shown as written
# instead of parsed, so that no text, however it was crafted, holds the server for long.
_MARKUP = re.compile(r"[!#$%&*+\-:<=>@\[\\\]^_`{}~|]")
_BUDGET = 200_000


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
