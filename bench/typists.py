"""Typists for the latency benchmarks: editors on a real server, each typing at a steady rate,
and the edit-to-peer latency of every change they send, as each peer receives it.

A typist keeps only the revision and the length of the text, which is all a one-character
insert needs, and reads just those from the frames (bench/wire.py), so that one process can
take in the 200,000 frames a second that 200 clients typing 5 changes a second receive. Like
an ot.js client each keeps one change in flight; keystrokes typed meanwhile are sent together
as one change when the acknowledgement arrives. Only inserts are typed, since a client that
does not transform cannot know whether its delete survived a concurrent one.
"""

import asyncio
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import uvloop

from bench.cpu import CpuUse, Window
from bench.server import Server
from bench.wire import Wire, connect

WARM_UP = 2.0
DRAIN = 3.0
LETTERS = "abcdefghijklmnopqrstuvwxyz "
# The server's op frame: {"type":"op","rev":M,"op":[...],"author":{...},"client_id":"...","seq":K}
OP = re.compile(rb'\{"type":"op","rev":(\d+),"op":\[([^\]]*)\]')
CLIENT_SEQ = re.compile(rb'"client_id":"([^"]*)","seq":(\d+)\}$')
ACK = re.compile(rb'\{"type":"ack","seq":\d+,"rev":(\d+)\}')
# Where a typist types next, given its random source and the length of its text.
Place = Callable[[random.Random, int], int]


def anywhere(rng: random.Random, length: int) -> int:
    return rng.randint(0, length)


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
    place: Place = anywhere
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
        at = self.place(self.rng, self.length)
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


async def _type(
    server: Server, tokens: list[str], rate: float, run: Run, stop: float, place: Place
) -> None:
    typists = []
    for token in tokens:
        client_id = uuid.uuid4().hex
        url = f"{server.ws_base}/ws/statements/{server.statement_ids[0]}?client_id={client_id}"
        wire = await connect(url, token)
        hello = json.loads(await wire.first())
        length = len(hello["text"])
        typist = Typist(wire, client_id.encode(), hello["rev"], length, run, place=place)
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
class Typed:
    """What typists on one server measured: changes sent in the window, the samples, the CPU
    used in the window, and the clients' sockets each worker held."""

    changes: int
    samples_ms: list[float]
    cpu: CpuUse
    connections: list[int]


def schedule(clients: int, seconds: float) -> tuple[float, float]:
    """When typing starts (the warm-up first) and stops, on the system-wide monotonic clock,
    leaving time before it for `clients` sockets to open."""
    start = time.monotonic() + 3.0 + clients * 0.02
    return start, start + WARM_UP + seconds


def type_on(
    server: Server,
    tokens: list[str],
    rate: float,
    start: float,
    stop: float,
    place: Place = anywhere,
) -> Typed:
    """One typist a token, in this process, on the server's first statement; each types
    where `place` says (anywhere in the text unless told)."""
    run = Run(window=(start + WARM_UP, stop))
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
        runner.run(_type(server, tokens, rate, run, stop, place))
    timer.join()
    return Typed(run.changes, run.samples_ms, window.use(), spread)
