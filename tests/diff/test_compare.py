"""Comparisons a reader would check by eye: moves, punctuation, long paragraphs, counts."""

from app.diff import compare
from app.models.diff import DiffSegment, TextDiffPublic

INTRO = "We meet every spring to agree on what the city should build next.\n\n"
MOVED = "Housing comes first, because nobody can work without a home nearby.\n\n"
MIDDLE = "Parks and schools follow, in the order the survey gave them.\n\n"
END = "Signed by the delegates of every district.\n"


def run(old: str, new: str) -> TextDiffPublic:
    return compare(old, new, old_name="v1", new_name="v2")


def changed(result: TextDiffPublic) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in result.segments if s.kind != "equal"]


def test_compare_paragraph_moved_shows_move() -> None:
    result = run(INTRO + MOVED + MIDDLE + END, INTRO + MIDDLE + MOVED + END)
    assert changed(result) == [("move_from", MOVED), ("move_to", MOVED)]
    ends = [s.move for s in result.segments if s.kind.startswith("move")]
    assert ends == [1, 1]
    assert result.moves[0].identical
    assert result.counts.paragraphs_moved == 1
    assert result.counts.words_added == result.counts.words_removed == 0
    assert result.counts.paragraphs_changed == 0


def test_compare_paragraph_moved_and_edited_is_near_move() -> None:
    edited = MOVED.replace("nobody", "no one")
    result = run(INTRO + MOVED + MIDDLE + END, INTRO + MIDDLE + edited + END)
    assert [s.kind for s in result.segments if s.kind != "equal"] == ["move_from", "move_to"]
    move = result.moves[0]
    assert not move.identical
    assert [(c.kind, c.text) for c in move.changes if c.kind != "equal"] == [
        ("delete", "nobody"),
        ("insert", "no one"),
    ]
    assert 'class="move-edit"' in result.html


def test_compare_adjacent_paragraphs_swapped_one_is_moved() -> None:
    result = run(INTRO + MOVED + MIDDLE + END, INTRO + MIDDLE + MOVED + END)
    assert len(result.moves) == 1


def test_compare_short_repeated_line_is_not_a_move() -> None:
    result = run("---\n\nA long paragraph stays here.\n", "A long paragraph stays here.\n\n---\n")
    assert result.moves == []


def test_compare_paragraph_edited_in_place_is_no_move() -> None:
    old = INTRO + MOVED + END
    result = run(old, old.replace("Housing comes first", "Housing comes before all"))
    assert result.moves == []
    assert changed(result) == [("delete", "first"), ("insert", "before all")]


def test_compare_changed_punctuation_is_one_token() -> None:
    result = run("We all agree.", "We all agree!")
    assert changed(result) == [("delete", "."), ("insert", "!")]
    assert result.counts.words_added == result.counts.words_removed == 0  # no word changed
    assert result.counts.paragraphs_changed == 1


def test_compare_never_splits_a_word() -> None:
    result = run("The agreement holds.", "The agreements hold.")
    assert changed(result) == [("delete", "agreement holds"), ("insert", "agreements hold")]


def test_compare_word_inside_long_paragraph() -> None:
    words = [f"word{n}" for n in range(2000)]
    old = " ".join(words) + "\n"
    words[1234] = "changed"
    result = run(old, " ".join(words) + "\n")
    assert changed(result) == [("delete", "word1234"), ("insert", "changed")]
    assert result.counts.paragraphs_changed == 1


def test_compare_counts_words_and_paragraphs() -> None:
    old = "One two three.\n\nFour five six.\n\nSeven eight.\n"
    new = "One two three four.\n\nFour six.\n\nSeven eight.\n\nNine ten.\n"
    counts = run(old, new).counts
    assert counts.words_added == 3  # "four", "Nine" and "ten"
    assert counts.words_removed == 1
    assert counts.paragraphs_changed == 3


def test_compare_counts_words_not_punctuation() -> None:
    counts = run("Yes", "Yes, indeed. 🌍 2017 中文").counts
    assert counts.words_added == 4  # "indeed", "2017", and the two Chinese characters


def test_compare_identical_texts_change_nothing() -> None:
    result = run(INTRO + END, INTRO + END)
    assert changed(result) == []
    assert result.counts.paragraphs_changed == 0
    assert [(row.kind, row.hidden) for row in result.rows] == [("fold", 2)]


def test_compare_from_and_to_empty() -> None:
    assert changed(run("", "New text.")) == [("insert", "New text.")]
    assert changed(run("Old text.", "")) == [("delete", "Old text.")]
    assert run("", "").segments == []


def test_compare_crlf_texts_diff_like_lf_texts() -> None:
    old = INTRO + MOVED + MIDDLE + END
    new = INTRO + MIDDLE.replace("survey", "vote") + MOVED + END
    plain = run(old, new)
    crlf = run(old.replace("\n", "\r\n"), new.replace("\n", "\r\n"))
    assert not crlf.line_endings_normalised
    assert [s.kind for s in crlf.segments] == [s.kind for s in plain.segments]
    assert [s.text.replace("\r\n", "\n") for s in crlf.segments] == [s.text for s in plain.segments]
    assert crlf.counts == plain.counts


def test_compare_line_endings_alone_do_not_change_every_line() -> None:
    old = (INTRO + MIDDLE + END).replace("\n", "\r\n")
    result = run(old, (INTRO + MIDDLE + END).replace("survey", "vote"))
    assert result.line_endings_normalised
    assert changed(result) == [("delete", "survey"), ("insert", "vote")]


def test_compare_authors_of_inserts() -> None:
    old = "We agree on housing.\n"
    new = "We all agree on housing and parks.\n"
    # "We " by 1, "all " by 2, the rest by 1 except " and parks" by 3.
    runs = [(3, 1), (4, 2), (len("agree on housing"), 1), (10, 3), (2, None)]
    result = compare(old, new, old_name="a", new_name="b", new_authors=runs)
    inserts = [(s.text, s.authors) for s in result.segments if s.kind == "insert"]
    assert inserts == [("all ", [2]), (" and parks", [3])]
    assert all(s.authors is None for s in result.segments if s.kind != "insert")
    assert 'data-authors="2"' in result.html


def test_compare_authors_of_moved_text() -> None:
    new = INTRO + MIDDLE + MOVED + END
    start = len(INTRO + MIDDLE)
    runs = [(start, 1), (5, 2), (len(MOVED) - 5, 4), (len(END), 1)]
    result = compare(
        INTRO + MOVED + MIDDLE + END, new, old_name="a", new_name="b", new_authors=runs
    )
    move_to = next(s for s in result.segments if s.kind == "move_to")
    assert move_to.authors == [2, 4]


def test_compare_authorship_must_cover_new_text() -> None:
    try:
        compare("a", "bb", old_name="a", new_name="b", new_authors=[(1, 1)])
    except ValueError:
        return
    raise AssertionError("runs shorter than the text were accepted")


def test_compare_segment_model_round_trips_json() -> None:
    result = run(INTRO + MOVED, MOVED + INTRO)
    assert TextDiffPublic.model_validate_json(result.model_dump_json()) == result
    assert isinstance(result.segments[0], DiffSegment)
