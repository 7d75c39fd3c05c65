"""How many changes a second become durable and acknowledged, with group commit.

Run: .venv/bin/python -m bench.durable [--seconds 10] [--clients 200] [--statements 1 50]
     [--database sqlite postgres] [--level server routed room] [--workers 1 2] [--processes 1]

Every client keeps exactly one change in flight: it sends a change (a one-character insert at
a random place, on the newest revision it knows), waits for
its acknowledgement, which comes only after the change is committed, and sends the next. A
change counts when its acknowledgement arrives within the measured window (the first second
is a warm-up). The clients are spread evenly over the statements; each also receives, as a
real editor does, every other client's change to its statement.

Three levels: `server` is a real `accord serve` with websocket clients (the light ones of
bench/wire.py, offering no compression; they share the machine's cores with the server);
`room` drives the rooms in this process with in-memory connections, so the figure is what
sequencing, the group commit and the fan-out to the outboxes reach without websockets, HTTP
or JSON parsing of inbound frames; `routed` is N separate servers of one worker each on one
PostgreSQL database, every statement's clients on one of them (statement by statement in
turn), as a proxy routing by statement would place them.

SQLite runs as the server ships it (WAL, synchronous=FULL); PostgreSQL with
synchronous_commit=on, in a database `accord_bench` created afresh (ACCORD_BENCH_POSTGRES
names another server). At the server level on PostgreSQL, `--workers` runs `accord serve
--workers N` for each N given; the kernel spreads the clients' connections over the workers,
so a statement's clients are usually on several of them. `routed` runs for each N above 1.
SQLite runs one worker, and the room level is one process by definition.
"""

import argparse
import asyncio
import json
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import uvloop

from app.collab import ops
from app.collab.audience import Audience
from app.collab.connection import Connection
from app.collab.members import Author, Member
from app.collab.room import Room
from app.config import Settings
from app.db import make_engine
from bench import rows
from bench.clients import sleep_until, split, spread
from bench.cpu import CpuUse, Window
from bench.database import DATABASES, database_url, recreate_postgres, seed, setups
from bench.server import Server, alongside, running
from bench.stats import percentiles
from bench.typists import ACK, OP
from bench.wire import Wire, connect

WARM_UP = 1.0
USERS = 20
# The flood limit is per connection, and a client here sends as fast as it is acknowledged;
# USERS people open all the sockets, more than the default cap per person.
UNTHROTTLED = {"ACCORD_MAX_FRAMES_PER_SECOND": "1000000", "ACCORD_MAX_SOCKETS_PER_USER": "100000"}


@dataclass(frozen=True)
class Throughput:
    database: str
    level: str
    workers: int  # the server's, or how many routed servers; 1 for the rooms (one process)
    statements: int
    clients: int
    changes: int
    seconds: float
    ack_p50_ms: float  # send to acknowledgement, over every tenth change of each client
    ack_p99_ms: float
    # Shares of one core in the window: the server's processes (at the room level, the one
    # process of rooms and clients), the load generator's (0 at the room level; in this
    # process only, so with --processes it misses the others), the whole machine's.
    server_cpu: float
    client_cpu: float
    machine_cpu: float

    @property
    def per_second(self) -> float:
        return self.changes / self.seconds

    def row(self) -> str:
        workers = "-" if self.level == "room" else str(self.workers)
        return (
            f"| {self.database} | {self.level} | {workers} | {self.statements} | "
            f"{self.clients:,} | {self.changes:,} | {self.seconds:.1f} | "
            f"{self.per_second:,.0f} | {self.ack_p50_ms:.1f} | {self.ack_p99_ms:.1f} | "
            f"{self.server_cpu:.0%} | {self.client_cpu:.0%} | {self.machine_cpu:.0%} |"
        )


HEADER = (
    "| database | level | workers | statements | clients | changes | seconds | changes/s "
    "| ack p50 ms | ack p99 ms | server CPU | client CPU | machine CPU |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def throughput(
    *,
    database: str,
    level: str,
    workers: int,
    statements: int,
    clients: int,
    changes: int,
    seconds: float,
    ack_ms: list[float],
    cpu: CpuUse,
) -> Throughput:
    p50, p99 = percentiles(ack_ms, 0.5, 0.99)
    return Throughput(
        database=DATABASES[database],
        level=level,
        workers=workers,
        statements=statements,
        clients=clients,
        changes=changes,
        seconds=seconds,
        ack_p50_ms=p50,
        ack_p99_ms=p99,
        server_cpu=cpu.server,
        client_cpu=cpu.client,
        machine_cpu=cpu.machine,
    )


def insert(rng: random.Random, length: int) -> ops.Operation:
    """A one-character insert at a random place of a text of `length`.

    Only inserts: an insert never becomes a no-op under transformation (two deletes of one
    character do), so a client knows the text's length from the frames alone.
    """
    at = rng.randint(0, length)
    return ops.normalise([at, "x", length - at])


class _Client:
    """One editor keeping one change in flight, on the light websocket client."""

    def __init__(
        self, wire: Wire, rev: int, length: int, window: tuple[float, float], found: list[float]
    ) -> None:
        self.wire, self.rev, self.length = wire, rev, length
        self.window, self.found = window, found
        self.rng = random.Random()
        self.seq = self.acked = 0
        self.sent = 0.0

    def send(self) -> None:
        if time.monotonic() >= self.window[1]:
            return
        self.seq += 1
        op = json.dumps(insert(self.rng, self.length))
        self.sent = time.monotonic()
        frame = f'{{"type":"op","base_rev":{self.rev},"seq":{self.seq},"op":{op}}}'
        self.wire.send_text(frame.encode())

    def receive(self, payload: bytes, now: float) -> None:
        found = OP.match(payload)
        if found is not None:
            self.rev = int(found[1])
            body = found[2]
            opening = body.find(b'"')
            if opening >= 0:
                self.length += body.rfind(b'"') - opening - 1
            return
        acked = ACK.match(payload)
        if acked is None:
            if payload.startswith(b'{"type":"error"'):
                raise RuntimeError(payload.decode())
            return  # someone came or went
        self.rev, self.length = int(acked[1]), self.length + 1
        if self.window[0] <= now < self.window[1]:
            self.acked += 1
            if self.acked % 10 == 1:
                self.found.append((now - self.sent) * 1000)
        self.send()


Seat = tuple[str, int, str]  # where a client connects: a server's ws_base, statement, token


async def _clients(seats: list[Seat], window: tuple[float, float]) -> tuple[int, list[float]]:
    found: list[float] = []
    clients = []
    for ws_base, statement_id, token in seats:
        url = f"{ws_base}/ws/statements/{statement_id}?client_id={uuid.uuid4().hex}"
        wire = await connect(url, token)
        hello = json.loads(await wire.first())
        client = _Client(wire, hello["rev"], len(hello["text"]), window, found)
        wire.listen(client.receive)
        clients.append(client)
    await sleep_until(window[0] - WARM_UP)
    for client in clients:
        client.send()
    await sleep_until(window[1] + 1.0)
    for client in clients:
        client.wire.close()
    return sum(client.acked for client in clients), found


def _process(seats: list[Seat], window: tuple[float, float]) -> tuple[int, list[float]]:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_clients(seats, window))


def seats(servers: list[Server], clients: int) -> list[Seat]:
    """Where each client connects: statements round-robin, then users; each statement to
    one of the servers, in turn."""
    ids, tokens = servers[0].statement_ids, servers[0].tokens
    return [
        (servers[n % len(ids) % len(servers)].ws_base, ids[n % len(ids)], tokens[n % len(tokens)])
        for n in range(clients)
    ]


def through_server(
    *,
    database: str = "sqlite",
    workers: int = 1,
    clients: int = 200,
    statements: int = 1,
    seconds: float = 10.0,
    processes: int = 1,
    profile: Path | None = None,
    routed: bool = False,
) -> Throughput:
    """End to end: a real server, websocket clients in `processes` processes. `routed`: as
    many servers of one worker as `workers`, each statement's clients on one of them."""
    with (
        running(
            users=USERS,
            statements=statements,
            database_url=database_url(database),
            env=UNTHROTTLED,
            profile=profile,
            workers=1 if routed else workers,
        ) as server,
        alongside(server, workers - 1 if routed else 0) as others,
    ):
        servers = [server, *others]
        # Time to open every socket before the clock starts (a few ms each).
        start = time.monotonic() + WARM_UP + 3.0 + clients * 0.004
        window = (start, start + seconds)
        jobs = [(part, window) for part in split(seats(servers, clients), processes)]
        with Window(lambda: sum(s.cpu_seconds() for s in servers), *window) as cpu:
            results = spread(_process, jobs)
    return throughput(
        database=database,
        level="routed" if routed else "server",
        workers=workers,
        statements=statements,
        clients=clients,
        changes=sum(count for count, _ in results),
        seconds=seconds,
        ack_ms=[ms for _, found in results for ms in found],
        cpu=cpu.use(),
    )


async def _room_client(
    audience: Audience, connection: Connection, window: tuple[float, float], found: list[float]
) -> int:
    start, stop = window
    rng = random.Random()
    seq = acked = 0
    await sleep_until(start - WARM_UP)
    while time.monotonic() < stop:
        seq += 1
        # The newest committed revision is one a client could know.
        room = audience.room
        op = insert(rng, len(room.durable_text))
        sent = time.monotonic()
        audience.offer(connection, room.durable_rev, seq, op)
        while True:
            text = await connection.outbox.get()
            if text.startswith('{"type":"ack"'):
                break
            if text.startswith('{"type":"error"'):
                raise RuntimeError(text)
        now = time.monotonic()
        if start <= now < stop:
            acked += 1
            if acked % 10 == 1:
                found.append((now - sent) * 1000)
    return acked


async def _rooms(
    database_url: str, clients: int, statements: int, seconds: float
) -> tuple[int, list[float], CpuUse]:
    with tempfile.TemporaryDirectory() as data:
        if database_url:
            recreate_postgres(database_url)
        settings = Settings(data_dir=Path(data), database_url=database_url)
        _, ids = seed(settings, USERS, statements)
        engine = make_engine(settings)
        try:
            rooms = {n: Audience(Room(n, engine, settings.max_text_bytes)) for n in ids}
            for audience in rooms.values():
                await audience.room.load()
            tasks = []
            found: list[float] = []
            window = (time.monotonic() + WARM_UP + 0.5, time.monotonic() + WARM_UP + 0.5 + seconds)
            for n in range(clients):
                statement_id = ids[n % len(ids)]
                user = Author(id=1 + n % USERS, name="", organisation="", colour="")
                connection = Connection(Member(f"client-{n}", user), "editor", can_edit=True)
                audience = rooms[statement_id]
                await audience.room.enter(connection.member)
                audience.add(connection)
                tasks.append(_room_client(audience, connection, window, found))
            # The window's end has passed when the clients are done: leaving waits for nothing.
            with Window(time.process_time, *window) as cpu:
                counts = await asyncio.gather(*tasks)
            for audience in rooms.values():
                await audience.room.close()
        finally:
            engine.dispose()
    return sum(counts), found, replace(cpu.use(), client=0.0)  # the clients are the server's


def in_rooms(
    *, database: str = "sqlite", clients: int = 200, statements: int = 1, seconds: float = 10.0
) -> Throughput:
    """The rooms alone, in this process, with in-memory connections."""
    changes, found, cpu = asyncio.run(_rooms(database_url(database), clients, statements, seconds))
    return throughput(
        database=database,
        level="room",
        workers=1,
        statements=statements,
        clients=clients,
        changes=changes,
        seconds=seconds,
        ack_ms=found,
        cpu=cpu,
    )


def configurations(
    databases: list[str], levels: list[str], workers: list[int]
) -> Iterator[tuple[str, str, int]]:
    """(database, level, workers) to measure; the room level is one process, and `routed`
    with one server would be `server` again."""
    for database in databases:
        for level in levels:
            for _, count in setups([database], [1] if level == "room" else workers):
                if level != "routed" or count > 1:
                    yield database, level, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--statements", type=int, nargs="+", default=[1, 50])
    parser.add_argument("--database", nargs="+", choices=list(DATABASES), default=["sqlite"])
    parser.add_argument(
        "--level", nargs="+", choices=["server", "routed", "room"], default=["server", "room"]
    )
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1], help="server workers (PostgreSQL)"
    )
    parser.add_argument("--processes", type=int, default=1, help="client processes (server level)")
    parser.add_argument("--profile", type=Path, help="write the server's cProfile stats here")
    rows.add_option(parser)
    args = parser.parse_args()
    results = []
    print(HEADER, flush=True)
    for database, level, workers in configurations(args.database, args.level, args.workers):
        for count in args.statements:
            if level in ("server", "routed"):
                result = through_server(
                    database=database,
                    workers=workers,
                    clients=args.clients,
                    statements=count,
                    seconds=args.seconds,
                    processes=args.processes,
                    profile=args.profile,
                    routed=level == "routed",
                )
            else:
                result = in_rooms(
                    database=database, clients=args.clients, statements=count, seconds=args.seconds
                )
            print(result.row(), flush=True)
            results.append(result)
    rows.write(args.json, results)


if __name__ == "__main__":
    main()
