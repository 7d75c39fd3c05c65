"""The pure document: a change made on an older revision lands where its sender meant it,
refusals change nothing, and changes sequenced elsewhere go first without losing any."""

import pytest

from app.collab import document as document_module
from app.collab.change import Change, Sent
from app.collab.document import Document, sequence_again
from app.collab.members import Selection
from app.collab.refusals import InvalidChange, InvalidText, Outdated, StaleRevision, TooLarge


def _typed(document: Document, base_rev: int, op: list[int | str], who: str = "a") -> Change:
    return document.receive(base_rev, op, author_id=1, client_id=who, seq=document.rev + 1)


def test_a_late_change_is_transformed_over_what_it_missed() -> None:
    document = Document(0, "We agree", 1000)
    _typed(document, 0, ["All: ", 8])
    late = _typed(document, 0, [8, "!"], who="b")  # made on "We agree", before the prefix
    assert document.text == "All: We agree!"
    assert (late.rev, late.op, late.sent) == (2, [13, "!"], Sent(0, [8, "!"]))


@pytest.mark.parametrize(
    ("base_rev", "op", "refusal"),
    [
        (3, ["x", 8], StaleRevision),  # a revision that does not exist yet
        (0, [9, "x"], InvalidChange),  # longer than the text it was made on
        (0, ["\x00", 8], InvalidText),
        (0, ["x" * 20, 8], TooLarge),
    ],
)
def test_a_refused_change_changes_nothing(
    base_rev: int, op: list[int | str], refusal: type[Exception]
) -> None:
    document = Document(0, "We agree", 20)
    with pytest.raises(refusal):
        _typed(document, base_rev, op)
    assert (document.rev, document.text, document.recent) == (0, "We agree", [])


def test_changes_from_elsewhere_go_first_and_pending_ones_are_sequenced_again() -> None:
    document = Document(1, "agree", 1000)
    mine = _typed(document, 1, [5, "!"])
    theirs = [Change(2, ["We ", 5], 2, "other", 1)]
    again = document.rebase(1, "agree", theirs, [mine])
    assert document.text == "We agree!"
    assert [(c.rev, c.op) for c in again] == [(3, [8, "!"])]
    assert [c.rev for c in document.recent] == [2, 3]


def test_a_rebase_reads_what_is_no_longer_held_from_the_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pending change made on a revision older than those held in memory is sequenced
    again over the log's changes after its base, then the held ones, each once."""
    monkeypatch.setattr(document_module, "RECENT_LIMIT", 2)
    log = [Change(1, ["a"], 1, "x", 1)]
    document = Document(1, "a", 1000)
    for rev in range(2, 5):  # three more, of which only the newest stay held
        change = Change(rev, [rev - 1, "bcd"[rev - 2]], 1, "x", rev)
        log.append(change)
        document._append(change, document.text + "bcd"[rev - 2])
    assert (document.loaded_rev, document.text) == (3, "abcd")
    pending = document.receive(
        1, ["<", 1], author_id=2, client_id="y", seq=1, missed=[c for c in log if c.rev > 1]
    )
    assert document.text == "<abcd"
    theirs = [Change(5, [4, "e"], 3, "z", 1)]
    older = [c for c in log if 1 < c.rev <= 4]
    again = document.rebase(4, "abcd", theirs, [pending], older)
    assert document.text == "<abcde"
    assert [(c.rev, c.op) for c in again] == [(6, ["<", 5])]
    assert again == sequence_again([pending], older + theirs)


def test_a_caret_is_brought_through_the_changes_after_its_revision() -> None:
    document = Document(0, "Hello world", 1000)
    _typed(document, 0, ["Oh, ", 11])
    assert document.bring(Selection(6, 11), 0, 1) == Selection(10, 15)
    assert document.bring(Selection(6, 11), 2, 1) is None  # from the future


def test_a_change_that_keeps_its_characters_is_refused_once_they_changed() -> None:
    """An accepted suggestion replaces "agree" on revision 0; someone changed the "g" first."""
    document = Document(0, "We agree", 100)
    _typed(document, 0, ["Now ", 8])  # before the characters: they are untouched
    _typed(document, 1, [8, "G", -1, 3], who="b")  # "agree" → "aGree"
    with pytest.raises(Outdated):
        document.receive(0, [3, "consent", -5], author_id=1, client_id="s", seq=1, keeps=(3, 8))
    assert (document.rev, document.text) == (2, "Now We aGree")


def test_a_change_that_keeps_its_characters_lands_when_only_others_changed() -> None:
    document = Document(0, "We agree", 100)
    _typed(document, 0, ["Now ", 8])
    _typed(document, 1, [12, "!"], who="b")  # at the edge: not one of its characters
    accepted = document.receive(
        0, [3, "consent", -5], author_id=1, client_id="s", seq=1, keeps=(3, 8)
    )
    assert document.text == "Now We consent!"
    assert accepted.sent == Sent(0, [3, "consent", -5], (3, 8))


def test_sequenced_again_after_a_change_to_its_characters_it_changes_nothing() -> None:
    """On another worker someone changed the characters first: the accepted suggestion, in
    its place, is sequenced again as a change that changes nothing."""
    document = Document(0, "We agree", 100)
    accepted = document.receive(
        0, [3, "consent", -5], author_id=1, client_id="s", seq=1, keeps=(3, 8)
    )
    theirs = Change(1, [4, -1, 3], 2, "b", 1)  # "We aree", written first elsewhere
    again = document.rebase(0, "We agree", [theirs], [accepted])
    assert document.text == "We aree"
    assert [change.op for change in again] == [[7]]
