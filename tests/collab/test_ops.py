"""The operation algebra: worked examples and randomized properties."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.collab import ops, positions

# Astral characters, combining marks, CRLF and plain letters: each one code point.
ALPHABET = st.sampled_from(["a", "b", " ", "\n", "\r", "😀", "\u0301", "é", "ß", "中"])
TEXTS = st.text(alphabet=ALPHABET, max_size=30)


@st.composite
def text_and_op(draw: st.DrawFn, text: str | None = None) -> tuple[str, ops.Operation]:
    base = draw(TEXTS) if text is None else text
    components: ops.Operation = []
    position = 0
    while position < len(base) or draw(st.booleans()):
        kind = draw(st.sampled_from(["retain", "insert", "delete"]))
        if kind == "insert":
            components.append(draw(st.text(alphabet=ALPHABET, min_size=1, max_size=5)))
            if position >= len(base):
                break
            continue
        if position >= len(base):
            break
        n = draw(st.integers(min_value=1, max_value=len(base) - position))
        components.append(n if kind == "retain" else -n)
        position += n
    return base, ops.normalise(components)


@st.composite
def concurrent(draw: st.DrawFn) -> tuple[str, ops.Operation, ops.Operation]:
    base, a = draw(text_and_op())
    _, b = draw(text_and_op(base))
    return base, a, b


def test_apply_example() -> None:
    assert ops.apply("Hello world", [6, "big ", 5]) == "Hello big world"
    assert ops.apply("a😀b", [1, -1, "🎉", 1]) == "a🎉b"


def test_apply_wrong_length_refused() -> None:
    with pytest.raises(ops.InvalidOperation, match="covers 3 characters but the text has 2"):
        ops.apply("ab", [3])


@pytest.mark.parametrize("raw", [{}, [0], [""], [True], [1.5], "abc", [None]])
def test_parse_refuses_malformed(raw: object) -> None:
    with pytest.raises(ops.InvalidOperation):
        ops.parse(raw)


def test_concurrent_inserts_at_one_place_put_first_argument_first() -> None:
    incoming: ops.Operation = ["X", 3]
    applied: ops.Operation = ["Y", 3]
    incoming2, applied2 = ops.transform(incoming, applied)
    assert ops.apply(ops.apply("abc", applied), incoming2) == "XYabc"
    assert ops.apply(ops.apply("abc", incoming), applied2) == "XYabc"


def test_normalise_puts_insert_before_delete() -> None:
    assert ops.normalise([1, -1, "x", 1, 1]) == [1, "x", -1, 2]


@given(text_and_op(), st.data())
def test_compose_equals_applying_both(pair: tuple[str, ops.Operation], data: st.DataObject) -> None:
    base, a = pair
    middle = ops.apply(base, a)
    _, b = data.draw(text_and_op(middle))
    assert ops.apply(base, ops.compose(a, b)) == ops.apply(middle, b)


@settings(max_examples=300)
@given(concurrent())
def test_transform_converges(case: tuple[str, ops.Operation, ops.Operation]) -> None:
    base, a, b = case
    a2, b2 = ops.transform(a, b)
    assert ops.apply(ops.apply(base, b), a2) == ops.apply(ops.apply(base, a), b2)


@given(concurrent())
def test_transform_of_keystrokes_matches_the_walk(
    case: tuple[str, ops.Operation, ops.Operation],
) -> None:
    _, a, b = case
    assert ops.transform(a, b) == ops._transform_walk(a, b)


@st.composite
def behind(draw: st.DrawFn) -> tuple[ops.Operation, list[ops.Operation]]:
    """A change and the changes applied since its base, one after another."""
    base, op = draw(text_and_op())
    applied = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        _, step = draw(text_and_op(base))
        applied.append(step)
        base = ops.apply(base, step)
    return op, applied


@settings(max_examples=300)
@given(behind())
def test_transform_over_matches_transform_step_by_step(
    case: tuple[ops.Operation, list[ops.Operation]],
) -> None:
    op, applied = case
    expected = op
    for step in applied:
        expected, _ = ops.transform(expected, step)
    assert ops.transform_over(op, applied) == expected


@given(concurrent())
def test_transform_keeps_both_insertions(case: tuple[str, ops.Operation, ops.Operation]) -> None:
    base, a, b = case
    a2, _ = ops.transform(a, b)
    result = ops.apply(ops.apply(base, b), a2)
    for inserted in (c for c in a + b if isinstance(c, str)):
        assert inserted in result


@given(text_and_op())
def test_invert_undoes(pair: tuple[str, ops.Operation]) -> None:
    base, op = pair
    assert ops.apply(ops.apply(base, op), ops.invert(op, base)) == base


@given(text_and_op())
def test_lengths_agree_with_apply(pair: tuple[str, ops.Operation]) -> None:
    base, op = pair
    assert ops.base_length(op) == len(base)
    assert ops.target_length(op) == len(ops.apply(base, op))


@given(text_and_op(), st.data())
def test_transform_position_stays_on_same_character(
    pair: tuple[str, ops.Operation], data: st.DataObject
) -> None:
    base, op = pair
    if not base:
        return
    position = data.draw(st.integers(min_value=0, max_value=len(base) - 1))
    deleted: set[int] = set()
    index = 0
    for c in op:
        if isinstance(c, int):
            if c < 0:
                deleted.update(range(index, index - c))
            index += abs(c)
    moved = positions.transform_position(position, op)
    if position not in deleted:
        assert ops.apply(base, op)[moved] == base[position]


def test_transform_position_follows_typing_at_caret() -> None:
    assert positions.transform_position(2, [2, "xy", 1]) == 4
    assert positions.transform_position(2, [1, -1, 1]) == 1
    assert positions.transform_range(1, 3, [-4]) == (0, 0)


@given(text_and_op())
def test_inserted_and_deleted_account_for_length(pair: tuple[str, ops.Operation]) -> None:
    base, op = pair
    result = ops.apply(base, op)
    assert len(base) - len(ops.deleted(op, base)) + len(ops.inserted(op)) == len(result)
    assert ops.deleted(op, base) == ops.inserted(ops.invert(op, base))
