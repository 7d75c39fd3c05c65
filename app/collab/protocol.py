"""The frames of the live editing protocol: inbound ones parsed strictly, outbound ones built."""

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from app.models.base import MAX_INT
from app.models.suggestion import MAX_REASON


class Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Selection(Frame):
    anchor: int = Field(ge=0, le=MAX_INT)
    head: int = Field(ge=0, le=MAX_INT)


class OpFrame(Frame):
    """A change made on revision `base_rev`; `seq` counts up per client id."""

    type: Literal["op"]
    base_rev: int = Field(ge=0, le=MAX_INT)
    seq: int = Field(ge=1, le=MAX_INT)  # kept in the op log, so it must fit its column
    op: list[int | str]


class PresenceFrame(Frame):
    """A caret or selection on revision `rev`; None when the editor lost focus."""

    type: Literal["presence"]
    selection: Selection | None
    rev: int = Field(ge=0, le=MAX_INT)


class SuggestFrame(Frame):
    """A suggestion: one contiguous change on revision `base_rev`, proposed without being
    made; or, with `replaces`, a new form of one of the sender's own suggestions. Answered by
    a `suggested` or an `error` frame carrying the same `ref`."""

    type: Literal["suggest"]
    ref: int = Field(ge=0, le=MAX_INT)
    base_rev: int = Field(ge=0, le=MAX_INT)
    op: list[int | str]
    reason: str | None = Field(default=None, max_length=MAX_REASON)
    replaces: int | None = Field(default=None, ge=1, le=MAX_INT)


Inbound = Annotated[OpFrame | PresenceFrame | SuggestFrame, Field(discriminator="type")]
INBOUND: TypeAdapter[OpFrame | PresenceFrame | SuggestFrame] = TypeAdapter(Inbound)


# Made once: json.dumps with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode(frame: dict[str, Any]) -> str:
    """Serialise an outbound frame once; the same string goes to every recipient."""
    return _ENCODER.encode(frame)


def ack(seq: int, rev: int) -> str:
    """`{"type":"ack","seq":K,"rev":M}`, the frame every accepted change gets."""
    return f'{{"type":"ack","seq":{seq},"rev":{rev}}}'


def error(code: str, message: str, seq: int | None = None, ref: int | None = None) -> str:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if seq is not None:
        frame["seq"] = seq
    if ref is not None:
        frame["ref"] = ref
    return encode(frame)
