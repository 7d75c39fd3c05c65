"""The characters open suggestions would replace, kept in step with a room's changes, to
tell at once which change outdates which suggestion (by the rules of app/collab/proposals.py).

Only suggestions that remove characters are watched: a pure insertion moves like a caret and
is never outdated. Pages move suggestions themselves through the changes they apply; the room
tells them only when one is outdated. A change that is one edit, as typing is, costs a pass of
integer comparisons over the watched ranges.
"""

from typing import Any

from app.collab import ops
from app.collab.proposals import Proposed, carried


class Watch:
    """Ranges [start, end) of the text at `rev`, by suggestion id."""

    def __init__(self) -> None:
        self.rev = -1  # nothing known yet
        self.ranges: dict[int, tuple[int, int]] = {}

    def load(self, rev: int, ranges: dict[int, tuple[int, int]]) -> None:
        self.rev = rev
        self.ranges = {key: kept for key, kept in ranges.items() if kept[1] > kept[0]}

    def put(self, suggestion_id: int, start: int, end: int, later: list[list[Any]]) -> None:
        """Watch a suggestion standing at [start, end) before `later`, the changes up to `rev`."""
        self.ranges.pop(suggestion_id, None)
        if end <= start:
            return
        moved: Proposed | None = Proposed(start, end, "")
        for op in later:
            moved = carried(moved, op) if moved is not None else None
        if moved is not None:
            self.ranges[suggestion_id] = (moved.start, moved.end)

    def drop(self, suggestion_id: int) -> None:
        self.ranges.pop(suggestion_id, None)

    def hear(self, rev: int, op: list[Any]) -> list[int]:
        """Carry every range through the change that made `rev`; the ids it outdated."""
        if rev != self.rev + 1:
            return []  # not loaded yet, or already counted
        self.rev = rev
        edit = ops.single_edit(op)
        if edit is None:
            return self._hear_any(op)
        position, inserted, deleted, _ = edit
        if not inserted and not deleted:
            return []
        after = position + deleted
        shift = len(inserted) - deleted
        outdated = []
        for key, (start, end) in self.ranges.items():
            if end <= position:
                continue
            if start >= after:
                self.ranges[key] = (start + shift, end + shift)
            else:  # some of its characters removed, or text typed between them
                outdated.append(key)
        for key in outdated:
            del self.ranges[key]
        return outdated

    def _hear_any(self, op: list[Any]) -> list[int]:
        outdated = []
        for key, (start, end) in list(self.ranges.items()):
            moved = carried(Proposed(start, end, ""), op)
            if moved is None:
                outdated.append(key)
                del self.ranges[key]
            else:
                self.ranges[key] = (moved.start, moved.end)
        return outdated
