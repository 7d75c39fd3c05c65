"""How soon the consent map shows a stance once its live event reaches the page.

Run: .venv/bin/python -m bench.consent_map [--stances 40] [--people 40] [--sections 12]
     [--organisations 13]

A real `accord serve` (SQLite, one worker) holds a statement of `--sections` sections (a
preamble and headed ones), `--people` members in `--organisations` organisations, a saved
version and an open review round on it. The system's Chromium (headless, through Playwright)
opens the round's consent map as its facilitator, and the benchmark records `--stances`
stances on sections through the API, one at a time, each by another person on another
section (every kind in turn, reasons with the objections), waiting for each to show before
the next.

Nothing in the page is there for the benchmark. A script added before the page's own code
wraps the browser's WebSocket to note `performance.now()` when a `stance.recorded` frame
arrives, ahead of the page's own listener; a MutationObserver notes when the stance's cell
(found by its person and section) shows the new stance; the time between is what a person
watching waits, the page's reading of the consent map over HTTP included. The resource
timing of that reading splits it into the request and what follows its answer (parsing and
drawing); the layout is forced once the cell shows the stance, and the first animation frame
after the change, plus a task, stands for the paint.
Last, the page's own grid module builds the whole grid afresh from a reading, REBUILDS times,
each laid out in the page: what a change of people or sections costs, against the in-place
update of a stance.
"""

import argparse
import random
import shutil
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import make_engine
from app.models.membership import Membership
from app.models.user import User
from app.security import hash_password
from bench import rows
from bench.server import Server, running
from bench.stats import percentiles

PASSWORD = "a long enough password"  # noqa: S105  (the facilitator's, in a throwaway database)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
KINDS = ["approve", "abstain", "request_changes", "block"]
TARGET_MS = 100.0

# Before the page's own code: when each stance.recorded frame arrives, ahead of its listener.
FRAMES = """(() => {
  const Native = window.WebSocket;
  window.benchFrames = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const at = performance.now();
        if (typeof event.data === "string" && event.data.includes('"stance.recorded"')) {
          window.benchFrames.push(at);
        }
      });
    }
  };
  performance.setResourceTimingBufferSize(10000);
})();"""

# Watch for one cell to show one stance: when it does, and the frame after.
WATCH = """([user, section, kind]) => {
  window.benchShown = null;
  const selector = `td[data-user="${user}"][data-section="${section}"]`;
  const observer = new MutationObserver(() => {
    const cell = document.querySelector(selector);
    if (!cell || cell.dataset.stance !== kind) return;
    observer.disconnect();
    const dom = performance.now();
    cell.getBoundingClientRect(); // laid out: what the browser does next, before it paints
    const laid = performance.now();
    requestAnimationFrame(() => setTimeout(() => {
      window.benchShown = { dom, laid, painted: performance.now() };
    }));
  });
  observer.observe(document.querySelector(".consent-scroll"),
    { subtree: true, childList: true, attributes: true, attributeFilter: ["data-stance"] });
}"""

# The frame, the reading of the map that answered it, and the cell showing the stance.
TAKE = """(frames) => {
  const arrived = window.benchFrames[frames];
  const reads = performance.getEntriesByType("resource")
    .filter((entry) => entry.name.endsWith("/consent") && entry.startTime >= arrived);
  const read = reads[0];
  performance.clearResourceTimings();
  return { arrived, ...window.benchShown, start: read.startTime, end: read.responseEnd };
}"""


# The page's own grid built afresh from a reading, and laid out, `times` times: in milliseconds.
REBUILD = """async (times) => {
  const { ConsentGrid } = await import("/static/js/pages/consent-grid.js");
  const consent = await (await fetch(`/api${location.pathname}`)).json();
  const took = [];
  for (let n = 0; n < times; n += 1) {
    const start = performance.now();
    const grid = new ConsentGrid();
    document.body.append(grid.node);
    grid.render(consent);
    grid.node.getBoundingClientRect();
    took.push(performance.now() - start);
    grid.node.remove();
  }
  return took;
}"""
REBUILDS = 20


def text(sections: int) -> str:
    """A preamble and `sections - 1` headed sections, each of a short paragraph."""
    parts = ["We, the affiliates gathered here, agree on what follows.\n"]
    for n in range(1, sections):
        parts.append(f"\n## Part {n}\n\nWhat we agree on in part {n}, in a sentence or two.\n")
    return "".join(parts)


def organise(organisations: int) -> Any:
    """A `prepare` for `running`: spread the people over organisations; the first one, the
    facilitator, gets a password to sign the browser in with."""

    def prepare(settings: Settings, statement_ids: list[int]) -> None:
        engine = make_engine(settings)
        try:
            with Session(engine) as session:
                people = session.exec(select(User).order_by(col(User.id))).all()
                named = {}
                for n, person in enumerate(people):
                    person.organisation = f"Organisation {n % organisations + 1}"
                    named[person.id] = person.organisation
                    session.add(person)
                people[0].password_hash = hash_password(PASSWORD)
                for membership in session.exec(select(Membership)).all():
                    membership.organisation = named[membership.user_id]
                    session.add(membership)
                session.commit()
        finally:
            engine.dispose()

    return prepare


@dataclass(frozen=True)
class Shown:
    people: int
    organisations: int
    sections: int
    stances: int
    p50_ms: float  # the stance.recorded frame arriving to its cell showing it
    p95_ms: float
    max_ms: float
    laid_p95_ms: float  # to the page laid out with it
    painted_p95_ms: float  # to the frame after that
    read_p50_ms: float  # the page's GET of the consent map, request to answer
    read_p95_ms: float
    drawn_p50_ms: float  # from the answer to the cell showing the stance
    drawn_max_ms: float
    rebuilt_p50_ms: float  # the whole grid built afresh from a reading, and laid out
    rebuilt_max_ms: float

    def row(self) -> str:
        return (
            f"| {self.people} | {self.organisations} | {self.sections} | {self.stances} | "
            f"{self.p50_ms:.1f} | {self.p95_ms:.1f} | {self.max_ms:.1f} | "
            f"{self.laid_p95_ms:.1f} | {self.painted_p95_ms:.1f} | "
            f"{self.read_p50_ms:.1f} | {self.read_p95_ms:.1f} | "
            f"{self.drawn_p50_ms:.1f} | {self.drawn_max_ms:.1f} | "
            f"{self.rebuilt_p50_ms:.1f} | {self.rebuilt_max_ms:.1f} |"
        )


HEADER = (
    "| people | organisations | sections | stances | p50 ms | p95 ms | max ms "
    "| laid out p95 ms | painted p95 ms | read p50 ms | read p95 ms | drawn p50 ms | drawn max ms "
    "| rebuilt p50 ms | rebuilt max ms |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def open_round(server: Server, http: httpx.Client) -> tuple[str, int, dict[str, Any]]:
    """Save a version, open a round on it; the statement's path, the round and its map."""
    path = f"/api/statements/{server.statement_ids[0]}"
    auth = {"Authorization": f"Bearer {server.tokens[0]}"}
    http.post(f"{path}/versions", json={"name": "Day one"}, headers=auth).raise_for_status()
    found = http.post(f"{path}/rounds", json={"version": 1}, headers=auth).raise_for_status()
    round_id = int(found.json()["id"])
    consent = http.get(f"{path}/rounds/{round_id}/consent", headers=auth).raise_for_status()
    return path, round_id, consent.json()


def open_map(page: Page, server: Server, path: str, round_id: int) -> None:
    """Sign the browser in as the facilitator and open the map, live."""
    page.add_init_script(FRAMES)
    signed = page.request.post(
        f"{server.base}/api/session",
        data={"email": "delegate-0@example.org", "password": PASSWORD},
        headers={"Origin": server.base},
    )
    assert signed.ok, signed.text()
    page.goto(f"{server.base}{path.removeprefix('/api')}/rounds/{round_id}/consent")
    page.wait_for_selector("table.consent-grid td[data-stance]")
    page.wait_for_function(
        "() => /^Live/.test(document.querySelector('.consent-live').textContent)"
    )


def measure(*, people: int, organisations: int, sections: int, stances: int) -> Shown:
    if stances > (people - 1) * sections:
        raise SystemExit("more stances than cells of the people other than the facilitator")
    samples: dict[str, list[float]] = {
        "shown": [],
        "laid": [],
        "painted": [],
        "read": [],
        "drawn": [],
    }
    prepare = organise(organisations)
    with (
        running(users=people, text=text(sections), prepare=prepare) as server,
        httpx.Client(base_url=server.base, timeout=60) as http,
        sync_playwright() as playwright,
    ):
        path, round_id, consent = open_round(server, http)
        ids = {person["name"]: person["user_id"] for person in consent["people"]}
        keys = [section["section"] for section in consent["data"]]
        assert len(keys) == sections, f"{len(keys)} sections, not {sections}"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        open_map(page, server, path, round_id)
        cells = [(n, key) for n in range(1, people) for key in keys]
        random.Random(1).shuffle(cells)
        for number, (person, key) in enumerate(cells[:stances]):
            kind = KINDS[number % len(KINDS)]
            body = {"kind": kind, "section": key}
            if kind in ("request_changes", "block"):
                body["reason"] = f"Reason number {number}: say it more plainly."
            frames = page.evaluate("() => window.benchFrames.length")
            page.evaluate(WATCH, [ids[f"Delegate {person}"], key, kind])
            auth = {"Authorization": f"Bearer {server.tokens[person]}"}
            url = f"{path}/rounds/{round_id}/stances"
            http.post(url, json=body, headers=auth).raise_for_status()
            page.wait_for_function("() => window.benchShown !== null", timeout=30_000)
            found = page.evaluate(TAKE, frames)
            samples["shown"].append(found["dom"] - found["arrived"])
            samples["laid"].append(found["laid"] - found["arrived"])
            samples["painted"].append(found["painted"] - found["arrived"])
            samples["read"].append(found["end"] - found["start"])
            samples["drawn"].append(found["dom"] - found["end"])
        samples["rebuilt"] = page.evaluate(REBUILD, REBUILDS)
        browser.close()
    return summary(people, organisations, sections, samples)


def summary(
    people: int, organisations: int, sections: int, samples: dict[str, list[float]]
) -> Shown:
    p50, p95, most = percentiles(samples["shown"], 0.5, 0.95, 1.0)
    read50, read95 = percentiles(samples["read"], 0.5, 0.95)
    drawn50, drawn_most = percentiles(samples["drawn"], 0.5, 1.0)
    return Shown(
        people=people,
        organisations=organisations,
        sections=sections,
        stances=len(samples["shown"]),
        p50_ms=p50,
        p95_ms=p95,
        max_ms=most,
        laid_p95_ms=percentiles(samples["laid"], 0.95)[0],
        painted_p95_ms=percentiles(samples["painted"], 0.95)[0],
        read_p50_ms=read50,
        read_p95_ms=read95,
        drawn_p50_ms=drawn50,
        drawn_max_ms=drawn_most,
        rebuilt_p50_ms=percentiles(samples["rebuilt"], 0.5)[0],
        rebuilt_max_ms=max(samples["rebuilt"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stances", type=int, default=40)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--sections", type=int, default=12)
    parser.add_argument("--organisations", type=int, default=13)
    rows.add_option(parser)
    args = parser.parse_args()
    print(f"Target: the cell shows a stance within {TARGET_MS:.0f} ms of its event (p95)")
    print()
    print(HEADER, flush=True)
    result = measure(
        people=args.people,
        organisations=args.organisations,
        sections=args.sections,
        stances=args.stances,
    )
    print(result.row(), flush=True)
    rows.write(args.json, [result])


if __name__ == "__main__":
    main()
