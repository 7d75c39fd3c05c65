"""The browser's operation module gives exactly what the server's gives, case by case."""

import random
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from app.collab import ops, positions

from .helpers import LiveServer

pytestmark = pytest.mark.browser

# Astral characters, combining marks, CRLF and plain letters: each one code point, the
# astral ones two UTF-16 units in the browser. 😀 and 😁 share their first unit, 😀 and 🈀
# their second, so that a diff unit by unit would cut a character in two.
ALPHABET = ["a", "b", " ", "\n", "\r", "😀", "😁", "🈀", "\u0301", "é", "ß", "中", "🎉"]
CASES = 400

# Runs every case through the module and answers with plain JSON, errors as their names.
RUN_CASES = """(cases) => {
  const m = window.operation;
  const attempt = (f) => {
    try { return f(); } catch (error) { return { error: error.name, message: error.message }; }
  };
  return cases.map((c) => ({
    normalised: m.normalise(c.raw),
    applied: attempt(() => m.apply(c.base, c.a)),
    baseLength: m.baseLength(c.a),
    targetLength: m.targetLength(c.a),
    isNoop: m.isNoop(c.a),
    inserted: m.inserted(c.a),
    deleted: m.deleted(c.a, c.base),
    inverted: m.invert(c.a, c.base),
    composed: attempt(() => m.compose(c.a, c.next)),
    transformed: attempt(() => m.transform(c.a, c.b)),
    positions: c.positions.map((p) => m.transformPosition(p, c.a)),
    range: m.transformRange(c.range[0], c.range[1], c.a),
  }));
}"""

RUN_DIFFS = """(cases) => {
  const m = window.operation;
  return cases.map((c) => ({
    hinted: m.fromDiff(c.old, c.new, c.hint),
    unhinted: m.fromDiff(c.old, c.new),
  }));
}"""


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def random_text(rng: random.Random, max_size: int = 30) -> str:
    if rng.random() < 0.2:  # runs of one character, where a diff has several answers
        return rng.choice(ALPHABET) * rng.randint(0, max_size)
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, max_size)))


def random_components(rng: random.Random, base: str) -> ops.Operation:
    """Components walking `base`, not yet normalised: neighbours of one kind are likely."""
    components: ops.Operation = []
    position = 0
    while position < len(base) or rng.random() < 0.5:
        kind = rng.choice(["retain", "insert", "delete"])
        if kind == "insert":
            components.append(random_text(rng, 5) or "x")
            if position >= len(base):
                break
            continue
        if position >= len(base):
            break
        n = rng.randint(1, len(base) - position)
        components.append(n if kind == "retain" else -n)
        position += n
    return components


def random_op(rng: random.Random, base: str) -> ops.Operation:
    return ops.normalise(random_components(rng, base))


def algebra_cases(rng: random.Random) -> Iterator[dict[str, Any]]:
    for _ in range(CASES):
        base = random_text(rng)
        raw = random_components(rng, base)
        a = ops.normalise(raw)
        after = ops.apply(base, a)
        if rng.random() < 0.1:  # an operation on another text: the same refusals both sides
            base = base + "a"
        start = rng.randint(0, len(base))
        yield {
            "base": base,
            "raw": raw,
            "a": a,
            "b": random_op(rng, base),
            "next": random_op(rng, after),
            "positions": sorted({rng.randint(0, len(base)) for _ in range(4)}),
            "range": [start, rng.randint(start, len(base))],
        }


def python_error(error: ops.InvalidOperation) -> dict[str, str]:
    return {"error": "InvalidOperation", "message": str(error)}


def expected_algebra(case: dict[str, Any]) -> dict[str, Any]:
    base, a, b = case["base"], case["a"], case["b"]

    def attempt(result: Any) -> Any:
        try:
            return result()
        except ops.InvalidOperation as error:
            return python_error(error)

    return {
        "normalised": ops.normalise(case["raw"]),
        "applied": attempt(lambda: ops.apply(base, a)),
        "baseLength": ops.base_length(a),
        "targetLength": ops.target_length(a),
        "isNoop": ops.is_noop(a),
        "inserted": ops.inserted(a),
        "deleted": ops.deleted(a, base),
        "inverted": ops.invert(a, base),
        "composed": attempt(lambda: ops.compose(a, case["next"])),
        "transformed": attempt(lambda: list(ops.transform(a, b))),
        "positions": [positions.transform_position(p, a) for p in case["positions"]],
        "range": list(positions.transform_range(case["range"][0], case["range"][1], a)),
    }


def single_edit(rng: random.Random) -> tuple[str, ops.Operation, int]:
    """A text, one insert, delete or replacement on it, and the caret after it (UTF-16)."""
    old = random_text(rng)
    at = rng.randint(0, len(old))
    removed = rng.randint(0, len(old) - at) if rng.random() < 0.5 else 0
    typed = "" if removed and rng.random() < 0.5 else random_text(rng, 4) or "a"
    if rng.random() < 0.3 and old:  # type or remove a character of the run around the caret
        typed = old[min(at, len(old) - 1)] * len(typed) if typed else typed
    op = ops.normalise([at, typed, -removed, len(old) - at - removed])
    return old, op, utf16_length(old[:at] + typed)


@pytest.fixture(scope="module")
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """One page for the module: the functions under test keep no state between calls."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/signin")
    page.evaluate(
        "async () => { window.operation = await import('/static/js/collab/operation.js'); }"
    )
    yield page
    context.close()


def test_operations_match_server(page: Page) -> None:
    cases = list(algebra_cases(random.Random(20240611)))
    results = page.evaluate(RUN_CASES, cases)
    assert len(results) == len(cases)
    for case, got in zip(cases, results, strict=True):
        assert got == expected_algebra(case), case


def test_from_diff_turns_old_text_into_new(page: Page) -> None:
    rng = random.Random(7)
    edits = [single_edit(rng) for _ in range(CASES)]
    cases: list[dict[str, Any]] = []
    for old, op, caret in edits:
        cases.append({"old": old, "new": ops.apply(old, op), "hint": caret})
    for _ in range(100):  # two unrelated texts
        old, new = random_text(rng), random_text(rng)
        cases.append({"old": old, "new": new, "hint": rng.randint(0, utf16_length(new))})
    results = page.evaluate(RUN_DIFFS, cases)
    for index, (case, got) in enumerate(zip(cases, results, strict=True)):
        for op in (got["hinted"], got["unhinted"]):
            assert op == ops.normalise(op), case
            assert ops.apply(case["old"], op) == case["new"], case
        if index < len(edits):
            expected = edits[index][1]
            if not ops.inserted(expected) or not ops.deleted(expected, case["old"]):
                # A pure insert or delete: the caret says exactly where it was.
                assert got["hinted"] == expected, case


def test_from_diff_places_typing_at_caret_in_a_run(page: Page) -> None:
    results = page.evaluate(
        """() => {
          const m = window.operation;
          return [
            m.fromDiff("aaa", "aaaa", 2),
            m.fromDiff("aaa", "aaaa"),
            m.fromDiff("😀😀😀", "😀😀😀😀", 4),
            m.fromDiff("😀😀😀", "😀😀", 2),
            m.fromDiff("x😀y", "x😁y", 3),
            m.fromDiff("ab", "ab", 1),
            m.fromDiff("", ""),
          ];
        }"""
    )
    assert results == [
        [1, "a", 2],
        [3, "a"],
        [1, "😀", 2],
        [1, -1, 1],
        [1, "😁", -1, 1],
        [2],
        [],
    ]


def test_code_point_helpers(page: Page) -> None:
    text = "a😀\u0301b\r\n中🎉"
    results = page.evaluate(
        """(text) => {
          const m = window.operation;
          const positions = [...Array(text.length + 1).keys()];
          return {
            length: m.codePointLength(text),
            toPoint: positions.map((i) => m.utf16ToCodePoint(text, i)),
            toUnit: [...Array(12).keys()].map((i) => m.codePointToUtf16(text, i)),
          };
        }""",
        text,
    )
    assert results == {
        "length": len(text),
        # a | 😀 (two units) | ◌́ | b | CR | LF | 中 | 🎉 (two units)
        "toPoint": [0, 1, 1, 2, 3, 4, 5, 6, 7, 7, 8],
        "toUnit": [0, 1, 3, 4, 5, 6, 7, 8, 10, 10, 10, 10],
    }


INVALID: list[object] = [{}, [0], [""], [True], [False], [1.5], "abc", [None], [[1]], None]


def refusal(action: Callable[[], object]) -> str | None:
    try:
        action()
    except ops.InvalidOperation as error:
        return str(error)
    return None


def test_parse_refuses_what_server_refuses(page: Page) -> None:
    results = page.evaluate(
        """(invalid) => {
          const m = window.operation;
          const refusal = (f) => {
            try {
              f();
              return null;
            } catch (error) {
              return error instanceof m.InvalidOperation && error instanceof Error
                ? error.message : `not InvalidOperation: ${error}`;
            }
          };
          return {
            invalid: invalid.map((raw) => refusal(() => m.parse(raw))),
            valid: m.parse([3, "x😀", -2]),
            apply: refusal(() => m.apply("ab", [3])),
            applyAstral: refusal(() => m.apply("😀", [2])),
            compose: refusal(() => m.compose([1], [2])),
            transform: refusal(() => m.transform([1], [2])),
          };
        }""",
        INVALID,
    )
    assert results == {
        "invalid": [refusal(partial(ops.parse, raw)) for raw in INVALID],
        "valid": ops.parse([3, "x😀", -2]),
        "apply": "The operation covers 3 characters but the text has 2.",
        "applyAstral": refusal(lambda: ops.apply("😀", [2])),
        "compose": refusal(lambda: ops.compose([1], [2])),
        "transform": refusal(lambda: ops.transform([1], [2])),
    }
    assert None not in results["invalid"]
