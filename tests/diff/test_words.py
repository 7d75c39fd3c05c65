"""Where a diff may cut a text: never inside a word or what a reader sees as one character."""

import pytest

from app.diff import compare
from app.diff.words import split_paragraphs, tokenise


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("We agree.", ["We", " ", "agree", "."]),
        ("don't stop", ["don't", " ", "stop"]),
        ("cafe\u0301 ok", ["cafe\u0301", " ", "ok"]),  # a combining acute accent
        ("👍🏽 👨\u200d👩\u200d👧 🇫🇷", ["👍🏽", " ", "👨\u200d👩\u200d👧", " ", "🇫🇷"]),
        ("使用Python。", ["使", "用", "Python", "。"]),
        ("a\r\nb\n\rc", ["a", "\r\n", "b", "\n", "\r", "c"]),
        ("हिन्दी भाषा", ["हिन्दी", " ", "भाषा"]),
    ],
)
def test_tokenise_keeps_characters_whole(text: str, tokens: list[str]) -> None:
    assert tokenise(text) == tokens


def test_split_paragraphs_keeps_blank_lines_with_paragraph() -> None:
    assert split_paragraphs("A\n\nB\r\n\r\nC") == ["A\n\n", "B\r\n\r\n", "C"]


def test_compare_emoji_and_combining_marks_change_whole() -> None:
    result = compare("Bravo 👍🏽 cafe\u0301!", "Bravo 👍🏿 cafe\u0300!", old_name="a", new_name="b")
    changes = [(s.kind, s.text) for s in result.segments if s.kind != "equal"]
    assert changes == [("delete", "👍🏽 cafe\u0301"), ("insert", "👍🏿 cafe\u0300")]


def test_compare_cjk_by_character() -> None:
    result = compare("我们同意这个计划", "我们反对这个计划", old_name="a", new_name="b")
    changes = [(s.kind, s.text) for s in result.segments if s.kind != "equal"]
    assert changes == [("delete", "同意"), ("insert", "反对")]
