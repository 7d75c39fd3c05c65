"""A statement's text for use elsewhere: Markdown, standalone HTML, plain text, and MediaWiki
wikitext for posting on a wiki. File names are safe whatever the title."""

import re
import unicodedata
from html import escape
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.services import markdown

FORMATS = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "wikitext": "text/plain; charset=utf-8",
}
_PARSER = MarkdownIt("commonmark", {"html": False})


def file_name(title: str, suffix: str, extension: str) -> str:
    """An ASCII file name from a title: letters, digits and hyphens, never a path."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-").lower()[:80] or "statement"
    return f"{stem}-{suffix}.{extension}"


def _own_file_name(title: str, suffix: str, extension: str) -> str:
    """The title's own letters and digits, in any script, joined by hyphens: no separators,
    controls, direction overrides or invisible characters, never a path."""
    kinds = ((char, unicodedata.category(char)) for char in unicodedata.normalize("NFKC", title))
    kept = "".join(
        char if kind[0] in "LMN" else "" if kind == "Cf" else "-" for char, kind in kinds
    )
    stem = re.sub(r"-+", "-", kept).strip("-").lower()[:80].strip("-") or "statement"
    return f"{stem}-{suffix}.{extension}"


def content_disposition(title: str, suffix: str, extension: str) -> str:
    """An attachment's header: an ASCII name every client reads and, for a title with letters
    beyond ASCII, its own name as RFC 5987 `filename*`, which browsers prefer."""
    fallback = file_name(title, suffix, extension)
    own = _own_file_name(title, suffix, extension)
    header = f'attachment; filename="{fallback}"'
    if not own.isascii():
        header += f"; filename*=UTF-8''{quote(own, safe='')}"
    return header


def export(title: str, text: str, fmt: str, *, note: str = "") -> str:
    if fmt == "md":
        return text
    if fmt == "txt":
        return plain(text)
    if fmt == "wikitext":
        return wikitext(text)
    return standalone_html(title, text, note)


def standalone_html(title: str, text: str, note: str) -> str:
    body = markdown.render(text)
    footer = f"<footer><p>{escape(note)}</p></footer>" if note else ""
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>body{max-width:42rem;margin:3rem auto;padding:0 1rem;"
        "font:1.1rem/1.65 Georgia,serif;color:#1c2530}h1,h2,h3{line-height:1.25}</style>"
        f"</head><body><main>{body}</main>{footer}</body></html>\n"
    )


# What MediaWiki would read as markup in plain words: links, templates, quotes, signatures,
# tags, magic words, and list or heading marks at the start of a line.
_WIKI_MARKUP = re.compile(r"\[|\]|\{\{|\}\}|''|~~~|<|>|__|&|^[*#:;=]|\|")


def _nowiki(text: str) -> str:
    """Words as words on a wiki: anything MediaWiki could read as markup goes in <nowiki>."""
    if not _WIKI_MARKUP.search(text):
        return text
    return "<nowiki>" + text.replace("<", "&lt;").replace(">", "&gt;") + "</nowiki>"


def _inline(children: list[Token] | None, wiki: bool) -> str:
    out: list[str] = []
    links: list[str] = []
    for token in children or []:
        kind = token.type
        if kind == "text":
            out.append(_nowiki(token.content) if wiki else token.content)
        elif kind == "code_inline":
            out.append(f"<code>{_nowiki(token.content)}</code>" if wiki else token.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif wiki and kind in ("strong_open", "strong_close"):
            out.append("'''")
        elif wiki and kind in ("em_open", "em_close"):
            out.append("''")
        elif kind == "link_open":
            links.append(str(token.attrGet("href") or ""))
            out.append("[" + links[-1] + " " if wiki else "")
        elif kind == "link_close":
            href = links.pop() if links else ""
            out.append("]" if wiki else f" ({href})")
    return "".join(out)


def _blocks(text: str, wiki: bool) -> str:
    lines: list[str] = []
    bullets: list[str] = []  # "*" or "#" per open list, for wikitext nesting
    heading = 0
    quote = 0
    tokens = _PARSER.parse(text)
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "heading_open":
            heading = int(token.tag[1])
        elif kind == "heading_close":
            heading = 0
        elif kind == "bullet_list_open":
            bullets.append("*")
        elif kind == "ordered_list_open":
            bullets.append("#")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            bullets.pop()
            if not bullets:
                lines.append("")
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "inline":
            content = _inline(token.children, wiki)
            in_item = index > 1 and tokens[index - 2].type == "list_item_open"
            if heading:
                marks = "=" * heading
                lines.append(
                    f"{marks} {content} {marks}"
                    if wiki
                    else content.upper()
                    if heading == 1
                    else content
                )
                lines.append("")
            elif in_item:
                marker = "".join(bullets) if wiki else "  " * (len(bullets) - 1) + "-"
                lines.append(f"{marker} {content}")
            elif quote:
                lines.append(f"<blockquote>{content}</blockquote>" if wiki else f"> {content}")
                lines.append("")
            else:
                lines.append(content)
                lines.append("")
        elif kind in ("fence", "code_block"):
            code = token.content.rstrip()
            # A wiki reads a <pre> block's entities but no markup, so only a "</pre>" could end it.
            escaped = code.replace("<", "&lt;").replace(">", "&gt;")
            lines.append(f"<pre>{escaped}</pre>" if wiki else code)
            lines.append("")
        elif kind == "hr":
            lines.append("----" if wiki else "")
            lines.append("")
    return "\n".join(lines).strip() + "\n"


def wikitext(text: str) -> str:
    """MediaWiki wikitext: headings, bullet and numbered lists, bold, italics, external links.
    A text too costly to parse (see markdown.affordable) goes over as written, in <nowiki>."""
    if not markdown.affordable(text):
        return "<nowiki>" + text.replace("<", "&lt;").replace(">", "&gt;") + "</nowiki>\n"
    return _blocks(text, wiki=True)


def plain(text: str) -> str:
    """Plain text: the words, with list markers and paragraphs, and no markup; a text too
    costly to parse (see markdown.affordable) as written."""
    if not markdown.affordable(text):
        return text
    return _blocks(text, wiki=False)
