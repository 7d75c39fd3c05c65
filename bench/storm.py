"""A workshop's start: everyone signs in and opens the statement at the same moment, against a
real `accord serve` on SQLite.

Run: .venv/bin/python -m bench.storm [--people 13 40 100] [--rounds 3]
For each number of people, a fresh database holds that many accounts, each with a password
hashed by argon2id at argon2-cffi's defaults as `accord user create` hashes it, all editors of
one statement, and its facilitator, who goes in and out once before the first round. At one
moment each of them, with a client of their own as a browser would be: signs in (POST
/api/session), reads the statement and its text (both at once), and opens the statement's live
socket with the session cookie and the page's Origin. A person's time runs from sending the
sign-in to the arrival of the socket's first frame, the hello. Whoever gets an answer other
than 2xx stops there, as the page does, and does not get in; so does a socket closed before its
hello. Everyone stays in the statement until the round ends.
"""

import argparse
import asyncio
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx
from sqlmodel import Session, select

from app.config import Settings
from app.db import make_engine
from app.middleware import SESSION_COOKIE
from app.models.user import User
from app.security import hash_password
from bench import procfs, rows, wire
from bench.clients import sleep_until
from bench.server import Server, running
from bench.stats import percentiles

PASSWORD = "a password for the workshop"  # noqa: S105  (the benchmark's own accounts)
TIMEOUT = 300.0  # seconds one person may take before the round gives up on them
SETTLE = 1.0  # seconds for the server to close the statement's room after a round
TARGET_P99_S = 5.0


def email(person: int) -> str:
    return f"delegate-{person}@example.org"  # as bench/database.py seeds them


def give_passwords(settings: Settings, _statement_ids: list[int]) -> None:
    """Every account gets the same password, hashed once: a sign-in verifies it in full."""
    hashed = hash_password(PASSWORD)
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            for user in session.exec(select(User)):
                user.password_hash = hashed
                session.add(user)
            session.commit()
    finally:
        engine.dispose()


@dataclass
class Arrival:
    """One person's way in: their time to the hello, or where they were turned away."""

    seconds: float | None = None  # from sending the sign-in to the hello's arrival
    signed_in: float | None = None  # from sending the sign-in to its answer
    statuses: list[int] = field(default_factory=list)  # every HTTP answer's status
    refused: str = ""  # why no hello came, when it was not an answer other than 2xx


async def arrive(
    http: httpx.AsyncClient, server: Server, person: int, start: float, sockets: list[wire.Wire]
) -> Arrival:
    """Sign in, read the statement and its text, open the live socket: as a page does."""
    arrival = Arrival()
    await sleep_until(start)
    try:
        await asyncio.wait_for(_arrive(arrival, http, server, person, sockets), TIMEOUT)
    except TimeoutError:
        arrival.refused = f"nothing within {TIMEOUT:g} s"
    except (httpx.HTTPError, OSError) as error:  # a connection refused or dropped
        arrival.refused = f"{type(error).__name__}: {error}"
    return arrival


async def _arrive(
    arrival: Arrival, http: httpx.AsyncClient, server: Server, person: int, sockets: list[wire.Wire]
) -> None:
    statement = f"/api/statements/{server.statement_ids[0]}"
    began = time.monotonic()
    signed = await http.post("/api/session", json={"email": email(person), "password": PASSWORD})
    arrival.signed_in = time.monotonic() - began
    arrival.statuses.append(signed.status_code)
    if not signed.is_success:
        return
    reads = await asyncio.gather(http.get(statement), http.get(f"{statement}/text"))
    arrival.statuses += [read.status_code for read in reads]
    if not all(read.is_success for read in reads):
        return
    url = f"{server.ws_base}/ws/statements/{server.statement_ids[0]}?client_id={uuid.uuid4().hex}"
    headers = {"Cookie": f"{SESSION_COOKIE}={http.cookies[SESSION_COOKIE]}", "Origin": server.base}
    socket = await wire.connect(url, headers=headers)  # ConnectionError: refused
    sockets.append(socket)
    _, arrived = await socket.first_timed()  # ConnectionError: closed before its hello
    arrival.seconds = arrived - began


@dataclass(frozen=True)
class Storm:
    people: int
    rounds: int
    got_in: int  # people, over all rounds, who had their hello
    p50_s: float  # of those who got in
    p99_s: float
    max_s: float
    sign_in_p50_s: float
    sign_in_p99_s: float
    not_2xx: int  # HTTP answers other than 2xx, over all rounds
    no_hello: int  # people turned away otherwise: socket refused or closed, no answer
    answers: str  # the statuses other than 2xx, and how often
    server_cpu: float  # share of one core the server used from the start to the last arrival
    client_cpu: float  # and the load generator
    machine_cpu: float  # and the whole machine (200% is both cores)
    rss_before_mib: float  # the server's resident memory before the first round
    rss_peak_mib: float  # and the most it held during the rounds

    def row(self) -> str:
        return (
            f"| {self.people} | {self.rounds} | {self.got_in} of {self.people * self.rounds} | "
            f"{self.p50_s:.2f} | {self.p99_s:.2f} | {self.max_s:.2f} | "
            f"{self.sign_in_p50_s:.2f} | {self.sign_in_p99_s:.2f} | "
            f"{f'{self.not_2xx} ({self.answers})' if self.not_2xx else 0} | "
            f"{self.no_hello} | {self.server_cpu:.0%} | "
            f"{self.client_cpu:.0%} | {self.machine_cpu:.0%} | "
            f"{self.rss_before_mib:.0f} | {self.rss_peak_mib:.0f} |"
        )


HEADER = (
    "| people | rounds | got in | p50 s | p99 s | max s | sign-in p50 s | sign-in p99 s "
    "| answers not 2xx | sockets without hello | server CPU | client CPU | machine CPU "
    "| server RSS before MiB | server RSS peak MiB |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


class PeakMemory:
    """The server's largest resident memory while the block runs, read every 20 ms from a
    thread (argon2 takes its 64 MiB for each hash under way and gives it back after)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak_kib = server.rss_kib()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self.done.wait(0.02):
            self.peak_kib = max(self.peak_kib, self.server.rss_kib())

    def __enter__(self) -> "PeakMemory":
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join()


def _cpu(server: Server) -> tuple[float, float, float, float]:
    return (
        server.cpu_seconds(),
        time.process_time(),
        procfs.machine_busy_seconds(),
        time.monotonic(),
    )


async def one_round(server: Server, people: int) -> tuple[list[Arrival], tuple[float, ...]]:
    """Everyone at once; the arrivals, and the CPU seconds used and the seconds it took
    (from the start to the last arrival or refusal)."""
    sockets: list[wire.Wire] = []
    # The clients are made beforehand: making one costs the generator milliseconds of CPU.
    clients = [
        httpx.AsyncClient(base_url=server.base, headers={"Origin": server.base}, timeout=TIMEOUT)
        for _ in range(people)
    ]
    try:
        start = time.monotonic() + 0.5
        await sleep_until(start)
        before = _cpu(server)
        arrivals = await asyncio.gather(
            *(
                arrive(http, server, person, start, sockets)
                for person, http in enumerate(clients, start=1)
            )
        )
        after = _cpu(server)
    finally:
        for socket in sockets:
            socket.close()
        for http in clients:
            await http.aclose()
    await asyncio.sleep(SETTLE)
    return list(arrivals), tuple(end - begin for begin, end in zip(before, after, strict=True))


async def warm_up(server: Server) -> None:
    """One person in and out first: the server's first requests pay once for what a process
    does once (the first use of each query and route), which a running server has done."""
    async with httpx.AsyncClient(base_url=server.base, headers={"Origin": server.base}) as http:
        sockets: list[wire.Wire] = []
        arrival = await arrive(http, server, 0, time.monotonic(), sockets)
        for socket in sockets:
            socket.close()
        assert arrival.seconds is not None, arrival
    await asyncio.sleep(SETTLE)


def measure(people: int, rounds: int) -> Storm:
    arrivals: list[Arrival] = []
    used = [0.0, 0.0, 0.0, 0.0]  # server, client and machine CPU seconds, and seconds
    with running(users=people + 1, statements=1, prepare=give_passwords) as server:
        asyncio.run(warm_up(server))
        rss_before = server.rss_kib()
        with PeakMemory(server) as memory:
            for _ in range(rounds):
                found, cpu = asyncio.run(one_round(server, people))
                arrivals += found
                used = [total + more for total, more in zip(used, cpu, strict=True)]
    for reason, count in Counter(a.refused for a in arrivals if a.refused).most_common():
        print(f"{people} people: {count} turned away: {reason}", file=sys.stderr)
    times = [a.seconds for a in arrivals if a.seconds is not None]
    sign_ins = [a.signed_in for a in arrivals if a.signed_in is not None]
    refused = Counter(status for a in arrivals for status in a.statuses if not 200 <= status < 300)
    p50, p99, top = percentiles(times, 0.5, 0.99, 1.0)
    sign_in_p50, sign_in_p99 = percentiles(sign_ins, 0.5, 0.99)
    server_cpu, client_cpu, machine_cpu, seconds = used
    return Storm(
        people=people,
        rounds=rounds,
        got_in=len(times),
        p50_s=p50,
        p99_s=p99,
        max_s=top,
        sign_in_p50_s=sign_in_p50,
        sign_in_p99_s=sign_in_p99,
        not_2xx=sum(refused.values()),
        no_hello=sum(1 for a in arrivals if a.refused),
        answers=", ".join(f"{status} \u00d7{count}" for status, count in sorted(refused.items())),
        server_cpu=server_cpu / seconds,
        client_cpu=client_cpu / seconds,
        machine_cpu=machine_cpu / seconds,
        rss_before_mib=rss_before / 1024,
        rss_peak_mib=memory.peak_kib / 1024,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, nargs="+", default=[13, 40, 100])
    parser.add_argument("--rounds", type=int, default=3, help="storms on each server")
    rows.add_option(parser)
    args = parser.parse_args()
    print(f"target: p99 at most {TARGET_P99_S:g} s at 100 people\n")
    print(HEADER, flush=True)
    results = []
    for people in args.people:
        result = measure(people, args.rounds)
        print(result.row(), flush=True)
        results.append(result)
    rows.write(args.json, results)


if __name__ == "__main__":
    main()
