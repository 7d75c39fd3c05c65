"""Comment bodies: Markdown rendered to HTML, then sanitised, so that no markup a person
writes can run script, load anything or restyle the page."""

import re
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


def render(body: str, mentions: list[str] | None = None) -> str:
    """Safe HTML for a Markdown body; each name in `mentions` found after an @ is marked."""
    html = _MARKDOWN.render(body)
    for name in sorted(mentions or [], key=len, reverse=True):
        shown = escape(name)
        mark = f'<mark class="mention">@{shown}</mark>'
        html = re.sub(rf"@{re.escape(shown)}(?!\w)", mark.replace("\\", "\\\\"), html)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
