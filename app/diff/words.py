"""Cut a text into lines and into the tokens a diff never splits.

A token is a word (letters and digits, with inner apostrophes: "don't"), a run of white
space, one line break ("\\r\\n" is one), one punctuation mark or symbol, or one character of a
script written without spaces (Chinese, Japanese, Thai...). Combining marks, variation
selectors, skin tones and zero-width-joined emoji stay with the character they modify, so no
token boundary ever falls inside what a reader sees as one character.
"""

import re
import unicodedata

Token = str


def _classes() -> tuple[str, str]:
    """Character class bodies of what extends the character before it: in the Basic
    Multilingual Plane, and beyond it (checked only for astral characters, which are rare,
    since a long class of astral ranges is slow to test)."""
    spans: list[tuple[int, int]] = []
    for code in (*range(0x20000), *range(0xE0000, 0xE0200)):
        if unicodedata.category(chr(code))[0] != "M":
            continue
        if spans and spans[-1][1] == code - 1:
            spans[-1] = (spans[-1][0], code)
        else:
            spans.append((code, code))
    spans.append((0x1F3FB, 0x1F3FF))  # emoji skin tones
    spans.append((0xE0020, 0xE007F))  # emoji tag sequences (subdivision flags)
    bmp = "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in spans if b < 0x10000)
    astral = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in spans if a >= 0x10000)
    return bmp, astral


_BMP_MARKS, _ASTRAL_MARKS = _classes()
# Scripts written without spaces between words: each character is a token.
_DENSE = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
)
# A joiner glues the next character on, but never white space or a line break.
_EXTEND = f"(?:[{_BMP_MARKS}]|\u200d\\S?|(?=[\U00010000-\U0010ffff])[{_ASTRAL_MARKS}])"
_REST = (
    rf"|[^\S\r\n]+{_EXTEND}*"
    r"|\r\n|[\r\n]"
    r"|[\U0001F1E6-\U0001F1FF]{2}"  # a flag: two regional indicators
    rf"|[^\r\n]{_EXTEND}*"
)
_APOSTROPHE = "['\u2019]"
_LETTERS = rf"\w+(?:{_EXTEND}+\w*)*"
_SPARSE = rf"(?:(?![{_DENSE}])\w)+(?:{_EXTEND}+(?:(?![{_DENSE}])\w)*)*"
_TOKEN_PLAIN = re.compile(rf"{_LETTERS}(?:{_APOSTROPHE}{_LETTERS})*{_REST}")
_TOKEN_MIXED = re.compile(rf"[{_DENSE}]{_EXTEND}*|{_SPARSE}(?:{_APOSTROPHE}{_SPARSE})*{_REST}")
_HAS_DENSE = re.compile(f"[{_DENSE}]")
_BREAK = r"(?:\r\n|[\r\n])"
_LINE = re.compile(rf"[^\r\n]*{_BREAK}|[^\r\n]+")
_PARAGRAPH = re.compile(rf"[^\r\n]*{_BREAK}(?:[^\S\r\n]*{_BREAK})*|[^\r\n]+")


def tokenise(text: str) -> list[Token]:
    """The tokens of `text`, in order; joined they give `text` back."""
    pattern = _TOKEN_MIXED if _HAS_DENSE.search(text) else _TOKEN_PLAIN
    return pattern.findall(text)


_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def counts_as_word(token: Token) -> bool:
    """Whether a token counts among the words added or removed: it holds a letter or a digit.
    Punctuation is still compared and shown, but "agree." becoming "agree!" adds no word."""
    return _LETTER_OR_DIGIT.search(token) is not None


def split_lines(text: str) -> list[str]:
    """The lines of `text`, each with its line break ("\\r\\n", "\\n" or "\\r")."""
    return _LINE.findall(text)


def split_paragraphs(text: str) -> list[str]:
    """The paragraphs of `text`: each line that is not blank with the blank lines after it
    (the editor keeps a paragraph on one line, and Markdown separates them by blank lines)."""
    return _PARAGRAPH.findall(text)


def content(paragraph: str) -> str:
    """A paragraph's text without its line break and the blank lines after it."""
    line = paragraph.partition("\n")[0]
    return line.partition("\r")[0] if "\r" in line else line


def is_blank(line: str) -> bool:
    """Whether a line holds nothing but white space."""
    return not line.strip()


def safe_start(text: str, limit: int) -> int:
    """The last position at or before `limit` where a token surely starts, whatever follows
    it: the start of a run of white space (no token reaches across one), or 0."""
    position = limit
    while position > 0:
        if text[position - 1].isspace() and (position < 2 or not text[position - 2].isspace()):
            return position - 1
        position -= 1
    return 0


def safe_end(text: str, limit: int) -> int:
    """The first position at or after `limit` where a token surely starts and the character
    before it lies at or after `limit`: the start of a run of white space, or len(text)."""
    position = limit + 1
    while position < len(text):
        if text[position].isspace() and not text[position - 1].isspace():
            return position
        position += 1
    return len(text)
