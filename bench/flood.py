"""Edit-to-peer latency beside a flooding client: is the flooder throttled, and do the others
type on as before?

Run: .venv/bin/python -m bench.flood [--clients 20] [--flooders 0 1 4] [--rate 5] [--seconds 8]
     [--database sqlite postgres] [--workers 1 2]

The typists of the latency benchmark (bench/typists.py): `clients` editors in one statement on
a real `accord serve`, each typing `rate` keystrokes a second, measured the same way. Beside
them, `flooders` more editors of the same statement, each a process of its own
(bench/flooder.py), send valid changes back to back from the start of the warm-up to the end
of the measured window, as fast as the server reads them. The server runs with its shipped
limit on frames a connection may send (ACCORD_MAX_FRAMES_PER_SECOND, 50 a second, bursts of
twice that): past it, the server says so with a `rate_limited` error (at most once every five
seconds) and reads the connection's frames at the limit from then on, so the rest wait unread
in the buffers and the flooder's sending blocks. Each number of flooders is a fresh server,
so the row without one is the same workload undisturbed.

The CPU columns are shares of one core over the measured window: the server's processes, the
clients' (the typists' process and the flooders' together, and of that the flooders'), and
the whole machine.
"""

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from app.config import Settings
from bench import rows
from bench.database import DATABASES, database_url, setups
from bench.flooder import Flood, flood
from bench.latency import TEXT
from bench.server import running
from bench.stats import percentiles
from bench.typists import WARM_UP, schedule, type_on

TYPISTS_USERS = 20  # the typists are these users in turn; each flooder is a user of its own
# The shipped limit, set explicitly so that none in the environment changes it unnoticed.
LIMIT = float(Settings.model_fields["max_frames_per_second"].default)
BURST_SECONDS = 2  # a connection may send a burst of this many seconds' worth of frames


def accepted_per_second(accepted: int, flooders: int, limit: float, seconds: float) -> float:
    """Each flooder's accepted changes a second, beyond the burst it may open with."""
    if not flooders or not seconds:
        return 0.0
    return (accepted / flooders - BURST_SECONDS * limit) / seconds


@dataclass(frozen=True)
class Flooded:
    database: str
    workers: int
    clients: int
    rate: float
    flooders: int
    limit: float  # the frames a second one connection may send
    changes: int  # the typists', sent in the window
    samples: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    flood_sent: int  # the flooders' changes, over the warm-up and the window
    flood_accepted: int
    flood_refused: int  # `rate_limited` errors the flooders were sent
    flood_other: int  # answered with another error, or still unread when it stopped
    flood_seconds: float  # from a flooder's first change to its last answer, the longest
    server_cpu: float
    client_cpu: float  # the typists' process and the flooders' together
    flooder_cpu: float  # of which the flooders'
    machine_cpu: float

    @property
    def expected(self) -> int:
        return self.changes * (self.clients - 1)

    @property
    def accepted_per_second(self) -> float:
        return accepted_per_second(
            self.flood_accepted, self.flooders, self.limit, self.flood_seconds
        )

    def row(self) -> str:
        flood = "| - | - | - | - | - "
        if self.flooders:
            flood = (
                f"| {self.flood_sent:,} in {self.flood_seconds:.1f} s | {self.flood_accepted:,} "
                f"| {self.accepted_per_second:.1f} | {self.flood_refused:,} "
                f"| {self.flood_other:,} "
            )
        return (
            f"| {self.database} | {self.workers} | {self.clients} | {self.rate:g} "
            f"| {self.flooders} | {self.changes:,} | {self.samples:,} of {self.expected:,} "
            f"| {self.p50_ms:.1f} | {self.p95_ms:.1f} | {self.p99_ms:.1f} | {self.max_ms:.1f} "
            f"{flood}| {self.server_cpu:.0%} | {self.client_cpu:.0%} | {self.flooder_cpu:.0%} "
            f"| {self.machine_cpu:.0%} |"
        )


HEADER = (
    "| database | workers | clients | changes/s each | flooders | changes | samples "
    "| p50 ms | p95 ms | p99 ms | max ms | flood sent | accepted | accepted/s each, "
    "past the burst | `rate_limited` errors | unread or other | server CPU | client CPU "
    "| of which flooders | machine CPU |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
    "| --- | --- | --- | --- | --- |"
)


def measure(
    *,
    clients: int = 20,
    flooders: int = 1,
    rate: float = 5.0,
    seconds: float = 8.0,
    database: str = "sqlite",
    workers: int = 1,
) -> Flooded:
    """One statement, `clients` typists in this process and `flooders` in processes of their
    own."""
    users = max(1, min(clients, TYPISTS_USERS))
    with running(
        users=users + flooders,
        statements=1,
        env={"ACCORD_MAX_SOCKETS_PER_USER": "100000", "ACCORD_MAX_FRAMES_PER_SECOND": f"{LIMIT:g}"},
        text=TEXT,
        database_url=database_url(database),
        workers=workers,
    ) as server:
        start, stop = schedule(clients + flooders, seconds)
        url = f"{server.ws_base}/ws/statements/{server.statement_ids[0]}"
        tokens = [server.tokens[n % users] for n in range(clients)]
        with ProcessPoolExecutor(max(1, flooders)) as pool:
            futures = [
                pool.submit(flood, url, token, start, stop, start + WARM_UP)
                for token in server.tokens[users:]
            ]
            typed = type_on(server, tokens, rate, start, stop)
            floods: list[Flood] = [future.result() for future in futures]
    for found in floods:
        if found.other:
            print(f"a flooder's changes were also answered {found.other}", file=sys.stderr)
    p50, p95, p99, most = percentiles(typed.samples_ms, 0.5, 0.95, 0.99, 1.0)
    return Flooded(
        database=DATABASES[database],
        workers=workers,
        clients=clients,
        rate=rate,
        flooders=flooders,
        limit=LIMIT,
        changes=typed.changes,
        samples=len(typed.samples_ms),
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        max_ms=most,
        flood_sent=sum(f.sent for f in floods),
        flood_accepted=sum(f.accepted for f in floods),
        flood_refused=sum(f.refused for f in floods),
        flood_other=sum(f.sent - f.accepted - f.refused for f in floods),
        flood_seconds=max((f.seconds for f in floods), default=0.0),
        server_cpu=typed.cpu.server,
        client_cpu=typed.cpu.client + sum((f.cpu for f in floods), 0.0),
        flooder_cpu=sum((f.cpu for f in floods), 0.0),
        machine_cpu=typed.cpu.machine,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--flooders", type=int, nargs="+", default=[0, 1, 4])
    parser.add_argument("--rate", type=float, default=5.0, help="keystrokes a second per typist")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--database", nargs="+", choices=list(DATABASES), default=["sqlite"])
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1], help="server workers (PostgreSQL)"
    )
    rows.add_option(parser)
    args = parser.parse_args()
    results = []
    print(HEADER, flush=True)
    for database, workers in setups(args.database, args.workers):
        for flooders in args.flooders:
            result = measure(
                clients=args.clients,
                flooders=flooders,
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
