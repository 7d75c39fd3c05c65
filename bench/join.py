"""How long joining a statement with a long history takes, against a real `accord serve`.

Run: .venv/bin/python -m bench.join [--runs 20] [--database sqlite postgres]
The statement is the automerge-paper editing trace (259,778 keystrokes making about 100 KB of
text; see bench/data/README.md) written into a fresh database as rooms write it: one
`operation` row a change and a `snapshot` of the text every SNAPSHOT_EVERY revisions. Four
people type in turns, 50 keystrokes each, five keystrokes a second, with half an hour of
quiet after every 1,000 changes (so the history has editing sessions). Then it times, one at
a time: opening a websocket until its hello arrives, for the first joiner (the room loads
from the database) and for a later one (the room is open); a reconnect a few hundred
revisions back (a hello with the changes since); reading the text, the first page of the
history and the authorship (the first call replays the whole log, later ones do not).
"""

import argparse
import asyncio
import gzip
import json
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.collab import ops
from app.collab.log import SNAPSHOT_EVERY
from app.config import Settings
from app.db import make_engine
from app.models.operation import Operation, Snapshot
from app.models.user import User
from app.services.authorship import KEEP_EVERY
from bench import rows, wire
from bench.database import DATABASES, database_url
from bench.pipeline import TRACE
from bench.server import Server, running

PEOPLE, TURN = 4, 50  # people typing in turns, and the keystrokes of one turn
KEYSTROKE = timedelta(seconds=0.2)
SESSION, PAUSE = 1_000, timedelta(minutes=30)
ROWS_PER_INSERT = 10_000
SETTLE = 0.3  # seconds for the server to close a room after its last socket has gone
TARGET_MS = 50.0


def trace_operations() -> tuple[list[ops.Operation], str]:
    """Each keystroke of the trace as the operation a room would log, and the final text."""
    trace = json.loads(gzip.decompress(TRACE.read_bytes()))
    text = ""
    changes: list[ops.Operation] = []
    for txn in trace["txns"]:
        for position, deleted, inserted in txn["patches"]:
            op = ops.normalise([position, -deleted, inserted, len(text) - position - deleted])
            changes.append(op)
            text = ops.apply(text, op)
    assert text == trace["endContent"]
    return changes, text


def write_history(
    settings: Settings, statement_id: int, changes: list[ops.Operation], client_ids: list[str]
) -> None:
    """Write the changes and snapshots as the rooms would have, by Core inserts of many rows."""
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            authors = list(session.exec(select(User.id).order_by(col(User.id))).all())[:PEOPLE]
        seqs = [0] * PEOPLE
        at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        text = ""
        rows: list[dict[str, Any]] = []
        snapshots: list[dict[str, Any]] = []
        for rev, op in enumerate(changes, start=1):
            person = (rev - 1) // TURN % PEOPLE
            seqs[person] += 1
            at += PAUSE if (rev - 1) % SESSION == 0 and rev > 1 else KEYSTROKE
            rows.append(
                {
                    "statement_id": statement_id,
                    "rev": rev,
                    "op": op,
                    "author_id": authors[person],
                    "client_id": client_ids[person],
                    "seq": seqs[person],
                    "created_at": at,
                }
            )
            text = ops.apply(text, op)
            if rev % SNAPSHOT_EVERY == 0:
                snapshots.append(
                    {"statement_id": statement_id, "rev": rev, "text": text, "created_at": at}
                )
        with engine.begin() as connection:
            for start in range(0, len(rows), ROWS_PER_INSERT):
                connection.execute(insert(Operation), rows[start : start + ROWS_PER_INSERT])
            connection.execute(insert(Snapshot), snapshots)
    finally:
        engine.dispose()


async def join_once(server: Server, client_id: str, since: int | None = None) -> tuple[float, Any]:
    """Milliseconds from opening the socket to its hello, and the hello."""
    query = f"client_id={client_id}" + (f"&since={since}" if since is not None else "")
    url = f"{server.ws_base}/ws/statements/{server.statement_ids[0]}?{query}"
    start = time.perf_counter()
    socket = await wire.connect(url, server.tokens[0])
    hello = await socket.first()
    elapsed = (time.perf_counter() - start) * 1000
    socket.close()
    await socket.closed
    return elapsed, json.loads(hello)


async def joins(
    server: Server, runs: int, *, room_open: bool, client_id: str = "", since: int | None = None
) -> tuple[list[float], Any]:
    """Time `runs` joins; with `room_open` someone else stays in the room meanwhile."""
    holder = None
    if room_open:
        url = f"{server.ws_base}/ws/statements/{server.statement_ids[0]}?client_id=holder"
        holder = await wire.connect(url, server.tokens[1])
        await holder.first()
    samples: list[float] = []
    hello: Any = None
    for _ in range(runs):
        elapsed, hello = await join_once(server, client_id or uuid.uuid4().hex, since)
        samples.append(elapsed)
        await asyncio.sleep(SETTLE)  # closed again unless the holder keeps it open
    if holder is not None:
        holder.close()
        await holder.closed
        await asyncio.sleep(SETTLE)
    return samples, hello


def timed(call: Callable[[], httpx.Response], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return samples


@dataclass(frozen=True)
class Timing:
    database: str
    request: str
    n: int
    median_ms: float
    max_ms: float
    note: str

    def row(self) -> str:
        return (
            f"| {self.database} | {self.request} | {self.n} | {self.median_ms:,.1f} | "
            f"{self.max_ms:,.1f} | {self.note} |"
        )


HEADER = "| database | request | n | median ms | max ms | |\n| --- | --- | --- | --- | --- | --- |"


class Report:
    """The timings taken so far, each printed as it comes."""

    def __init__(self, database: str) -> None:
        self.database = DATABASES[database]
        self.timings: list[Timing] = []

    def __call__(self, request: str, samples: list[float], note: str = "") -> None:
        timing = Timing(
            database=self.database,
            request=request,
            n=len(samples),
            median_ms=statistics.median(samples),
            max_ms=max(samples),
            note=note,
        )
        print(timing.row(), flush=True)
        self.timings.append(timing)


def measure(database: str, runs: int, changes: list[ops.Operation], text: str) -> list[Timing]:
    report = Report(database)
    client_ids = [uuid.uuid4().hex for _ in range(PEOPLE)]
    head = len(changes)
    since = head - 300

    def prepare(settings: Settings, statement_ids: list[int]) -> None:
        start = time.perf_counter()
        write_history(settings, statement_ids[0], changes, client_ids)
        seconds = time.perf_counter() - start
        print(f"{database}: history written in {seconds:.1f} s", file=sys.stderr)

    url = database_url(database)
    with running(users=PEOPLE, statements=1, database_url=url, text="", prepare=prepare) as server:
        # The process's first join also pays for what is done once per process (the first
        # use of each query, mapper and route), so it is reported apart.
        cold, _ = asyncio.run(joins(server, 1, room_open=False))
        first, hello = asyncio.run(joins(server, runs, room_open=False))
        assert hello["rev"] == head
        assert hello["text"] == text
        size = f"hello of {len(json.dumps(hello)) // 1024} KiB"
        report("join, the server's very first", cold, size)
        report("join, first (room loads)", first, size)
        later, _ = asyncio.run(joins(server, runs, room_open=True))
        report("join, later (room open)", later, size)
        for room_open in (False, True):
            back, hello = asyncio.run(
                joins(server, runs, room_open=room_open, client_id=client_ids[0], since=since)
            )
            assert [c["rev"] for c in hello["ops"]] == list(range(since + 1, head + 1))
            state = "room open" if room_open else "room loads"
            note = f"{len(hello['ops'])} changes, {len(json.dumps(hello)) // 1024} KiB"
            report(f"reconnect, since={since} ({state})", back, note)
        requests(report, server, runs, text, head)
    return report.timings


def requests(report: Report, server: Server, runs: int, text: str, head: int) -> None:
    """Time the text, the history's first page and the authorship over HTTP."""
    statement = f"{server.base}/api/statements/{server.statement_ids[0]}"
    headers = {"Authorization": f"Bearer {server.tokens[0]}"}
    with httpx.Client(headers=headers, timeout=3600) as http:

        def get(path: str, **params: int) -> Callable[[], httpx.Response]:
            return lambda: http.get(f"{statement}/{path}", params=params)

        assert get("text")().json()["text"] == text
        report("GET text", timed(get("text"), runs))
        sessions = len(get("history")().json()["data"])
        report("GET history", timed(get("history"), runs), f"{sessions} sessions")
        report("GET authorship, first", timed(get("authorship"), 1), "replays the whole log")
        found = get("authorship")().json()["runs"]
        assert sum(length for length, _ in found) == len(text)
        report("GET authorship, again", timed(get("authorship"), runs), f"{len(found):,} runs")
        older = head - 12_345
        kept = older // KEEP_EVERY * KEEP_EVERY
        report(
            f"GET authorship?rev={older}, first",
            timed(get("authorship", rev=older), 1),
            f"from the runs kept at {kept:,}",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", nargs="+", choices=list(DATABASES), default=["sqlite"])
    rows.add_option(parser)
    args = parser.parse_args()
    changes, text = trace_operations()
    print(f"{len(changes):,} changes, {len(text):,} characters; target {TARGET_MS:.0f} ms a join")
    print()
    print(HEADER, flush=True)
    results = []
    for database in args.database:
        results += measure(database, args.runs, changes, text)
    rows.write(args.json, results)


if __name__ == "__main__":
    main()
