"""The HTML, side by side and unified outputs: escaped, folded, and valid."""

import re

from app.diff import compare
from app.models.diff import SideBySideRow


def paragraphs(count: int) -> list[str]:
    return [f"Paragraph number {n} says something of its own." for n in range(count)]


def test_html_escapes_user_markup() -> None:
    old = 'Say "yes" & <b>agree</b>.\n'
    new = "Say 'no' & <script>alert(1)</script>.\n"
    result = compare(old, new, old_name="a", new_name="b")
    assert "<script" not in result.html
    assert "script&gt;alert(1)" in result.html
    assert "&quot;yes&quot;" in result.html
    assert "&#x27;no&#x27;" in result.html
    assert "&amp;" in result.html
    assert "<b>" not in result.html
    tags = set(re.findall(r"</?([a-z]+)", result.html))
    assert tags <= {"ins", "del"}
    for row in result.rows:
        for html in (row.old_html or "", row.new_html or ""):
            assert set(re.findall(r"</?([a-z]+)", html)) <= {"ins", "del"}


def test_html_keeps_newlines_and_marks_changes() -> None:
    result = compare("One.\n\nTwo.\n", "One.\n\nTwo, three.\n", old_name="a", new_name="b")
    assert result.html == "One.\n\nTwo<ins>, three</ins>.\n"


def test_html_links_move_ends() -> None:
    text = [f"{p}\n\n" for p in paragraphs(4)]
    result = compare(
        "".join(text), "".join(text[1:3] + text[:1] + text[3:]), old_name="a", new_name="b"
    )
    assert '<del class="move-from" data-move="1">' in result.html
    assert '<ins class="move-to" data-move="1">' in result.html


def test_side_by_side_folds_unchanged_keeping_context() -> None:
    old = paragraphs(20)
    new = list(old)
    new[10] = new[10].replace("says", "states")
    result = compare("\n\n".join(old), "\n\n".join(new), old_name="a", new_name="b")
    kinds = [(row.kind, row.hidden) for row in result.rows]
    assert kinds == [("fold", 9), ("equal", 0), ("change", 0), ("equal", 0), ("fold", 8)]
    first: SideBySideRow = result.rows[0]
    assert [row.old_html for row in first.rows] == old[:9]
    assert (first.old_line, first.new_line) == (1, 1)
    change = result.rows[2]
    assert change.old_html == "Paragraph number 10 <del>says</del> something of its own."
    assert change.new_html == "Paragraph number 10 <ins>states</ins> something of its own."
    assert (change.old_line, change.new_line) == (21, 21)


def test_side_by_side_pairs_inserted_and_deleted_paragraphs() -> None:
    old = "Keep this.\n\nDrop this one.\n\nEnd here.\n"
    new = "Keep this.\n\nEnd here.\n\nA brand new closing line.\n"
    rows = compare(old, new, old_name="a", new_name="b").rows
    assert [row.kind for row in rows] == ["equal", "delete", "equal", "insert"]
    assert rows[1].old_html == "<del>Drop this one.</del>"
    assert rows[1].new_html is None
    assert rows[3].new_html == "<ins>A brand new closing line.</ins>"


def test_unified_patch_for_simple_change() -> None:
    old = "one\ntwo\nthree\n"
    new = "one\n2\nthree\n"
    result = compare(old, new, old_name="version 1", new_name="version 2")
    assert result.unified == (
        "--- version 1\n+++ version 2\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n"
    )


def test_unified_patch_marks_missing_final_newline() -> None:
    result = compare("a\nb", "a\nc", old_name="x", new_name="y")
    assert result.unified.endswith(
        "-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
    )


def test_unified_patch_of_equal_texts_is_empty() -> None:
    assert compare("same\n", "same\n", old_name="x", new_name="y").unified == ""
