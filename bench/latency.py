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

The clients are cheap on purpose (bench/wire.py, one process): a client keeps only the
revision and the length of the text, which is all a one-character insert needs, and reads
just those from the frames, so that the generator can take in the 200,000 frames a second
that 200 clients typing 5 changes a second receive. Only inserts are typed, since a client
that does not transform cannot know whether its delete survived a concurrent one.

The CPU columns are shares of one core over the measured window: the server's processes, the
load generator, and the whole machine, whose share beyond those two is PostgreSQL's work and
any other job's (a run that shared the cores shows there).
"""

import argparse
import asyncio
import json
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field

import uvloop

from bench import rows
from bench.cpu import Window
from bench.database import DATABASES, DRAFT, database_url, setups
from bench.server import Server, running
from bench.stats import percentiles
from bench.wire import Wire, connect

WARM_UP = 2.0
DRAIN = 3.0
LETTERS = "abcdefghijklmnopqrstuvwxyz "
# About a page: long enough that positions spread out, short enough to stay a statement.
TEXT = DRAFT * 20
# The server's op frame: {"type":"op","rev":M,"op":[...],"author":{...},"client_id":"...","seq":K}
OP = re.compile(rb'\{"type":"op","rev":(\d+),"op":\[([^\]]*)\]')
CLIENT_SEQ = re.compile(rb'"client_id":"([^"]*)","seq":(\d+)\}$')
ACK = re.compile(rb'\{"type":"ack","seq":\d+,"rev":(\d+)\}')


@dataclass
class Run:
    """What all clients share: when each change was sent, and the samples taken."""

    window: tuple[float, float]
    sent: dict[tuple[bytes, int], float] = field(default_factory=dict)
    changes: int = 0  # sent in the window
    samples_ms: list[float] = field(default_factory=list)


@dataclass
class Typist:
    """One editor: the revision and length of its text, and its change in flight."""

    wire: Wire
    client_id: bytes
    rev: int
    length: int
    run: Run
    rng: random.Random = field(default_factory=random.Random)
    seq: int = 0
    inflight: int = 0  # characters the change in flight inserts; 0 when none
    typed: int = 0  # keystrokes waiting for the change in flight to be acknowledged

    def keystroke(self) -> None:
        if self.inflight:
            self.typed += 1
        else:
            self.send(1)

    def send(self, count: int) -> None:
        self.seq += 1
        self.inflight = count
        at = self.rng.randint(0, self.length)
        letters = "".join(self.rng.choice(LETTERS) for _ in range(count))
        op = ",".join(
            part
            for part in (
                str(at) if at else "",
                f'"{letters}"',
                str(self.length - at) if self.length > at else "",
            )
            if part
        )
        now = time.monotonic()
        self.run.sent[(self.client_id, self.seq)] = now
        if self.run.window[0] <= now < self.run.window[1]:
            self.run.changes += 1
        frame = f'{{"type":"op","base_rev":{self.rev},"seq":{self.seq},"op":[{op}]}}'
        self.wire.send_text(frame.encode())

    def receive(self, payload: bytes, now: float) -> None:
        found = OP.match(payload)
        if found is not None:
            self.rev = int(found[1])
            body = found[2]
            opening = body.find(b'"')
            if opening >= 0:
                self.length += body.rfind(b'"') - opening - 1
            tail = CLIENT_SEQ.search(payload)
            assert tail is not None
            sent = self.run.sent.get((tail[1], int(tail[2])), 0.0)
            if self.run.window[0] <= sent < self.run.window[1]:
                self.run.samples_ms.append((now - sent) * 1000)
            return
        acked = ACK.match(payload)
        if acked is not None:
            self.rev = int(acked[1])
            self.length += self.inflight
            self.inflight = 0
            if self.typed:
                self.send(self.typed)
                self.typed = 0
            return
        if payload.startswith(b'{"type":"error"'):
            raise RuntimeError(payload.decode())


async def _typists(server: Server, tokens: list[str], rate: float, run: Run, stop: float) -> None:
    typists = []
    for token in tokens:
        client_id = uuid.uuid4().hex
        url = f"{server.ws_base}/ws/statements/{server.statement_ids[0]}?client_id={client_id}"
        wire = await connect(url, token)
        hello = json.loads(await wire.first())
        typist = Typist(wire, client_id.encode(), hello["rev"], len(hello["text"]), run)
        wire.listen(typist.receive)
        typists.append(typist)
    loop = asyncio.get_running_loop()
    start = run.window[0] - WARM_UP

    def keystroke(typist: Typist, moment: float) -> None:
        typist.keystroke()
        moment += 1 / rate
        if moment < stop:
            loop.call_later(moment - time.monotonic(), keystroke, typist, moment)

    for typist in typists:
        moment = start + typist.rng.random() / rate
        loop.call_later(moment - time.monotonic(), keystroke, typist, moment)
    await asyncio.sleep(stop + DRAIN - time.monotonic())
    for typist in typists:
        typist.wire.close()


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
        start = time.monotonic() + 3.0 + clients * 0.02
        stop = start + WARM_UP + seconds
        run = Run(window=(start + WARM_UP, stop))
        tokens = [server.tokens[n % users] for n in range(clients)]
        spread: list[int] = []

        def note_spread() -> None:
            spread.extend(server.connections_per_worker())

        # Once every socket is open, during the warm-up.
        timer = threading.Timer(start + WARM_UP / 2 - time.monotonic(), note_spread)
        timer.start()
        with (
            Window(server.cpu_seconds, *run.window) as window,
            asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
        ):
            runner.run(_typists(server, tokens, rate, run, stop))
        timer.join()
    cpu = window.use()
    p50, p95, p99, most = percentiles(run.samples_ms, 0.5, 0.95, 0.99, 1.0)
    return Latency(
        database=DATABASES[database],
        workers=workers,
        clients=clients,
        rate=rate,
        changes=run.changes,
        samples=len(run.samples_ms),
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        max_ms=most,
        server_cpu=cpu.server,
        client_cpu=cpu.client,
        machine_cpu=cpu.machine,
        connections=spread,
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
