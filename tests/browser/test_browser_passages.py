"""The browser's comment passages end where the server's do, case by case: through random
changes, deletions of the passage and their undoing, whether the page follows each change as
it comes or takes the threads as listed at an older revision and catches up."""

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from app.collab import ops
from app.services.anchors import carry, follow

from .helpers import LiveServer
from .test_browser_operations import random_text

pytestmark = pytest.mark.browser

CASES = 300

# Each case both ways: followed change by change, and taken at revision 0 after the changes.
RUN_CASES = """(cases) => {
  const { Passages } = window.passages;
  return cases.map((c) => {
    const followed = new Passages();
    followed.begin(0, c.text);
    followed.take([{ id: 1, version: null, start: c.start, end: c.end, rev: 0, quote: c.quote }]);
    c.changes.forEach((op, index) => followed.sequenced(index + 1, op));
    const caught = new Passages();
    caught.begin(0, c.text);
    c.changes.forEach((op, index) => caught.sequenced(index + 1, op));
    caught.take([{ id: 1, version: null, start: c.start, end: c.end, rev: 0, quote: c.quote }]);
    const [a, b] = [followed.byId.get(1), caught.byId.get(1)];
    return [[a.start, a.end], [b.start, b.end]];
  });
}"""


@pytest.fixture(scope="module")
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/signin")
    page.evaluate(
        "async () => { window.passages = await import('/static/js/collab/passages.js'); }"
    )
    yield page
    context.close()


def _given(text: str) -> Callable[[], str]:
    return lambda: text


def _edit_on(rng: random.Random, text: str) -> ops.Operation:
    """Typing, deleting or replacing at one random place of `text`."""
    at = rng.randint(0, len(text))
    typed = random_text(rng, 4)
    removed = rng.randint(0, len(text) - at) if rng.random() < 0.5 else 0
    return ops.normalise([at, typed, -removed, len(text) - at - removed])


def test_passages_match_server(page: Page) -> None:
    rng = random.Random(20261207)
    cases: list[dict[str, Any]] = []
    expected: list[tuple[int, int]] = []
    while len(cases) < CASES:
        text = random_text(rng) or "ab"
        start = rng.randrange(len(text))
        end = rng.randint(start + 1, len(text))
        quote = text[start:end]
        changes: list[ops.Operation] = []
        now = text
        for _ in range(rng.randint(1, 6)):
            roll = rng.random()
            if roll < 0.3 and changes:  # the last change undone
                before = ops.apply_all(text, changes[:-1])
                op = ops.invert(changes[-1], before)
            elif roll < 0.55:  # a stretch deleted, often the whole passage with it
                low = rng.randint(0, min(start, len(now)))
                high = rng.randint(min(end, len(now)), len(now))
                op = ops.normalise([low, -(high - low), len(now) - high])
            else:
                op = _edit_on(rng, now)
            if not op or ops.is_noop(op):
                continue
            changes.append(op)
            now = ops.apply(now, op)
        cases.append({"text": text, "start": start, "end": end, "quote": quote, "changes": changes})
        expected.append(carry(start, end, changes, quote=quote, text=_given(text)))
    results = page.evaluate(RUN_CASES, cases)
    reattached = 0
    for case, want, (followed, caught) in zip(cases, expected, results, strict=True):
        assert tuple(followed) == want, case
        assert tuple(caught) == want, case
        plain = follow(case["start"], case["end"], case["changes"])
        reattached += plain[0] == plain[1] and want[0] < want[1]
    assert reattached > CASES // 10  # the cases do exercise re-attachment
