"""A flooding client: one socket sending valid changes back to back, as fast as the server
takes them, and counting how each was answered.

Every frame is a change the server would accept: an "x" inserted at the start of the text,
on the newest revision the flooder knows. It keeps no change in flight, as a well-behaved
client does, but sends the next at once; the send waits only when the transport's buffer is
full, that is when the server reads more slowly than the flooder writes. Each change is
answered with an acknowledgement or an error frame; any change the server dropped without a
word shows as unanswered.
"""

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import uvloop

from bench.clients import sleep_until
from bench.typists import ACK, OP
from bench.wire import Wire, connect

BATCH = 64  # frames sent between two looks at what arrived
ANSWERS = 5.0  # how long after the flood the flooder waits for answers still to come
ERROR = re.compile(rb'\{"type":"error","code":"([a-z_]+)"')


@dataclass(frozen=True)
class Flood:
    """How one flooder's changes were answered."""

    sent: int
    accepted: int  # acknowledged
    refused: int  # `rate_limited` errors: the server said it reads the rest at its rate
    other: dict[str, int]  # answered with another error, by code
    seconds: float  # from the first frame sent to the last answer received
    cpu: float  # share of one core the flooder's process used in the measured window


class Flooder:
    """The revision and length of the text the flooder knows, and the answers it had."""

    def __init__(self, wire: Wire, rev: int, length: int) -> None:
        self.wire = wire
        self.rev = rev
        self.length = length
        self.seq = 0
        self.answers: Counter[str] = Counter()
        self.last_answer = 0.0
        self.sending = True
        self.settled = asyncio.Event()  # set once sending is over and every change answered

    def send(self, count: int) -> None:
        """Send `count` changes at once, all on the newest revision known."""
        op = f'["x",{self.length}]' if self.length else '["x"]'
        rev, send_text = self.rev, self.wire.send_text
        for seq in range(self.seq + 1, self.seq + count + 1):
            send_text(f'{{"type":"op","base_rev":{rev},"seq":{seq},"op":{op}}}'.encode())
        self.seq += count

    def stop(self) -> None:
        self.sending = False
        self._check()

    def _check(self) -> None:
        if not self.sending and self.answers.total() >= self.seq:
            self.settled.set()

    def receive(self, payload: bytes, now: float) -> None:
        found = OP.match(payload)
        if found is not None:  # a typist's change: a one-letter insert
            self.rev = int(found[1])
            body = found[2]
            opening = body.find(b'"')
            if opening >= 0:
                self.length += body.rfind(b'"') - opening - 1
            return
        acked = ACK.match(payload)
        if acked is not None:
            self.rev = int(acked[1])
            self.length += 1
            self.answers["ack"] += 1
            self.last_answer = now
            self._check()
            return
        refused = ERROR.match(payload)
        if refused is not None:
            self.answers[refused[1].decode()] += 1
            self.last_answer = now
            self._check()


async def _flood(url: str, token: str, start: float, stop: float, window: float) -> Flood:
    wire = await connect(f"{url}?client_id=flood-{uuid.uuid4().hex}", token)
    hello = json.loads(await wire.first())
    flooder = Flooder(wire, hello["rev"], len(hello["text"]))
    wire.listen(flooder.receive)
    await sleep_until(start)
    first = time.monotonic()
    cpu: list[float] = []
    while (now := time.monotonic()) < stop:
        if len(cpu) == 0 and now >= window:
            cpu.append(time.process_time())
        flooder.send(BATCH)
        await wire.drain()
    cpu.append(time.process_time())
    flooder.stop()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(flooder.settled.wait(), ANSWERS)
    wire.close()
    answers = flooder.answers
    return Flood(
        sent=flooder.seq,
        accepted=answers.pop("ack", 0),
        refused=answers.pop("rate_limited", 0),
        other=dict(answers),
        seconds=max(flooder.last_answer, stop) - first,
        cpu=(cpu[-1] - cpu[0]) / (stop - window) if len(cpu) == 2 else 0.0,
    )


def flood(url: str, token: str, start: float, stop: float, window: float) -> Flood:
    """Flood the statement at `url` (ws://.../ws/statements/ID) from `start` until `stop`, on
    the system-wide monotonic clock; the CPU share is taken from `window` to `stop`."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_flood(url, token, start, stop, window))
