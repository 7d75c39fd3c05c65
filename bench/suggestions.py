"""Edit-to-peer latency with open suggestions: what carrying them through every change costs.

Run: .venv/bin/python -m bench.suggestions [--rounds 3] [--clients 100] [--suggestions 300]
     [--rate 5] [--seconds 8] [--database sqlite postgres] [--workers 1 2]

The load of the latency benchmark (bench/latency.py: N clients in one statement, each typing
`rate` one-character inserts a second) on a statement of about 100 KB, the final text of the
automerge-paper trace (104,852 characters; see bench/data/README.md), measured in pairs on
one machine in one sitting: the statement alone, and the same statement with `--suggestions`
open suggestions, each on a fresh server. Which of the two runs first alternates from round to
round, so neither always has the warmer or quieter machine; the samples of each setup are
pooled over the rounds, and the ratio is the p99 with suggestions over the p99 without.

The suggestions are made over the API (`POST /api/statements/{id}/suggestions`, by the
statement's 20 members in turn) before the typists connect, one in each of `--suggestions`
equal stretches of the text, at the word nearest the stretch's middle: in turn a word
replaced, words put in before it, and it and the next word replaced by others of the paper's
words. The typists type near the stretch boundaries instead of anywhere: at a random spot
within a fifth of a stretch of one, found as that share of the length of their text. Since
everyone types at such spots evenly, a spot stays within a few dozen characters of where it
was over a run, far from the suggestions in the middles. One keystroke in fifty goes
anywhere, so that now and then one lands inside a suggestion and outdates it, as happens
(each run counts the suggestions still open at its end). The run without suggestions types
at the same spots, so the two setups differ only in the suggestions.
"""

import argparse
import functools
import gzip
import json
import random
import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import rows
from bench.database import DATABASES, database_url, setups
from bench.server import Server, running
from bench.stats import percentiles
from bench.typists import Typed, schedule, type_on

TRACE = Path(__file__).parent / "data" / "automerge-paper.json.gz"
USERS = 20
# How far from a stretch boundary a typist types, as a share of a stretch (a stretch is about
# 350 characters with 300 suggestions): the suggestions stand near the middles.
SPREAD = 0.2
STRAY = 0.02  # the share of keystrokes typed anywhere
WORD = re.compile(r"[A-Za-z]{4,}")


@functools.cache
def statement_text() -> str:
    """The automerge-paper trace's final text: 104,852 characters of a paper in LaTeX."""
    text: str = json.loads(gzip.decompress(TRACE.read_bytes()))["endContent"]
    return text


@dataclass(frozen=True)
class Spots:
    """Where the typists type: near one of `count + 1` evenly spaced boundaries of their
    text, the places between the suggestions; now and then anywhere."""

    count: int

    def place(self, rng: random.Random, length: int) -> int:
        if rng.random() < STRAY:
            return rng.randint(0, length)
        share = (rng.randint(0, self.count) + rng.uniform(-SPREAD, SPREAD)) / self.count
        return min(length, max(0, round(share * length)))


@dataclass(frozen=True)
class Proposal:
    start: int
    end: int
    insert: str

    def operation(self, length: int) -> list[int | str]:
        """The suggestion as an operation on the whole text."""
        parts: list[int | str] = [self.start, self.insert, self.start - self.end]
        parts.append(length - self.end)
        return [part for part in parts if part]


def proposals(text: str, count: int) -> list[Proposal]:
    """One suggestion in the middle of each of `count` equal stretches of `text`."""
    words = [(found.start(), found.end()) for found in WORD.finditer(text)]
    starts = [start for start, _ in words]
    vocabulary = sorted({text[start:end].lower() for start, end in words})
    rng = random.Random(count)
    made = []
    for n in range(count):
        middle = round((n + 0.5) / count * len(text))
        index = min(bisect_left(starts, middle), len(words) - 2)
        start, end = words[index]
        if n % 3 == 0:  # a word replaced
            made.append(Proposal(start, end, rng.choice(vocabulary)))
        elif n % 3 == 1:  # words put in before it
            made.append(Proposal(start, start, f"{rng.choice(vocabulary)} "))
        else:  # it and the next word replaced by three others
            new = " ".join(rng.choice(vocabulary) for _ in range(3))
            made.append(Proposal(start, words[index + 1][1], new))
    return made


def suggest(server: Server, count: int) -> None:
    """Make `count` open suggestions over the API, the members taking turns."""
    path = f"/api/statements/{server.statement_ids[0]}"
    with httpx.Client(base_url=server.base, timeout=60) as http:
        head = http.get(f"{path}/text", headers=_auth(server.tokens[0])).raise_for_status()
        rev, text = head.json()["rev"], head.json()["text"]
        for n, proposal in enumerate(proposals(text, count)):
            body = {"base_rev": rev, "op": proposal.operation(len(text))}
            if n % 2:
                body["reason"] = "Clearer, and closer to what we agreed."
            token = server.tokens[n % len(server.tokens)]
            http.post(f"{path}/suggestions", json=body, headers=_auth(token)).raise_for_status()


def still_open(server: Server) -> int:
    """How many of the statement's suggestions are open now."""
    path = f"/api/statements/{server.statement_ids[0]}/suggestions"
    with httpx.Client(base_url=server.base, timeout=120) as http:
        found = http.get(path, params={"status": "open"}, headers=_auth(server.tokens[0]))
        count: int = found.raise_for_status().json()["count"]
        return count


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Run:
    """One setup typed on, on a fresh server."""

    suggestions: int
    typed: Typed
    still_open: int


def run_once(
    *,
    database: str,
    workers: int,
    suggestions: int,
    spots: Spots,
    clients: int,
    rate: float,
    seconds: float,
) -> Run:
    """The typists on a fresh server, after `suggestions` suggestions are made."""
    env = {"ACCORD_MAX_SOCKETS_PER_USER": "100000"}
    with running(
        users=USERS,
        env=env,
        text=statement_text(),
        database_url=database_url(database),
        workers=workers,
    ) as server:
        suggest(server, suggestions)
        start, stop = schedule(clients, seconds)
        tokens = [server.tokens[n % USERS] for n in range(clients)]
        typed = type_on(server, tokens, rate, start, stop, place=spots.place)
        left = still_open(server) if suggestions else 0
    return Run(suggestions, typed, left)


@dataclass(frozen=True)
class Carried:
    """One setup over all rounds: the samples pooled, the p99 of each round, and the p99 and
    the server's CPU time a change as shares of those without suggestions on the same
    database and workers."""

    database: str
    workers: int
    clients: int
    rate: float
    suggestions: int
    rounds: int
    changes: int  # sent in the measured windows, all rounds
    samples: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    round_p99_ms: list[float]
    ratio: float  # p99_ms over the p99 without suggestions
    still_open: list[int]  # after each round
    server_ms_per_change: float  # the server's CPU time in the windows over the changes sent
    cpu_ratio: float  # server_ms_per_change over that without suggestions
    server_cpu: float  # shares of one core in the measured windows, averaged over the rounds
    client_cpu: float
    machine_cpu: float

    def row(self) -> str:
        each = " / ".join(f"{p99:.1f}" for p99 in self.round_p99_ms)
        kept = " / ".join(str(n) for n in self.still_open) if self.suggestions else "none made"
        return (
            f"| {self.database} | {self.workers} | {self.clients} | {self.rate:g} | "
            f"{self.suggestions} | {self.rounds} | {self.changes:,} | {self.samples:,} | "
            f"{self.p50_ms:.1f} | {self.p95_ms:.1f} | {self.p99_ms:.1f} | {self.max_ms:.1f} | "
            f"{each} | {self.ratio:.2f} | {kept} | {self.server_ms_per_change:.2f} | "
            f"{self.cpu_ratio:.2f} | "
            f"{self.server_cpu:.0%} | {self.client_cpu:.0%} | {self.machine_cpu:.0%} |"
        )


HEADER = (
    "| database | workers | clients | changes/s each | open suggestions | rounds | changes "
    "| samples | p50 ms | p95 ms | p99 ms | max ms | p99 ms each round | p99 against none "
    "| still open after each round | server CPU ms a change | CPU a change against none "
    "| server CPU | client CPU | machine CPU |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
    "| --- | --- | --- | --- | --- | --- |"
)


def pooled(
    database: str, workers: int, clients: int, rate: float, seconds: float, runs: list[Run]
) -> list[Carried]:
    """Each setup's runs as one row, without suggestions first."""
    by_setup: dict[int, list[Run]] = defaultdict(list)
    for run in runs:
        by_setup[run.suggestions].append(run)
    found = []
    baseline = cpu_baseline = 0.0
    for suggestions, mine in sorted(by_setup.items()):
        samples = [sample for run in mine for sample in run.typed.samples_ms]
        p50, p95, p99, most = percentiles(samples, 0.5, 0.95, 0.99, 1.0)
        cpu_ms = _server_ms(mine, seconds)
        baseline, cpu_baseline = baseline or p99, cpu_baseline or cpu_ms
        found.append(
            Carried(
                database=DATABASES[database],
                workers=workers,
                clients=clients,
                rate=rate,
                suggestions=suggestions,
                rounds=len(mine),
                changes=sum(run.typed.changes for run in mine),
                samples=len(samples),
                p50_ms=p50,
                p95_ms=p95,
                p99_ms=p99,
                max_ms=most,
                round_p99_ms=[percentiles(run.typed.samples_ms, 0.99)[0] for run in mine],
                ratio=p99 / baseline if baseline else 0.0,
                still_open=[run.still_open for run in mine],
                server_ms_per_change=cpu_ms,
                cpu_ratio=cpu_ms / cpu_baseline if cpu_baseline else 0.0,
                server_cpu=_mean([run.typed.cpu.server for run in mine]),
                client_cpu=_mean([run.typed.cpu.client for run in mine]),
                machine_cpu=_mean([run.typed.cpu.machine for run in mine]),
            )
        )
    return found


def _server_ms(runs: list[Run], seconds: float) -> float:
    """The server's CPU time over the changes sent, both in the measured windows: a figure
    that other jobs on the machine change far less than they change the latency."""
    used = sum(run.typed.cpu.server * seconds for run in runs)
    changes = sum(run.typed.changes for run in runs)
    return used * 1000 / changes if changes else 0.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="pairs of runs, one of each")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--suggestions", type=int, default=300)
    parser.add_argument("--rate", type=float, default=5.0, help="keystrokes a second per client")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--database", nargs="+", choices=list(DATABASES), default=["sqlite"])
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1], help="server workers (PostgreSQL)"
    )
    rows.add_option(parser)
    args = parser.parse_args()
    spots = Spots(args.suggestions)
    results: list[Carried] = []
    for database, workers in setups(args.database, args.workers):
        runs = []
        for round_ in range(args.rounds):
            order = [0, args.suggestions] if round_ % 2 == 0 else [args.suggestions, 0]
            for suggestions in order:
                run = run_once(
                    database=database,
                    workers=workers,
                    suggestions=suggestions,
                    spots=spots,
                    clients=args.clients,
                    rate=args.rate,
                    seconds=args.seconds,
                )
                _progress(database, workers, round_, run)
                runs.append(run)
        results += pooled(database, workers, args.clients, args.rate, args.seconds, runs)
    print(HEADER)
    for result in results:
        print(result.row(), flush=True)
    rows.write(args.json, results)


def _progress(database: str, workers: int, round_: int, run: Run) -> None:
    p99 = percentiles(run.typed.samples_ms, 0.99)[0]
    kept = f", {run.still_open} still open" if run.suggestions else ""
    print(
        f"({DATABASES[database]}, {workers} worker(s), round {round_ + 1}, "
        f"{run.suggestions} suggestions: p99 {p99:.1f} ms{kept})",
        flush=True,
    )


if __name__ == "__main__":
    main()
