"""Who has a statement open, on this worker or another, and where each caret stands.

A caret on this worker is kept on the room's durable head: every committed change moves it.
A caret on another worker is kept on the revision it was said to be on, and brought to the
head when someone asks (a later notice corrects it if this worker cannot).
"""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from app.collab.document import Document, moved, within
from app.collab.members import Left, Member, Moved, Selection

Publish = Callable[[Moved | Left], None]


class Carets:
    def __init__(self, publish: Publish) -> None:
        self.publish = publish
        self.here: set[Member] = set()
        self.placed: set[Member] = set()  # those of `here` with a caret, moved by each change
        self.elsewhere: dict[str, Member] = {}  # by client id

    def add(self, member: Member) -> None:
        self.here.add(member)

    def remove(self, member: Member) -> bool:
        """Take a member out; False if it was not in."""
        if member not in self.here:
            return False
        self.here.discard(member)
        self.placed.discard(member)
        member.selection = None
        return True

    def place(self, member: Member, selection: Selection | None, rev: int) -> None:
        """Keep a member's caret, already on the durable head `rev`, and tell everyone."""
        member.selection, member.rev = selection, rev
        if selection is None:
            self.placed.discard(member)
        elif member in self.here:
            self.placed.add(member)
        self.publish(Moved(member))

    def move(self, op: list[Any], rev: int) -> None:
        """Move every caret here through a committed change, onto its revision."""
        for member in self.placed:
            if member.selection is not None:
                member.selection, member.rev = moved(member.selection, op), rev

    def place_elsewhere(self, member: Member) -> None:
        """Another worker's member arrived or moved its caret."""
        self.elsewhere[member.client_id] = member
        self.publish(Moved(member))

    def left_elsewhere(self, client_id: str) -> None:
        member = self.elsewhere.pop(client_id, None)
        if member is not None:
            member.selection = None
            self.publish(Left(member))

    def worker_gone(self, worker: str) -> None:
        """Another worker stopped: its members left."""
        for client_id, member in list(self.elsewhere.items()):
            if member.worker == worker:
                self.left_elsewhere(client_id)

    def others(
        self, member: Member | None, document: Document, head: int, length: int
    ) -> list[Member]:
        """Everyone else with the statement open, each caret on the durable head `head`, a
        text of `length` characters."""
        found = [other for other in self.here if other is not member]
        for other in self.elsewhere.values():
            selection = other.selection
            if selection is not None:
                # Kept as it is where its revision is not held here: a later notice corrects it.
                brought = document.bring(selection, other.rev, head) or selection
                selection = within(brought, length)
            found.append(replace(other, selection=selection))
        return found
