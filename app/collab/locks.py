"""Sections a facilitator locked: agreed text that no change may alter.

A locked section keeps its words exactly, heading included, with its heading at the start of
a line (the preamble: at the start of the text), and after them only white space and then the
next heading or the end of the text. So text can be typed before its heading (ending in a line
break), and blank lines or new sections after it, but not a word inside it, nor anything that
would join the next section to it or it to the one before. The check is exact, on the text a
change makes, so nothing else needs to know where sections are.
"""

import re
from dataclasses import dataclass

from app.collab.ops import Operation
from app.collab.positions import transform_position

_WHITE = re.compile(r"\s*")
# A line that a heading starts: "# …" (up to three spaces in), or words underlined with = or -.
_HEADING = re.compile(r" {0,3}(?:#{1,6}(?:[ \t]|$)|[^\n]*\S[^\n]*\n {0,3}(?:=+|-+)[ \t]*$)", re.M)


@dataclass(slots=True)
class Lock:
    """A locked section: its id, its words (without the white space after them) and where
    they start in the text now. `standing` says whether they stand there as locked."""

    key: str
    text: str
    start: int
    preamble: bool = False
    standing: bool = True


def stands(lock: Lock, text: str, start: int) -> bool:
    """Whether the locked words stand intact at `start` of `text`, as a section."""
    end = start + len(lock.text)
    if text[start:end] != lock.text:
        return False
    if lock.preamble:
        if start != 0:
            return False
    elif start > 0 and text[start - 1] not in "\n\r":
        return False
    after = _WHITE.match(text, end)
    assert after is not None  # \s* always matches
    if after.end() == len(text):
        return True
    line = max(after.group().rfind("\n"), after.group().rfind("\r"))
    return line >= 0 and _HEADING.match(text, end + line + 1) is not None


def moved(lock: Lock, op: Operation) -> int:
    """Where the locked words start after `op`: text typed just before them stays before."""
    return transform_position(lock.start, op)


def locate(lock: Lock, text: str, near: int) -> int | None:
    """Where the locked words stand in `text`, the place nearest `near` if several do."""
    best: int | None = None
    found = text.find(lock.text)
    while found >= 0:
        if stands(lock, text, found) and (best is None or abs(found - near) < abs(best - near)):
            best = found
        found = text.find(lock.text, found + 1)
    return best


def broken(locks: dict[str, Lock], op: Operation, text: str) -> Lock | None:
    """The first standing lock that `op` breaks, `text` being what `op` makes; or None."""
    for lock in locks.values():
        if lock.standing and not stands(lock, text, moved(lock, op)):
            return lock
    return None


def carry(locks: dict[str, Lock], op: Operation, text: str) -> None:
    """Move the locks through `op`, applied and making `text`."""
    for lock in locks.values():
        lock.start = moved(lock, op)
        lock.standing = lock.standing and stands(lock, text, lock.start)


def renew(held: dict[str, Lock], found: list[Lock], text: str) -> dict[str, Lock]:
    """The locks `found` (as read, each where it stood when locked), each found in `text`
    nearest where it is held now, if it is."""
    renewed = {}
    for lock in found:
        now = held.get(lock.key)
        near = now.start if now is not None and now.text == lock.text else lock.start
        at = locate(lock, text, near)
        lock.start, lock.standing = (at, True) if at is not None else (near, False)
        renewed[lock.key] = lock
    return renewed


def relocate(locks: dict[str, Lock], text: str) -> None:
    """Find each lock again in `text` (after the document went back and forward again)."""
    for lock in locks.values():
        found = locate(lock, text, lock.start)
        lock.standing = found is not None
        if found is not None:
            lock.start = found
