"""Edit-to-peer latency: how long a change takes to reach everyone else in the statement.

Run: .venv/bin/python -m bench.latency [--clients 10 50 100 200] [--rate 5] [--seconds 10]
     [--processes 1] [--no-deflate]

N clients open one statement on a real `accord serve` (SQLite, WAL, synchronous=FULL) and
each types `rate` changes a second, at a random phase: a one-character insert or delete at a
random place of its own current text. They follow the ot.js client rules: one change in
flight, the rest buffered and composed, remote changes transformed over both. The latency of
a change is the time from its sender sending the frame to another client receiving the `op`
frame for it (matched by client_id and seq), one sample per change and recipient; changes
sent during the measured window count, and the run waits a few seconds after it for late
frames. All clocks are the machine's monotonic clock, shared by the client processes.
"""

import argparse
import asyncio
import json
import random
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection

from app.collab import ops
from bench.clients import open_socket, sleep_until, split, spread
from bench.server import DRAFT, running

WARM_UP = 2.0
DRAIN = 3.0
LETTERS = "abcdefghijklmnopqrstuvwxyz "
# About a page: long enough that positions spread out, short enough to stay a statement.
TEXT = DRAFT * 20


@dataclass
class Typist:
    """One editor: ot.js's client states, and when each of its changes was sent."""

    socket: ClientConnection
    client_id: str
    rev: int
    text: str
    seq: int = 0
    inflight: ops.Operation | None = None
    buffer: ops.Operation | None = None
    sent: dict[int, float] = field(default_factory=dict)

    async def type(self, rate: float, start: float, stop: float) -> None:
        rng = random.Random()
        moment = start + rng.random() / rate
        while moment < stop:
            await sleep_until(moment)
            await self.edit(self.change(rng))
            moment += 1 / rate

    def change(self, rng: random.Random) -> ops.Operation:
        length = len(self.text)
        if length > len(TEXT) // 2 and rng.random() < 0.5:
            at = rng.randrange(length)
            return ops.normalise([at, -1, length - at - 1])
        at = rng.randint(0, length)
        return ops.normalise([at, rng.choice(LETTERS), length - at])

    async def edit(self, op: ops.Operation) -> None:
        self.text = ops.apply(self.text, op)
        if self.inflight is None:
            await self.send(op)
        elif self.buffer is None:
            self.buffer = op
        else:
            self.buffer = ops.compose(self.buffer, op)

    async def send(self, op: ops.Operation) -> None:
        self.seq += 1
        self.inflight = op
        self.sent[self.seq] = time.monotonic()
        await self.socket.send(
            json.dumps({"type": "op", "base_rev": self.rev, "seq": self.seq, "op": op})
        )

    async def listen(self, received: list[tuple[str, int, float]]) -> None:
        async for raw in self.socket:
            now = time.monotonic()
            frame = json.loads(raw)
            if frame["type"] == "op":
                received.append((frame["client_id"], frame["seq"], now))
                remote: ops.Operation = frame["op"]
                if self.inflight is not None:
                    self.inflight, remote = ops.transform(self.inflight, remote)
                if self.buffer is not None:
                    self.buffer, remote = ops.transform(self.buffer, remote)
                self.text = ops.apply(self.text, remote)
                self.rev = frame["rev"]
            elif frame["type"] == "ack":
                self.rev = frame["rev"]
                self.inflight, buffer, self.buffer = None, self.buffer, None
                if buffer is not None:
                    await self.send(buffer)
            elif frame["type"] == "error":
                raise RuntimeError(frame)


Sent = dict[tuple[str, int], float]
Received = list[tuple[str, int, float]]


async def _typists(
    ws_base: str,
    statement_id: int,
    tokens: list[str],
    rate: float,
    times: tuple[float, float],
    deflate: bool,
) -> tuple[Sent, Received]:
    start, stop = times
    typists = []
    for token in tokens:
        client_id = uuid.uuid4().hex
        socket, hello = await open_socket(
            ws_base, statement_id, token, deflate=deflate, client_id=client_id
        )
        typists.append(Typist(socket, client_id, hello["rev"], hello["text"]))
    received: Received = []
    listeners = [asyncio.create_task(t.listen(received)) for t in typists]
    await asyncio.gather(*(t.type(rate, start, stop) for t in typists))
    await sleep_until(stop + DRAIN)
    for typist in typists:
        await typist.socket.close()
    for listener in listeners:
        listener.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    sent = {(t.client_id, seq): at for t in typists for seq, at in t.sent.items()}
    return sent, received


def _process(
    ws_base: str,
    statement_id: int,
    tokens: list[str],
    rate: float,
    times: tuple[float, float],
    deflate: bool,
) -> tuple[Sent, Received]:
    return asyncio.run(_typists(ws_base, statement_id, tokens, rate, times, deflate))


@dataclass(frozen=True)
class Latency:
    clients: int
    rate: float
    deflate: bool
    changes: int  # sent in the window
    samples_ms: list[float]
    server_cpu: float  # share of one core the server used in the window

    @property
    def expected(self) -> int:
        return self.changes * (self.clients - 1)

    def row(self) -> str:
        ordered = sorted(self.samples_ms) or [0.0]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (
            f"| {self.clients} | {self.rate:g} | {'on' if self.deflate else 'off'} | "
            f"{self.changes:,} | {len(self.samples_ms):,} of {self.expected:,} | "
            f"{statistics.median(ordered):.1f} | {p99:.1f} | {ordered[-1]:.1f} | "
            f"{self.server_cpu:.0%} |"
        )


HEADER = (
    "| clients | changes/s each | deflate | changes | samples | p50 ms | p99 ms | max ms "
    "| server CPU |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def measure(
    *,
    clients: int,
    rate: float = 5.0,
    seconds: float = 10.0,
    processes: int = 1,
    deflate: bool = True,
) -> Latency:
    """One statement, `clients` typists spread over `processes` client processes."""
    env = {"ACCORD_MAX_SOCKETS_PER_USER": "100000"}
    users = max(1, min(clients, 20))
    with running(users=users, statements=1, env=env, text=TEXT) as server:
        start = time.monotonic() + 3.0 + clients * 0.02
        stop = start + WARM_UP + seconds
        tokens = [server.tokens[n % users] for n in range(clients)]
        cpu: list[float] = []

        def note_cpu() -> None:
            cpu.append(server.cpu_seconds())

        timers = [
            threading.Timer(start + WARM_UP - time.monotonic(), note_cpu),
            threading.Timer(stop - time.monotonic(), note_cpu),
        ]
        for timer in timers:
            timer.start()
        jobs = [
            (server.ws_base, server.statement_ids[0], part, rate, (start, stop), deflate)
            for part in split(tokens, processes)
        ]
        results = spread(_process, jobs)
        for timer in timers:
            timer.join()
    sent: Sent = {}
    for part_sent, _ in results:
        sent.update(part_sent)
    window = (start + WARM_UP, stop)
    samples = [
        (at - sent[(client_id, seq)]) * 1000
        for _, received in results
        for client_id, seq, at in received
        if window[0] <= sent.get((client_id, seq), 0.0) < window[1]
    ]
    return Latency(
        clients=clients,
        rate=rate,
        deflate=deflate,
        changes=sum(1 for at in sent.values() if window[0] <= at < window[1]),
        samples_ms=samples,
        server_cpu=(cpu[1] - cpu[0]) / seconds if len(cpu) == 2 else 0.0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50, 100, 200])
    parser.add_argument("--rate", type=float, default=5.0, help="changes a second per client")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--processes", type=int, default=1, help="client processes")
    parser.add_argument("--no-deflate", action="store_true", help="clients offer no compression")
    args = parser.parse_args()
    print(HEADER, flush=True)
    for clients in args.clients:
        result = measure(
            clients=clients,
            rate=args.rate,
            seconds=args.seconds,
            processes=args.processes,
            deflate=not args.no_deflate,
        )
        print(result.row(), flush=True)


if __name__ == "__main__":
    main()
