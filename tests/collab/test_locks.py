"""A locked section keeps its words: no change may alter them, while text typed around them
(before its heading, blank lines or new sections after it) goes in, wherever it has moved."""

from typing import Any

import pytest

from app.collab.change import Change
from app.collab.document import Document
from app.collab.locks import Lock, locate
from app.collab.refusals import SectionLocked

TEXT = "We agree.\n\n## Trust\nWe trust each other.\n\n## Resources\nMoney.\n"
TRUST = "## Trust\nWe trust each other."


def _locked(key: str = "trust", words: str = TRUST, *, preamble: bool = False) -> Document:
    document = Document(0, TEXT, 10_000)
    document.locks[key] = Lock(key, words, TEXT.index(words), preamble)
    return document


def _at(document: Document, place: int, insert: str = "", delete: int = 0) -> Change:
    """A change at `place` of the current text: delete `delete` characters, insert `insert`."""
    op: list[Any] = [place] if place else []
    if delete:
        op.append(-delete)
    if insert:
        op.append(insert)
    rest = len(document.text) - place - delete
    if rest:
        op.append(rest)
    return document.receive(document.rev, op, author_id=1, client_id="a", seq=document.rev + 1)


TRUST_AT = TEXT.index("## Trust")
TRUST_END = TRUST_AT + len(TRUST)
REFUSED = [
    (TRUST_AT + 12, "not ", 0),  # a word inside
    (TRUST_AT + 3, "", 5),  # the heading's words
    (TRUST_END - 1, "", 1),  # its last character
    (TRUST_END, " Always.", 0),  # words right after its last one
    (TRUST_END, "\n\nMore words.", 0),  # a paragraph joining it
    (TRUST_AT, "Oops ", 0),  # before its heading, on the heading's line
    (TRUST_AT - 2, "", 2),  # the line breaks before its heading: it joins the line before
    (TRUST_END + 2, "", 3),  # "## " of the next heading: that section would join it
    (0, "", len(TEXT)),  # everything
]


@pytest.mark.parametrize(("place", "insert", "delete"), REFUSED)
def test_a_change_to_a_locked_section_is_refused_and_changes_nothing(
    place: int, insert: str, delete: int
) -> None:
    document = _locked()
    with pytest.raises(SectionLocked):
        _at(document, place, insert, delete)
    assert (document.rev, document.text) == (0, TEXT)


ACCEPTED = [
    (0, "Preface. ", 0),  # another section
    (TRUST_AT, "## Before\nA new section.\n", 0),  # before its heading, ending a line
    (TRUST_END, "\n", 0),  # a blank line after it
    (TRUST_END + 2, "## Between\nNew.\n\n", 0),  # a new section right after it
    (len(TEXT), "## Last\n", 0),
    (TEXT.index("Money"), "", 5),
    (TRUST_AT - 1, "", 1),  # a blank line before its heading: the heading still starts a line
]


@pytest.mark.parametrize(("place", "insert", "delete"), ACCEPTED)
def test_changes_around_a_locked_section_go_in(place: int, insert: str, delete: int) -> None:
    document = _locked()
    _at(document, place, insert, delete)
    lock = document.locks["trust"]
    assert document.text[lock.start : lock.start + len(TRUST)] == TRUST
    # And the lock has moved with the text: a change inside it is still refused.
    with pytest.raises(SectionLocked):
        _at(document, lock.start + 12, "not ")


def test_the_last_section_locked_takes_no_words_after_it() -> None:
    words = "## Resources\nMoney."
    document = _locked("resources", words)
    with pytest.raises(SectionLocked):
        _at(document, len(TEXT), "More money.")
    _at(document, len(TEXT), "\n## Culture\nPeople.\n")
    assert document.text.endswith("Money.\n\n## Culture\nPeople.\n")


def test_a_locked_preamble_takes_nothing_before_it() -> None:
    document = _locked("preamble", "We agree.", preamble=True)
    with pytest.raises(SectionLocked):
        _at(document, 0, "# Title\n")
    _at(document, 9, "\n")  # a blank line after it
    with pytest.raises(SectionLocked):
        _at(document, 3, "all ")


def test_a_late_change_is_judged_where_it_lands() -> None:
    """Made on an older revision, a change is transformed first, then checked where it lands."""
    document = _locked()
    _at(document, 0, "Preface.\n\n")
    with pytest.raises(SectionLocked):
        # Made on revision 0 inside the section, which has since moved on.
        document.receive(
            0, [TRUST_AT + 12, "not ", len(TEXT) - TRUST_AT - 12], author_id=2, client_id="b", seq=1
        )
    late = document.receive(0, [3, "all ", len(TEXT) - 3], author_id=2, client_id="b", seq=1)
    assert late.rev == 2
    assert document.text.startswith("Preface.\n\nWe all agree.")


def test_a_lock_that_no_longer_stands_blocks_nothing() -> None:
    """Where the words are gone (another worker's change written first), edits go on."""
    document = _locked()
    document.locks["trust"].standing = False
    _at(document, TRUST_AT + 12, "not ")
    assert "We not trust" in document.text


def test_a_lock_is_found_again_nearest_where_it_was() -> None:
    lock = Lock("trust", TRUST, 0)
    twice = TEXT + "\n" + TRUST + "\n"
    assert locate(lock, twice, TRUST_AT) == TRUST_AT
    assert locate(lock, twice, len(twice)) == len(TEXT) + 1
    assert locate(lock, "nothing here", 0) is None
