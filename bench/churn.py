"""Memory over time: rounds of sockets that open, edit a little and leave, some without a word.

Run: .venv/bin/python -m bench.churn [--rounds 25] [--warm-up 10] [--sockets 200]
     [--statements 5]

A real `accord serve` (SQLite, one worker) with 20 users, each an editor of every statement,
and the shipped cap of 20 sockets a person, so that sockets the server failed to count out
would soon be refused. In each round `sockets` clients open a socket each, spread over the
statements in turn and each with a fresh client id, type a few one-character inserts (the
typists of bench/typists.py, one change in flight) until all are acknowledged, and leave, a
third each way: closing cleanly (a close frame), dropping the TCP connection without a close
frame, or going silent: reading nothing more, so that the server's pings go unanswered. The
server runs with ACCORD_PING_SECONDS=1 (a ping a second, a connection closed once a ping has
gone unanswered for a second), so that it finds the silent ones within a round rather than
after half a minute. A round ends when the server holds no connection on its port any more;
a second later its resident memory (VmRSS) and open file descriptors are read.

The first rounds warm up the server's allocators and caches (SQLite's page cache fills as
the log grows). The growth a round is the slope of the least-squares line through the
resident memory after each later round.
"""

import argparse
import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import uvloop

from bench import rows
from bench.clients import open_socket
from bench.server import Server, running
from bench.typists import Run, Typist
from bench.wire import Wire, connect

USERS = 20
OPEN_AT_ONCE = 50
KEYSTROKES = 3
PING_SECONDS = 1
SETTLE = 1.0  # seconds between the server letting the last socket go and reading its memory
PATIENCE = 60.0  # seconds a round may wait for acknowledgements, or for the server to let go


@dataclass(frozen=True)
class Churn:
    rounds: int
    sockets: int  # opened and closed in each round
    statements: int
    warm_up: int  # the first rounds, left out of the growth
    before_kib: int  # after one socket opened and closed
    rss_kib: list[int]  # after each round
    growth_kib: float  # a round, past the warm-up (least squares)
    files_before: int
    files: list[int]  # open after each round
    release_s: float  # the longest a round waited, after its sockets left, for the server
    left_behind: list[int]  # peers a newcomer was told of after each round (everyone had left)

    def behind(self) -> str:
        """How many were left behind at the end, and since which round."""
        first = next((n for n, count in enumerate(self.left_behind, 1) if count), None)
        return f"{self.left_behind[-1]}, from round {first}" if first else "0"

    def row(self) -> str:
        after = " ".join(f"{kib / 1024:.1f}" for kib in self.rss_kib)
        return (
            f"| {self.rounds} | {self.sockets} | {self.statements} "
            f"| {self.before_kib / 1024:.1f} | {self.rss_kib[0] / 1024:.1f} "
            f"| {self.rss_kib[-1] / 1024:.1f} | {self.growth_kib:.1f} "
            f"| {self.files_before} / {min(self.files)} to {max(self.files)} "
            f"| {self.release_s:.1f} | {self.behind()} | {after} |"
        )


HEADER = (
    "| rounds | sockets a round | statements | RSS before MiB | after round 1 MiB "
    "| after the last MiB | growth a round, past the warm-up, KiB | open files before / after "
    "each round | release s, slowest | left behind | RSS after each round, MiB |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


async def _until(condition: Callable[[], bool], what: str) -> float:
    """Wait until `condition()` holds, looking every tenth of a second; how long it took."""
    started = time.monotonic()
    for _ in range(int(PATIENCE * 10)):
        if condition():
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    raise SystemExit(f"gave up after {PATIENCE:g} s waiting {what}")


async def _open(server: Server, n: int, run: Run) -> Typist:
    statement = server.statement_ids[n % len(server.statement_ids)]
    client_id = uuid.uuid4().hex
    url = f"{server.ws_base}/ws/statements/{statement}?client_id={client_id}"
    wire = await connect(url, server.tokens[n % USERS])
    try:
        hello = json.loads(await wire.first())
    except ConnectionError as refused:  # 4429: the server still counts sockets long gone
        raise SystemExit(f"the server refused socket {n}: {refused}") from None
    typist = Typist(wire, client_id.encode(), hello["rev"], len(hello["text"]), run)
    wire.listen(typist.receive)
    return typist


def _leave(wire: Wire, n: int) -> None:
    """The n-th socket leaves in the n-th of three ways."""
    (wire.close, wire.drop, wire.go_silent)[n % 3]()


async def _round(server: Server, sockets: int) -> float:
    """Open, type, leave; how long the server took to let every socket go."""
    run = Run(window=(0.0, 0.0))  # nothing timed: these typists only edit
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def one(n: int) -> Typist:
        async with gate:
            return await _open(server, n, run)

    typists = await asyncio.gather(*(one(n) for n in range(sockets)))
    for _ in range(KEYSTROKES):
        for typist in typists:
            typist.keystroke()
        await asyncio.sleep(0.1)
    await _until(lambda: not any(t.inflight or t.typed for t in typists), "for acknowledgements")
    for n, typist in enumerate(typists):
        _leave(typist.wire, n)
    released = await _until(
        lambda: not sum(server.connections_per_worker()), "for the server to close the sockets"
    )
    for typist in typists:
        typist.wire.drop()  # the silent ones, which the server has closed on its side
    return released


async def _left_behind(server: Server) -> int:
    """The peers a newcomer to each statement is told of, once every socket has left: none,
    unless the server still holds a socket that has gone."""
    found = 0
    for n, statement in enumerate(server.statement_ids):
        url = f"{server.ws_base}/ws/statements/{statement}?client_id={uuid.uuid4().hex}"
        wire = await connect(url, server.tokens[n % USERS])
        found += len(json.loads(await wire.first())["peers"])
        wire.close()
    return found


async def _churn(server: Server, rounds: int, sockets: int, warm_up: int) -> Churn:
    first, _ = await open_socket(server.ws_base, server.statement_ids[0], server.tokens[0])
    await first.close()
    await asyncio.sleep(SETTLE)
    before, files_before = server.rss_kib(), server.open_files()
    rss, files, releases, left_behind = [], [], [], []
    for number in range(1, rounds + 1):
        releases.append(await _round(server, sockets))
        await asyncio.sleep(SETTLE)
        rss.append(server.rss_kib())
        files.append(server.open_files())
        left_behind.append(await _left_behind(server))
        print(
            f"round {number}: {rss[-1]:,} KiB, {files[-1]} files, "
            f"{left_behind[-1]} peers left behind",
            flush=True,
        )
    later = list(range(warm_up, rounds))
    growth = statistics.linear_regression(later, rss[warm_up:]).slope if len(later) > 1 else 0.0
    return Churn(
        rounds=rounds,
        sockets=sockets,
        statements=len(server.statement_ids),
        warm_up=warm_up,
        before_kib=before,
        rss_kib=rss,
        growth_kib=growth,
        files_before=files_before,
        files=files,
        release_s=max(releases),
        left_behind=left_behind,
    )


def measure(
    *, rounds: int = 25, sockets: int = 200, statements: int = 5, warm_up: int = 10
) -> Churn:
    env = {"ACCORD_PING_SECONDS": str(PING_SECONDS)}
    with (
        running(users=USERS, statements=statements, env=env) as server,
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
    ):
        return runner.run(_churn(server, rounds, sockets, warm_up))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--sockets", type=int, default=200, help="opened and closed a round")
    parser.add_argument("--statements", type=int, default=5)
    parser.add_argument("--warm-up", type=int, default=10, help="rounds left out of the growth")
    rows.add_option(parser)
    args = parser.parse_args()
    result = measure(
        rounds=args.rounds, sockets=args.sockets, statements=args.statements, warm_up=args.warm_up
    )
    print(HEADER, flush=True)
    print(result.row(), flush=True)
    rows.write(args.json, [result])


if __name__ == "__main__":
    main()
