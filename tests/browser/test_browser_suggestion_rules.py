"""The browser's suggestion rules: suggestions follow the text exactly as the server's do, case
by case; the live set holds one made on a revision the page has not reached; and typing in
Suggesting mode folds into one suggestion as a person would expect."""

import random
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from app.collab import ops
from app.collab.proposals import Proposed, follow

from .helpers import LiveServer
from .test_browser_operations import random_text

pytestmark = pytest.mark.browser

CASES = 300

RUN_CASES = """(cases) => cases.map((c) => {
  const { start, end, insert } = c;
  const now = window.suggestions.follow({ start, end, insert }, c.changes);
  return now && [now.start, now.end];
})"""


@pytest.fixture(scope="module")
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/signin")
    page.evaluate(
        """async () => {
            window.suggestions = await import('/static/js/collab/suggestions.js');
            window.suggesting = await import('/static/js/collab/suggesting.js');
        }"""
    )
    yield page
    context.close()


def _edit_on(rng: random.Random, text: str) -> ops.Operation:
    at = rng.randint(0, len(text))
    removed = rng.randint(0, len(text) - at) if rng.random() < 0.5 else 0
    typed = random_text(rng, 3) if removed == 0 or rng.random() < 0.5 else ""
    return ops.normalise([at, typed, -removed, len(text) - at - removed])


def test_suggestions_follow_the_text_as_the_server_has_them(page: Page) -> None:
    rng = random.Random(20261208)
    cases: list[dict[str, Any]] = []
    expected: list[list[int] | None] = []
    while len(cases) < CASES:
        text = random_text(rng) or "ab"
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        insert = random_text(rng, 3) or "x"
        changes: list[ops.Operation] = []
        now = text
        for _ in range(rng.randint(1, 5)):
            op = _edit_on(rng, now)
            if ops.is_noop(op):
                continue
            changes.append(op)
            now = ops.apply(now, op)
        cases.append(
            {"start": start, "end": end, "insert": insert, "changes": changes, "text": text}
        )
        carried = follow(Proposed(start, end, insert), changes)
        expected.append(None if carried is None else [carried.start, carried.end])
    assert page.evaluate(RUN_CASES, cases) == expected


FOLD = """(steps) => {
  let current = null;
  const seen = [];
  for (const [start, end, insert, forward] of steps) {
    const edit = { start, end, insert };
    const { suggestion, caret, fresh } = window.suggesting.fold(current, edit, { forward });
    current = suggestion;
    seen.push([suggestion.start, suggestion.end, suggestion.insert, caret, fresh]);
  }
  return seen;
}"""


def test_typing_in_one_place_folds_into_one_suggestion(page: Page) -> None:
    # On "We value free knowledge.": select "free" and type "open", Backspace once, type "n".
    steps = [[9, 13, "o", False], [13, 13, "p", False], [13, 13, "e", False]]
    steps += [[12, 13, "", False], [13, 13, "n", False]]
    assert page.evaluate(FOLD, steps) == [
        [9, 13, "o", 13, True],
        [9, 13, "op", 13, False],
        [9, 13, "ope", 13, False],
        [9, 13, "op", 13, False],  # Backspace takes back the last suggested letter
        [9, 13, "opn", 13, False],
    ]


def test_backspace_strikes_out_leftwards_once_nothing_is_typed(page: Page) -> None:
    # Backspace three times from after "free", then type: one replacement; then elsewhere.
    steps = [[12, 13, "", False], [11, 12, "", False], [10, 11, "", False]]
    steps += [[10, 10, "x", False], [0, 0, "A", False]]
    assert page.evaluate(FOLD, steps) == [
        [12, 13, "", 12, True],
        [11, 13, "", 11, False],
        [10, 13, "", 10, False],
        [10, 13, "x", 13, False],  # typed where it strikes out: it becomes a replacement
        [0, 0, "A", 0, True],  # typing elsewhere starts another
    ]


def test_delete_key_strikes_out_rightwards(page: Page) -> None:
    steps = [[9, 10, "", True], [10, 11, "", True]]
    assert page.evaluate(FOLD, steps) == [[9, 10, "", 10, True], [9, 11, "", 11, False]]


LIVE = """() => {
  const { LiveSuggestions } = window.suggestions;
  const live = new LiveSuggestions();
  live.begin(1);
  const made = { id: 7, status: "open", start: 3, end: 5, insert: "X", rev: 2 };
  live.put(made);  // made on a revision this page has not reached: held
  const before = live.shown([]).length;
  live.sequenced(2, [1, "ab", 9]);  // the change that made revision 2 (already counted)
  const held = live.shown([]).map((s) => [s.start, s.end]);
  live.sequenced(3, ["zz", 12]);  // two letters typed before it: it moves
  const moved = live.shown([]).map((s) => [s.start, s.end]);
  const shown = live.shown([[6, -1, 7]]).length;  // a pending change removes one of its letters
  live.sequenced(4, [6, "q", 8]);  // typed between its letters: outdated
  return { before, held, moved, shown, status: live.get(7).status };
}"""


def test_a_suggestion_is_held_until_the_page_reaches_its_revision(page: Page) -> None:
    assert page.evaluate(LIVE) == {
        "before": 0,
        "held": [[3, 5]],
        "moved": [[5, 7]],
        "shown": 0,
        "status": "outdated",
    }
