"""Where headings divide a text: as the page renders them, not every line with a "#"."""

import itertools

import pytest

from app.sections import outline
from app.sections.outline import split

TEXT = (
    "We, the partners, agree.\n\n"
    "# Statement on Partnerships\n\nIntro.\n\n"
    "## Trust\nWe trust.\n\n```\n# not a heading: code\n```\n"
    "> # nor one quoted\n\n"
    "Resources\n---------\nMoney.\n"
)


def test_headings_divide_the_text_and_the_preamble_comes_first() -> None:
    parts = split(TEXT)
    assert [(p.heading, p.level) for p in parts] == [
        ("", 0),
        ("Statement on Partnerships", 1),
        ("Trust", 2),
        ("Resources", 2),
    ]
    # Together they cover the text, each from its heading to the next.
    assert parts[0].start == 0
    assert all(a.end == b.start for a, b in itertools.pairwise(parts))
    assert parts[-1].end == len(TEXT)
    trust = parts[2]
    assert TEXT[trust.start : trust.end].startswith("## Trust\n")
    assert "# not a heading" in TEXT[trust.body : trust.end]
    assert TEXT[parts[3].body : parts[3].end] == "Money.\n"


def test_a_text_without_words_before_its_first_heading_has_no_preamble() -> None:
    assert [p.heading for p in split("\n\n## Trust\nWe trust.")] == ["Trust"]
    assert split("") == []
    assert [(p.heading, p.level) for p in split("Only words.")] == [("", 0)]


def test_line_breaks_of_every_kind_count_the_same() -> None:
    text = "Intro\r\n\r\n## Trust\r\nWe trust.\r\n## Next\rx"
    parts = split(text)
    assert [p.heading for p in parts] == ["", "Trust", "Next"]
    assert text[parts[1].start : parts[1].end] == "## Trust\r\nWe trust.\r\n"
    assert text[parts[2].start :] == "## Next\rx"


def test_a_text_too_long_to_read_as_commonmark_is_divided_by_its_hash_headings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (
        "Intro\n```\n# code\n```\n## Trust ##\nWe trust.\n~~~\n# code\n~~~\n# Resources\nMoney.\n"
    )
    read = [(p.heading, p.level, p.start, p.body, p.end) for p in split(text)]
    monkeypatch.setattr(outline, "MOST_LINES", 3)
    assert [(p.heading, p.level, p.start, p.body, p.end) for p in split(text)] == read
    assert [heading for heading, *_ in read] == ["", "Trust", "Resources"]


def test_headings_past_the_most_sections_divide_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outline, "MOST_SECTIONS", 2)
    parts = split("# A\na\n# B\nb\n# C\nc\n")
    assert [p.heading for p in parts] == ["A", "B"]
    assert parts[-1].end == len("# A\na\n# B\nb\n# C\nc\n")
