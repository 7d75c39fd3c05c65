"""A statement's text for use elsewhere: Markdown, standalone HTML, plain text, and MediaWiki
wikitext for posting on a wiki. A publication's file also names, after the text, when it was
published, who endorsed it and who abstained. File names are safe whatever the title."""

import re
import unicodedata
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from markdown_it import MarkdownIt

from app.models.publication import Signatory
from app.services import markdown, plaintext, wikitext

FORMATS = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "wikitext": "text/plain; charset=utf-8",
}
# CommonMark as most other readers take it, raw HTML included: to find what a text leaves open.
_OTHER_READERS = MarkdownIt("commonmark")


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


@dataclass(frozen=True)
class Endorsements:
    """What a publication's file says after its text."""

    published: str  # "Published 2024-05-01, publication 1"
    signatories: list[Signatory]
    abstentions: list[Signatory]

    def groups(self) -> list[tuple[str, list[str]]]:
        """Each heading with its names, one line each: "Name (Organisation)"."""
        endorsed = [_named(person) for person in self.signatories] or ["No one"]
        abstained = [_named(person) for person in self.abstentions]
        return [("Endorsed by", endorsed)] + ([("Abstained", abstained)] if abstained else [])


def _named(person: Signatory) -> str:
    named = person.name + (f" ({person.organisation})" if person.organisation else "")
    return " ".join(named.split())


def export(
    title: str, text: str, fmt: str, *, note: str = "", endorsements: Endorsements | None = None
) -> str:
    """`text` in format `fmt`, followed, for a publication, by its `endorsements`."""
    if fmt == "html":
        return standalone_html(title, text, note, endorsements)
    if fmt == "txt":
        body = plaintext.plain(text)
    elif fmt == "wikitext":
        body = wikitext.wikitext(text)
    else:
        body = text
    if endorsements is None:
        return body
    if fmt == "txt":
        return body.rstrip("\n") + "\n\n" + _plain_endorsements(endorsements)
    if fmt == "wikitext":
        return body.rstrip("\n") + "\n\n" + _wiki_endorsements(endorsements)
    return closed(text).rstrip("\n") + "\n\n" + _markdown_endorsements(endorsements)


def _plain_endorsements(endorsements: Endorsements) -> str:
    lines = ["* * *", "", endorsements.published]
    for heading, names in endorsements.groups():
        lines += ["", heading, "-" * len(heading), "", *(f"- {name}" for name in names)]
    return "\n".join(lines) + "\n"


def _wiki_endorsements(endorsements: Endorsements) -> str:
    lines = ["----", "", wikitext.escape(endorsements.published, line_start=True)]
    for heading, names in endorsements.groups():
        lines += ["", f"== {heading} ==", *(f"* {wikitext.escape(name)}" for name in names)]
    return "\n".join(lines) + "\n"


# What Markdown reads as markup within a line, and at the start of a list item's words.
_MARKDOWN_INLINE = re.compile(r"[\\`*_\[\]<>#|!~&{}]")
_MARKDOWN_START = re.compile(r"^(\d{1,9})([.)])|^([-+=])")


def _markdown_words(text: str) -> str:
    """Words that no Markdown reader takes as markup."""
    escaped = _MARKDOWN_INLINE.sub(r"\\\g<0>", text)
    return _MARKDOWN_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped)


def _markdown_endorsements(endorsements: Endorsements) -> str:
    lines = ["---", "", _markdown_words(endorsements.published)]
    for heading, names in endorsements.groups():
        lines += ["", f"## {heading}", "", *(f"- {_markdown_words(name)}" for name in names)]
    return "\n".join(lines) + "\n"


# What ends a block of raw HTML that runs until its end condition, whatever lines follow.
_HTML_ENDS = {"<!--": "-->", "<?": "?>", "<![CDATA[": "]]>", "<!": ">"}
_HTML_RAW = re.compile(r"<(script|pre|style|textarea)", re.IGNORECASE)


def closed(text: str) -> str:
    """`text` with a code fence or raw-HTML block it leaves open closed, so that what follows
    it in a file is not read as part of it: the text reads the same either way. A text too
    costly to parse (see markdown.affordable) as written."""
    if not markdown.affordable(text):
        return text
    tokens = _OTHER_READERS.parse(text + "\n\nEnd.\n")
    if tokens[-2].content == "End." and tokens[-3].level == 0:
        return text
    last = next(t for t in reversed(tokens) if t.level == 0 and t.nesting == 0)
    if last.type == "fence":
        end = last.markup
    elif last.type == "html_block":
        raw = _HTML_RAW.match(last.content)
        starts = (end for start, end in _HTML_ENDS.items() if last.content.startswith(start))
        end = f"</{raw[1].lower()}>" if raw else next(starts, "")
    else:
        return text
    return text.rstrip("\n") + "\n" + end + "\n"


def standalone_html(
    title: str, text: str, note: str, endorsements: Endorsements | None = None
) -> str:
    body = markdown.render(text)
    signed = ""
    if endorsements is not None:
        note = endorsements.published
        for heading, names in endorsements.groups():
            items = "".join(f"<li>{escape(name)}</li>" for name in names)
            signed += f"<h2>{heading}</h2><ul>{items}</ul>"
        signed = f'<section class="signed">{signed}</section>'
    footer = f"<footer><p>{escape(note)}</p></footer>" if note else ""
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>body{max-width:42rem;margin:3rem auto;padding:0 1rem;"
        "font:1.1rem/1.65 Georgia,serif;color:#1c2530}h1,h2,h3{line-height:1.25}</style>"
        f"</head><body><main>{body}{signed}</main>{footer}</body></html>\n"
    )
