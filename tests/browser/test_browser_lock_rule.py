"""The editor holds back an edit to a locked section by the very rule the live core refuses
it by: the browser's lock-rule module answers as app/collab/locks.py does, case by case."""

import random
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from app.collab import locks
from app.collab.ops import Operation
from app.sections import outline

from .helpers import LiveServer

pytestmark = pytest.mark.browser

# Lines that make headings (ATX and underlined), paragraphs and blank lines; CRLF and an
# astral character, which counts one code point here and two UTF-16 units in the browser.
LINES = ["# One", "## Two", "  ### Three", "#Not", "Title", "===", "---", "words 🌍", "", " ", "\r"]
PIECES = ["\n", "x", "# ", "\n\n", "## New\n", "é", "🌍", " ", "=", ""]
CASES = 600

RUN = """(cases) => {
  const m = window.lockRule;
  return cases.map((c) => ({
    stands: m.stands(c.lock, c.after, c.moved),
    located: m.locate(c.lock, c.after, c.moved),
    broken: m.brokenBy([{ ...c.lock, start: c.start, standing: true }], c.op, c.before) !== null,
  }));
}"""


def _text(rng: random.Random) -> str:
    return "\n".join(rng.choice(LINES) for _ in range(rng.randint(1, 9)))


def _edit(rng: random.Random, text: str) -> Operation:
    """One replacement somewhere in `text`, as an operation."""
    start = rng.randint(0, len(text))
    end = min(len(text), start + rng.choice([0, 0, 1, 2, 5]))
    insert = rng.choice(PIECES)
    op: Operation = []
    if start:
        op.append(start)
    if insert:
        op.append(insert)
    if end > start:
        op.append(start - end)
    if len(text) > end:
        op.append(len(text) - end)
    return op


def _apply(text: str, op: Operation) -> str:
    result, at = [], 0
    for component in op:
        if isinstance(component, str):
            result.append(component)
        elif component > 0:
            result.append(text[at : at + component])
            at += component
        else:
            at -= component
    return "".join(result)


def _cases(rng: random.Random) -> Iterator[dict[str, Any]]:
    while True:
        before = _text(rng)
        parts = [p for p in outline.split(before) if before[p.start : p.end].rstrip()]
        if not parts:
            continue
        part = rng.choice(parts)
        words = before[part.start : part.end].rstrip()
        op = _edit(rng, before)
        yield {
            "lock": {"text": words, "preamble": part.preamble},
            "start": part.start,
            "before": before,
            "op": op,
            "after": _apply(before, op),
            "moved": locks.moved(locks.Lock("s", words, part.start, part.preamble), op),
        }


@pytest.fixture(scope="module")
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/signin")
    page.evaluate(
        "async () => { window.lockRule = await import('/static/js/collab/lock-rule.js'); }"
    )
    yield page
    context.close()


def test_lock_rule_matches_the_live_core(page: Page) -> None:
    rng = random.Random(20261207)
    cases = [case for case, _ in zip(_cases(rng), range(CASES), strict=False)]
    results = page.evaluate(RUN, cases)
    held = 0
    for case, got in zip(cases, results, strict=True):
        lock = locks.Lock("s", case["lock"]["text"], case["start"], case["lock"]["preamble"])
        after, moved = case["after"], case["moved"]
        assert got["stands"] == locks.stands(lock, after, moved), case
        assert got["located"] == locks.locate(lock, after, moved), case
        refused = locks.broken({"s": lock}, case["op"], after) is not None
        assert got["broken"] == refused, case
        held += refused
    assert 0 < held < len(cases)  # both kinds of edit were tried
