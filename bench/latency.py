"""Edit-to-peer latency: how long a change takes to reach everyone else in the statement.

Run: .venv/bin/python -m bench.latency [--clients 10 50 100 200] [--rate 5] [--seconds 10]
     [--database sqlite postgres] [--workers 1 2 4]

N clients open one statement on a real `accord serve` and each types `rate` keystrokes a
second, at a random phase: a one-character insert at a random place of the text. Like an
ot.js client each keeps one change in flight; keystrokes typed meanwhile are sent together as
one change when the acknowledgement arrives. The latency of a change is the time from its
sender sending the frame to another client receiving the `op` frame for it (matched by
client_id and seq), one sample per change and recipient; changes sent during the measured
window count, and the run waits a few seconds after it for late frames.

SQLite runs as shipped (WAL, synchronous=FULL) with one worker, the only number it allows;
PostgreSQL in a database `accord_bench` created afresh, with each number of `--workers`. The
clients all connect to the one port, and the kernel hands each connection to one of uvicorn's
workers; the table says how many each worker got. A change then reaches the clients of the
other workers through PostgreSQL (its commit notifies them, and they read it from the log).

The clients are cheap on purpose (bench/typists.py, on bench/wire.py, in one process): a
client keeps only the revision and the length of the text, which is all a one-character
insert needs, and reads just those from the frames, so that the generator can take in the
200,000 frames a second that 200 clients typing 5 changes a second receive. Only inserts are
typed, since a client that does not transform cannot know whether its delete survived a
concurrent one.

The CPU columns are shares of one core over the measured window: the server's processes, the
load generator, and the whole machine, whose share beyond those two is PostgreSQL's work and
any other job's (a run that shared the cores shows there).
"""

import argparse
from dataclasses import dataclass

from bench import rows
from bench.database import DATABASES, DRAFT, database_url, setups
from bench.server import running
from bench.stats import percentiles
from bench.typists import schedule, type_on

# About a page: long enough that positions spread out, short enough to stay a statement.
TEXT = DRAFT * 20


@dataclass(frozen=True)
class Latency:
    database: str
    workers: int
    clients: int
    rate: float
    changes: int  # sent in the window
    samples: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    server_cpu: float  # share of one core the server's processes used in the window
    client_cpu: float  # and the load generator
    machine_cpu: float  # and the whole machine (200% is both cores)
    connections: list[int]  # the clients' sockets each worker held

    @property
    def expected(self) -> int:
        return self.changes * (self.clients - 1)

    def row(self) -> str:
        spread = "/".join(str(count) for count in self.connections)
        return (
            f"| {self.database} | {self.workers} | {spread} | {self.clients} | {self.rate:g} | "
            f"{self.changes:,} | {self.samples:,} of {self.expected:,} | "
            f"{self.p50_ms:.1f} | {self.p95_ms:.1f} | {self.p99_ms:.1f} | {self.max_ms:.1f} | "
            f"{self.server_cpu:.0%} | {self.client_cpu:.0%} | {self.machine_cpu:.0%} |"
        )


HEADER = (
    "| database | workers | sockets per worker | clients | changes/s each | changes | samples "
    "| p50 ms | p95 ms | p99 ms | max ms | server CPU | client CPU | machine CPU |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def measure(
    *,
    clients: int,
    rate: float = 5.0,
    seconds: float = 10.0,
    database: str = "sqlite",
    workers: int = 1,
) -> Latency:
    """One statement, `clients` typists in this process."""
    env = {"ACCORD_MAX_SOCKETS_PER_USER": "100000"}
    users = max(1, min(clients, 20))
    with running(
        users=users,
        statements=1,
        env=env,
        text=TEXT,
        database_url=database_url(database),
        workers=workers,
    ) as server:
        start, stop = schedule(clients, seconds)
        tokens = [server.tokens[n % users] for n in range(clients)]
        typed = type_on(server, tokens, rate, start, stop)
    p50, p95, p99, most = percentiles(typed.samples_ms, 0.5, 0.95, 0.99, 1.0)
    return Latency(
        database=DATABASES[database],
        workers=workers,
        clients=clients,
        rate=rate,
        changes=typed.changes,
        samples=len(typed.samples_ms),
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        max_ms=most,
        server_cpu=typed.cpu.server,
        client_cpu=typed.cpu.client,
        machine_cpu=typed.cpu.machine,
        connections=typed.connections,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50, 100, 200])
    parser.add_argument("--rate", type=float, default=5.0, help="keystrokes a second per client")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database", nargs="+", choices=list(DATABASES), default=["sqlite"])
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1], help="server workers (PostgreSQL)"
    )
    rows.add_option(parser)
    args = parser.parse_args()
    results = []
    print(HEADER, flush=True)
    for database, workers in setups(args.database, args.workers):
        for clients in args.clients:
            result = measure(
                clients=clients,
                rate=args.rate,
                seconds=args.seconds,
                database=database,
                workers=workers,
            )
            print(result.row(), flush=True)
            results.append(result)
    rows.write(args.json, results)


if __name__ == "__main__":
    main()
