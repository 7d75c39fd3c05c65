"""Who takes part in a room: authors as the others see them, and each open editor's caret."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Author:
    """How a person appears live on a statement: with the organisation they speak for."""

    id: int
    name: str
    organisation: str
    colour: str

    @classmethod
    def of(cls, profile: dict[str, Any]) -> "Author":
        return cls(
            id=int(profile["id"]),
            name=str(profile.get("name", "")),
            organisation=str(profile.get("organisation", "")),
            colour=str(profile.get("colour", "")),
        )

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "organisation": self.organisation,
            "colour": self.colour,
        }


@dataclass(frozen=True, slots=True)
class Selection:
    """A caret (anchor == head) or a selection, in characters of the text."""

    anchor: int
    head: int

    def public(self) -> dict[str, int]:
        return {"anchor": self.anchor, "head": self.head}


@dataclass(eq=False, slots=True)
class Member:
    """One open editor in a room: its client id, whose it is, and its caret on the durable
    head (None until placed). `worker` names the other worker it is open on, if any; `rev`
    is the revision its caret was last said to be on."""

    client_id: str
    author: Author
    selection: Selection | None = None
    rev: int = 0
    worker: str | None = None


@dataclass(frozen=True, slots=True)
class Moved:
    """A member arrived, or placed its caret (the event a room publishes)."""

    member: Member


@dataclass(frozen=True, slots=True)
class Left:
    """A member left the room."""

    member: Member
