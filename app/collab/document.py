"""A statement's text at a revision, and the one place where operations are transformed.

Like ot.js's server: a change made on an older revision is transformed over the changes
sequenced after that revision, checked, and applied (`receive`). On PostgreSQL other workers
sequence changes of the same statement too; what they wrote goes before what this document
has not yet made durable, which is then sequenced again after it from what its senders sent
(`rebase`, and `sequence_again` for a batch the claim on the log put after theirs). Carets
move through changes here as well. Nothing here waits, reads the database or knows a frame.
"""

from dataclasses import replace
from typing import Any

from app.collab import locks, ops, positions
from app.collab.change import Change, Sent
from app.collab.members import Selection
from app.collab.proposals import Proposed, follow
from app.collab.refusals import (
    InvalidChange,
    InvalidText,
    Outdated,
    SectionLocked,
    StaleRevision,
    TooLarge,
)

RECENT_LIMIT = 10_000  # changes held in memory for transforming late ones


class Document:
    """The text at `rev`, and the changes after `loaded_rev` (older ones are in the log)."""

    def __init__(self, rev: int, text: str, max_text_bytes: int) -> None:
        self.max_text_bytes = max_text_bytes
        self.rev = self.loaded_rev = rev
        self.text = text
        self.text_bytes = utf8_size(text)
        self.recent: list[Change] = []
        self.locks: dict[str, locks.Lock] = {}  # sections locked as agreed, by id

    def holds(self, rev: int) -> bool:
        """Whether every change after `rev` is held here (not only in the log)."""
        return rev >= self.loaded_rev

    def held_after(self, rev: int) -> list[Change] | None:
        """The changes after `rev`, or None if some of them are only in the log."""
        if not self.holds(rev):
            return None
        return self.recent[rev - self.loaded_rev :]

    def receive(
        self,
        base_rev: int,
        op: list[Any],
        *,
        author_id: int,
        client_id: str,
        seq: int,
        missed: list[Change] | None = None,
        keeps: tuple[int, int] | None = None,
    ) -> Change:
        """Sequence a change made on `base_rev`: transform it over what it missed (held here,
        or `missed` as read from the log), check it, and apply it as the next revision. A
        change that `keeps` characters of its base is refused if what it missed touched any."""
        if base_rev > self.rev:
            raise StaleRevision(
                f"Revision {base_rev} does not exist yet; the statement is at revision {self.rev}."
            )
        later = self.held_after(base_rev)
        if later is None:
            if missed is None:
                raise ValueError(f"the changes after revision {base_rev} are not held")
            later = [c for c in missed if c.rev <= self.loaded_rev] + self.recent
        if not kept(keeps, [change.op for change in later]):
            raise Outdated("The text this change would replace was changed first.")
        try:
            parsed = ops.parse(op)
            op = ops.transform_over(parsed, (change.op for change in later))
            new_text = ops.inserted(op)
            # Only what changes is measured, so a long text costs nothing more per keystroke.
            size = self.text_bytes + utf8_size(new_text) - utf8_size(ops.deleted(op, self.text))
            text = ops.apply(self.text, op)
        except ops.InvalidOperation as problem:
            raise InvalidChange(str(problem)) from None
        # Frames with lone surrogates never parse, and whole-text saves are checked first.
        if "\x00" in new_text:
            raise InvalidText("The change holds a NUL character.")
        if size > self.max_text_bytes:
            raise TooLarge(f"The text would exceed {self.max_text_bytes} bytes.")
        if self.locks and locks.broken(self.locks, op, text) is not None:
            raise SectionLocked("That section is agreed and locked; suggest a change instead.")
        sent = Sent(base_rev, parsed, keeps)
        change = Change(self.rev + 1, ops.normalise(op), author_id, client_id, seq, sent)
        self._append(change, text)
        self.text_bytes = size
        return change

    def rebase(
        self,
        base_rev: int,
        base_text: str,
        sequenced: list[Change],
        pending: list[Change],
        older: list[Change] | None = None,
    ) -> list[Change]:
        """Go back to `base_rev`, take in changes sequenced elsewhere after it, then sequence
        `pending` again after them, from what their senders sent. `older` holds the log's
        changes after the pending ones' oldest base up to `base_rev`, where those are not held.
        Returns the pending changes as now sequenced."""
        self.rewind(base_rev, base_text)
        for change in sequenced:
            self._append(change, ops.apply(self.text, change.op))
        if not pending:
            self.text_bytes = utf8_size(self.text)
            return []
        low = min(sent_of(change).base_rev for change in pending)
        held = self.held_after(low)
        if held is None:
            if older is None:
                raise ValueError(f"the changes after revision {low} are not held")
            held = older + [change for change in self.recent if change.rev > base_rev]
        again = sequence_again(pending, held)
        for change in again:
            self._append(change, ops.apply(self.text, change.op))
        self.text_bytes = utf8_size(self.text)
        return again

    def oldest_base(self, pending: list[Change]) -> int | None:
        """The oldest revision pending changes were made on, if the log must supply the
        changes after it for a rebase onto `self.rev`; None if they are held."""
        low = min((sent_of(change).base_rev for change in pending), default=self.rev)
        return low if low < self.loaded_rev else None

    def rewind(self, rev: int, text: str) -> None:
        """Back to an earlier head, dropping what was sequenced after it."""
        if rev >= self.loaded_rev:
            del self.recent[rev - self.loaded_rev :]
        else:
            self.recent, self.loaded_rev = [], rev
        self.rev, self.text = rev, text
        self.text_bytes = utf8_size(text)
        if self.locks:
            locks.relocate(self.locks, text)

    def bring(self, selection: Selection, rev: int, upto: int) -> Selection | None:
        """A selection made on revision `rev`, moved through the changes up to `upto`; None
        if those changes are not held here or `rev` is ahead of the text."""
        later = self.held_after(rev)
        if later is None or rev > self.rev:
            return None
        for change in later[: max(0, upto - rev)]:
            selection = moved(selection, change.op)
        return selection

    def _append(self, change: Change, text: str) -> None:
        if self.locks:
            locks.carry(self.locks, change.op, text)
        self.recent.append(change)
        self.rev, self.text = change.rev, text
        if len(self.recent) > RECENT_LIMIT:
            # Older changes stay in the log; a client that far behind reads them there.
            drop = len(self.recent) - RECENT_LIMIT // 2
            del self.recent[:drop]
            self.loaded_rev += drop


def moved(selection: Selection, op: list[Any]) -> Selection:
    """A selection moved through one change."""
    return Selection(
        anchor=positions.transform_position(selection.anchor, op),
        head=positions.transform_position(selection.head, op),
    )


def within(selection: Selection, length: int) -> Selection:
    return Selection(anchor=min(selection.anchor, length), head=min(selection.head, length))


def sequence_again(changes: list[Change], history: list[Change]) -> list[Change]:
    """The changes sequenced again from what their senders sent, after `history`: every
    change after the oldest of their base revisions, in order.

    Each sent operation is transformed over the changes after its base, in the order they
    are now numbered, which is the order in which its sender's client transforms it. (Moving
    the operations as first sequenced over the newcomers instead would take another path
    through the same texts, and those need not end in the same operation.)
    """
    low = min(sent_of(change).base_rev for change in changes)
    line = list(history)
    assert all(change.rev == low + 1 + index for index, change in enumerate(line))
    again = []
    for change in changes:
        sent = sent_of(change)
        later = [c.op for c in line[sent.base_rev - low :]]
        op = ops.transform_over(sent.op, later)
        if not kept(sent.keeps, later):
            # Sequenced first on a text that still held them: it stays, changing nothing.
            op = [ops.base_length(op)]
        placed = replace(change, rev=low + 1 + len(line), op=ops.normalise(op))
        line.append(placed)
        again.append(placed)
    return again


def kept(keeps: tuple[int, int] | None, later: list[list[Any]]) -> bool:
    """Whether no change of `later` touched the characters [start, end) of their base."""
    return keeps is None or follow(Proposed(keeps[0], keeps[1], ""), later) is not None


def sent_of(change: Change) -> Sent:
    if change.sent is None:
        raise ValueError(f"revision {change.rev} does not say how it was sent")
    return change.sent


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))
