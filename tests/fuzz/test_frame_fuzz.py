"""The live socket and the operation parser fuzzed with hypothesis.

Whatever arrives, raw bytes, text that is not JSON, any JSON, or a valid change spoilt in one
place, the server refuses it with an error frame (or, for a presence frame, may pass it on
with the selection kept within the text), the socket stays open, and the document is
unchanged: a valid change sent next is acknowledged with the very next revision, and the
text and the op log read over the REST API hold that change and nothing else.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.collab import ops, positions
from app.config import Settings
from app.models.base import MAX_INT
from app.models.statement import Statement
from app.models.user import User
from tests.collab.sockets import Connect, Socket

FRAME_LIMIT = 1024  # the smallest ACCORD_MAX_FRAME_BYTES, so that oversized frames are cheap
BOUNDED = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
BOUNDED_SOCKET = settings(BOUNDED, max_examples=300)  # about 10 seconds
REFUSALS = {
    "invalid_frame",
    "invalid_operation",
    "invalid_text",
    "future_revision",
    "stale_seq",
    "too_large",
}

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=10,
)
HUGE = st.integers(min_value=MAX_INT + 1, max_value=10**300) | st.integers(max_value=-(10**12))
LONE_SURROGATE = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)
NOT_AN_INT = st.one_of(
    st.booleans(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
BAD_NUMBER = NOT_AN_INT | HUGE | st.integers(max_value=-1)


@dataclass
class Head:
    """What the test knows the document to be, and the last change of ours acknowledged."""

    rev: int
    text: str
    seq: int = 0


@dataclass(frozen=True)
class Spoilt:
    """A frame to send, and the refusals that may answer it (None: any, or none at all)."""

    payload: str | bytes
    codes: frozenset[str] | None = frozenset(REFUSALS)
    resend_of: int | None = None  # the seq of an acknowledged change sent again


def _frame(**fields: Any) -> str:
    # Python's encoder writes a lone surrogate as a \ud800 escape, as a buggy client would.
    return json.dumps(fields)


def _spoilt_change(draw: st.DrawFn, head: Head) -> Spoilt:
    """A change that fits the text, spoilt in one place. What is drawn never depends on the
    head (hypothesis replays draws on a document that has moved on); how it is used does."""
    n = len(head.text)
    fields: dict[str, Any] = {"type": "op", "base_rev": head.rev, "seq": head.seq + 1}
    fields["op"] = [n, "x"]
    how = draw(
        st.sampled_from(
            [
                "component",
                "op",
                "retain past the end",
                "delete past the end",
                "too short",
                "old base_rev",
                "future base_rev",
                "base_rev",
                "seq",
                "stale seq",
                "resent seq",
                "missing",
                "extra",
                "nul",
                "oversized",
            ]
        )
    )
    k = draw(st.integers(1, 10**9))
    codes = frozenset(REFUSALS)
    if how == "component":
        bad = draw(
            st.one_of(
                st.sampled_from([0, ""]),
                NOT_AN_INT.filter(lambda v: not isinstance(v, str) or v == ""),
                LONE_SURROGATE,
                st.lists(JSON, max_size=3),
                HUGE,
            )
        )
        fields["op"].insert(k % 3, bad)
    elif how == "op":
        fields["op"] = draw(JSON.filter(lambda v: not isinstance(v, list)))
    elif how == "retain past the end":
        fields["op"] = [n + k, "x"]
    elif how == "delete past the end":
        fields["op"] = [-(n + k)]
    elif how == "too short":
        fields["op"] = [*([n - 1 - k % (n - 1)] if k % 4 else []), "x"]
    elif how == "old base_rev":
        # Each revision of the test's text is longer than the one before: nothing that fits
        # the head fits an older one.
        fields["base_rev"] = k % head.rev
        codes = frozenset({"invalid_operation"})
    elif how == "future base_rev":
        fields["base_rev"] = head.rev + k
        codes = frozenset({"future_revision"})
    elif how == "base_rev":
        fields["base_rev"] = draw(BAD_NUMBER)
        codes = frozenset({"invalid_frame"})
    elif how == "seq":
        fields["seq"] = draw(BAD_NUMBER | st.just(0))
        codes = frozenset({"invalid_frame"})
    elif how == "stale seq" and head.seq > 1:
        fields["seq"] = 1 + k % (head.seq - 1)
        codes = frozenset({"stale_seq"})
    elif how == "resent seq" and head.seq > 0:
        fields["seq"] = head.seq
        return Spoilt(_frame(**fields), frozenset(), resend_of=head.seq)
    elif how == "missing":
        del fields[sorted(fields)[k % len(fields)]]
        codes = frozenset({"invalid_frame"})
    elif how == "extra":
        fields[["author", "author_id", "rev", "client_id", "x"][k % 5]] = 1
        codes = frozenset({"invalid_frame"})
    elif how == "oversized":
        fields["op"] = [n, "x" * (FRAME_LIMIT + k % 1000)]
        codes = frozenset({"too_large"})
    else:  # "nul", or a seq case with too few acknowledged changes yet
        fields["op"] = [n, "x" * (k % 3) + "\x00"]
        codes = frozenset({"invalid_text"})
    return Spoilt(_frame(**fields), codes)


def _presence(draw: st.DrawFn, head: Head) -> Spoilt:
    """A presence frame, absurd somewhere."""
    number = BAD_NUMBER | st.integers(0, MAX_INT)
    selection = draw(
        st.none()
        | st.fixed_dictionaries({"anchor": number, "head": number})
        | st.fixed_dictionaries({"anchor": number})
        | JSON
    )
    rev = draw(number | st.integers(-2, 2).map(lambda shift: max(0, head.rev + shift)))
    return Spoilt(_frame(type="presence", selection=selection, rev=rev), None)


@st.composite
def frames(draw: st.DrawFn, head: Head) -> Spoilt:
    kind = draw(
        st.sampled_from(["bytes", "text", "json", "change", "change", "change", "presence"])
    )
    if kind == "bytes":
        return Spoilt(draw(st.binary(max_size=64)), frozenset({"invalid_frame"}))
    if kind == "text":
        text = draw(st.text(max_size=64).filter(lambda t: not _is_json(t)))
        return Spoilt(text, frozenset({"invalid_frame"}))
    if kind == "json":
        value = draw(JSON.filter(lambda v: not (isinstance(v, dict) and "type" in v)))
        return Spoilt(json.dumps(value), frozenset({"invalid_frame"}))
    if kind == "change":
        return _spoilt_change(draw, head)
    return _presence(draw, head)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _answers(socket: Socket, seq: int) -> list[dict[str, Any]]:
    """Every frame up to the answer to our change `seq` (an ack or a refusal), that included."""
    frames: list[dict[str, Any]] = []
    while True:
        frame: dict[str, Any] = socket.receive_json()
        frames.append(frame)
        if frame["type"] in ("ack", "error") and frame.get("seq") == seq:
            return frames


def _append(socket: Socket, head: Head) -> None:
    """Send a valid change, one "x" at the end, and wait for its acknowledgement."""
    seq, n = head.seq + 1, len(head.text)
    socket.send_json({"type": "op", "base_rev": head.rev, "seq": seq, "op": [n, "x"]})
    assert _answers(socket, seq) == [{"type": "ack", "seq": seq, "rev": head.rev + 1}]
    head.rev, head.text, head.seq = head.rev + 1, head.text + "x", seq


@pytest.mark.slow
def test_spoilt_frames_refused_and_change_nothing(
    connect: Connect,
    signed_in: Callable[[User], TestClient],
    room: tuple[Statement, User, User, User],
    settings: Settings,
) -> None:
    statement, facilitator, editor, _ = room
    settings.max_frames_per_second = 1_000_000  # this test sends as fast as it can
    settings.max_frame_bytes = FRAME_LIMIT
    api = signed_in(facilitator)
    changes = f"/api/statements/{statement.id}/changes"
    # The watcher keeps the room open and sees what reaches others.
    with connect(editor, statement) as (watcher, _):

        @BOUNDED_SOCKET
        @given(st.data())
        def check(data: st.DataObject) -> None:
            # Each example on a socket of its own, whose first two changes are accepted.
            with connect(facilitator, statement) as (sender, hello):
                head = Head(rev=hello["rev"], text=hello["text"])
                _append(sender, head)
                _append(sender, head)
                spoilt = data.draw(frames(head))
                if isinstance(spoilt.payload, bytes):
                    sender.send_bytes(spoilt.payload)
                else:
                    sender.send_text(spoilt.payload)
                # A valid change right after is the very next revision: nothing came between.
                # (Its seq skips the spoilt frame's, so that each answer says whose it is.)
                rev, n = head.rev, len(head.text)
                sender.send_json({"type": "op", "base_rev": rev, "seq": 4, "op": [n, "x"]})
                *before, ack = _answers(sender, 4)
                assert ack == {"type": "ack", "seq": 4, "rev": rev + 1}
            if spoilt.resend_of is not None:
                # A change sent again is acknowledged again, with its own revision.
                assert before == [{"type": "ack", "seq": spoilt.resend_of, "rev": rev}]
            elif spoilt.codes is None:
                assert all(frame["type"] == "error" for frame in before), before
                assert len(before) <= 1
            else:
                assert len(before) == 1, before
                (refusal,) = before
                assert refusal["type"] == "error", refusal
                assert refusal["code"] in spoilt.codes, (refusal, spoilt.payload)
                assert isinstance(refusal["message"], str)
                assert refusal["message"]
            # Others see presence kept within the text, and the valid changes.
            while (frame := watcher.receive_json())["type"] != "op" or frame["rev"] <= rev:
                assert frame["type"] in ("op", "presence"), frame
                if frame["type"] == "presence" and frame["selection"] is not None:
                    assert 0 <= frame["selection"]["anchor"] <= n
                    assert 0 <= frame["selection"]["head"] <= n
            assert (frame["rev"], frame["op"]) == (rev + 1, [n, "x"])
            text = api.get(f"/api/statements/{statement.id}/text").json()
            assert text == {"rev": rev + 1, "text": head.text + "x"}
            logged = api.get(changes, params={"after": rev}).json()["data"]
            assert [(c["rev"], c["op"]) for c in logged] == [(rev + 1, [n, "x"])]

        check()
    # Every revision after the first is one of the valid changes.
    logged = api.get(changes, params={"after": 1}).json()["data"]
    assert [c["op"] for c in logged] == [[11 + i, "x"] for i in range(len(logged))]


# The algebra itself, on operations as clients send them: any shape, not normalised.
ALPHABET = st.sampled_from(["a", "b", " ", "\n", "😀", "\u0301", "é", "中"])
TEXTS = st.text(alphabet=ALPHABET, max_size=12)
RAW_COMPONENT = st.one_of(
    st.integers(-15, 15),
    st.text(alphabet=ALPHABET, max_size=4),
    HUGE,
    NOT_AN_INT,
    LONE_SURROGATE,
)


@st.composite
def raw_ops(draw: st.DrawFn, text: str) -> Any:
    """Anything a frame's `op` may hold; half the time a walk over `text` in any spelling
    (neighbours of one kind, an insert after a delete), sometimes a little off."""
    if draw(st.booleans()):
        return draw(st.lists(RAW_COMPONENT, max_size=8) | JSON)
    walk: list[Any] = []
    left = len(text)
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["retain", "delete", "insert"]))
        if kind == "insert":
            walk.append(draw(st.text(alphabet=ALPHABET, min_size=1, max_size=3)))
        elif left:
            n = draw(st.integers(1, left))
            walk.append(n if kind == "retain" else -n)
            left -= n
    if left:
        walk.append(left if draw(st.booleans()) else -left)
    if draw(st.integers(0, 4)) == 0:
        walk.insert(draw(st.integers(0, len(walk))), draw(st.sampled_from([1, -1, 0, ""])))
    return walk


def _fitting(text: str, raw: Any) -> ops.Operation | None:
    """The operation parsed from `raw` if it applies to `text`, checking what apply promises."""
    try:
        op = ops.parse(raw)
    except ops.InvalidOperation:
        return None
    assert all(
        (isinstance(c, int) and not isinstance(c, bool) and c != 0) or (isinstance(c, str) and c)
        for c in op
    )
    try:
        result = ops.apply(text, op)
    except ops.InvalidOperation:
        assert ops.base_length(op) != len(text)
        return None
    assert ops.base_length(op) == len(text)
    assert len(result) == ops.target_length(op)
    assert ops.apply(text, ops.normalise(op)) == result
    assert ops.apply(result, ops.invert(op, text)) == text
    assert len(text) - len(ops.deleted(op, text)) + len(ops.inserted(op)) == len(result)
    return op


@BOUNDED
@given(TEXTS, st.data())
def test_parse_then_apply_refuses_or_keeps_invariants(text: str, data: st.DataObject) -> None:
    _fitting(text, data.draw(raw_ops(text)))


@settings(BOUNDED, max_examples=400)
@given(TEXTS, st.data())
def test_transform_of_raw_operations_converges(text: str, data: st.DataObject) -> None:
    a = _fitting(text, data.draw(raw_ops(text)))
    b = _fitting(text, data.draw(raw_ops(text)))
    if a is None or b is None:
        return
    a2, b2 = ops.transform(a, b)
    after_b, after_a = ops.apply(text, b), ops.apply(text, a)
    assert ops.apply(after_b, a2) == ops.apply(after_a, b2)
    # The room's path: the change as sent, over the logged (normalised) changes it had not seen.
    logged = ops.normalise(b)
    expected, _ = ops.transform(a, logged)
    assert ops.apply(after_b, ops.transform_over(a, [logged])) == ops.apply(after_b, expected)
    c = _fitting(after_a, data.draw(raw_ops(after_a)))
    if c is not None:
        assert ops.apply(text, ops.compose(a, c)) == ops.apply(after_a, c)


@BOUNDED
@given(TEXTS, st.data(), st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12))
def test_positions_stay_within_the_text(
    text: str, data: st.DataObject, anchor: int, head: int
) -> None:
    op = _fitting(text, data.draw(raw_ops(text)))
    if op is None:
        return
    size = ops.target_length(op)
    anchor, head = max(0, min(anchor, len(text))), max(0, min(head, len(text)))
    assert 0 <= positions.transform_position(anchor, op) <= size
    start, end = positions.transform_range(min(anchor, head), max(anchor, head), op)
    assert 0 <= start <= end <= size
