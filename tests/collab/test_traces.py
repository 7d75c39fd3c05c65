"""Replay a real concurrent editing session through the server's room and reproduce its text.

The trace (tests/data/README.md) records two people writing one document at once, each
seeing the other's keystrokes half a second late; the second person reconnected once, so
there are three agents. Each transaction names the earlier ones whose merged state it was
made on. Its positions are relative to that state, so it has to be transformed to replay.

The replay is a real session: one statement, one `Room` on a migrated database, and one
client per agent, each holding a `Connection` of the room. Every transaction is one change
sent as an op frame; the room sequences it exactly as for a browser (transform over the log
after `base_rev`, apply, commit, ack, broadcast). The network is simulated: a frame a client
sends reaches the room at once, and a frame the room sends waits in the connection's outbox
until its client reads it. Causality is kept by holding frames back: a client reads a
broadcast only if the transaction its agent makes next was made on that change, and makes
that transaction only once it has read every change the transaction was made on, no more,
no less (a broadcast's `client_id` and `seq` name the transaction). So whenever an agent
makes a transaction, its client's text is its parents' state, and a wrong position in the
trace or a wrong transform fails the replay.

A client keeps one change in flight as ot.js's does, but its buffer is a queue of changes
sent one by one, not one composed change. Composing merges the keystrokes typed while a
change is in flight, so the other person could only read them all at once, where the trace
often has them read a part (with a composed buffer this replay stalls within its first 150
transactions). The room cannot tell the difference: ot.js's client sends the same frames
whenever each ack arrives before the next keystroke.

The whole trace is replayed: 23,136 changes in about 17,000 of the room's batches, each a
commit to an in-memory database; it takes about ten seconds, mostly the room's round trips
(the transforms alone take about one and a half).
"""

import asyncio
import gzip
import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from app import migrate
from app.collab import ops, protocol
from app.collab.audience import Audience
from app.collab.connection import Connection
from app.config import Settings
from app.services.text import text_at
from tests.collab.pipeline import open_room, seat
from tests.factories import make_statement, make_user

TRACE = Path(__file__).parent.parent / "data" / "clownschool.json.gz"
TIMEOUT = 10.0  # seconds to wait for the room, so a refused change fails instead of hanging


@dataclass
class Txn:
    agent: int
    known: list[int]  # how many of each agent's transactions it was made on
    patches: list[tuple[int, int, str]]


def load_trace() -> tuple[list[Txn], int, str]:
    """The transactions, the number of agents and the final text."""
    trace: dict[str, Any] = json.loads(gzip.decompress(TRACE.read_bytes()))
    agents: int = trace["numAgents"]
    txns: list[Txn] = []
    made_after: list[list[int]] = []  # each transaction's state: agent -> changes in it
    for raw in trace["txns"]:
        known = [0] * agents
        for parent in raw["parents"]:
            known = [max(a, b) for a, b in zip(known, made_after[parent], strict=True)]
        agent: int = raw["agent"]
        after = list(known)
        after[agent] += 1
        made_after.append(after)
        txns.append(Txn(agent, known, [tuple(p) for p in raw["patches"]]))
    # Each agent's transactions are made one after another, so a state is fully given by
    # how many of each agent's transactions it holds.
    for agent in range(agents):
        own = [txn for txn in txns if txn.agent == agent]
        assert [txn.known[agent] for txn in own] == list(range(len(own)))
    return txns, agents, trace["endContent"]


def change_for(text: str, patches: list[tuple[int, int, str]]) -> ops.Operation:
    """One operation on `text` doing a transaction's patches in order."""
    op = ops.normalise([len(text)])
    for position, deleted, inserted in patches:
        patch = ops.normalise([position, -deleted, inserted, len(text) - position - deleted])
        text = ops.apply(text, patch)
        op = ops.compose(op, patch)
    return op


@dataclass
class TraceClient:
    """One agent's editor: one change in flight, the rest queued, remote changes transformed."""

    agent: int
    txns: list[Txn]  # this agent's, in order
    connection: Connection
    agent_of: dict[str, int]  # client id -> agent
    rev: int = 0
    text: str = ""
    seq: int = 0
    made: int = 0
    inflight: ops.Operation | None = None
    buffer: deque[ops.Operation] = field(default_factory=deque)
    inbox: deque[dict[str, Any]] = field(default_factory=deque)
    outgoing: list[str] = field(default_factory=list)
    seen: list[int] = field(default_factory=list)  # remote changes read, per agent

    def __post_init__(self) -> None:
        self.seen = [0] * len(self.agent_of)

    @property
    def done(self) -> bool:
        return self.made == len(self.txns) and not self.inbox and self.inflight is None

    def fetch(self) -> None:
        """Take what the room has sent into the inbox; it is read when causality allows."""
        while not self.connection.outbox.empty():
            self.inbox.append(json.loads(self.connection.outbox.get_nowait()))

    def run(self) -> bool:
        """Read and type as far as the trace allows; whether anything happened."""
        progressed = False
        while self._read() or self._type():
            progressed = True
        return progressed

    def _read(self) -> bool:
        if not self.inbox:
            return False
        frame = self.inbox[0]
        if frame["type"] == "ack":
            assert frame["seq"] == self.seq
            assert frame["rev"] == self.rev + 1
            self.inbox.popleft()
            self.rev = frame["rev"]
            self.inflight = None
            if self.buffer:
                self._send(self.buffer.popleft())
            return True
        assert frame["type"] == "op", frame
        agent = self.agent_of[frame["client_id"]]
        assert frame["seq"] == self.seen[agent] + 1  # each agent's changes, in order
        if self.made < len(self.txns) and self.txns[self.made].known[agent] < frame["seq"]:
            return False  # the next transaction here was made before this change arrived
        self.inbox.popleft()
        assert frame["rev"] == self.rev + 1
        remote: ops.Operation = frame["op"]
        if self.inflight is not None:
            self.inflight, remote = ops.transform(self.inflight, remote)
        buffer = deque[ops.Operation]()
        for queued in self.buffer:
            queued, remote = ops.transform(queued, remote)
            buffer.append(queued)
        self.buffer = buffer
        self.text = ops.apply(self.text, remote)
        self.rev = frame["rev"]
        self.seen[agent] = frame["seq"]
        return True

    def _type(self) -> bool:
        if self.made == len(self.txns):
            return False
        txn = self.txns[self.made]
        others = [a for a in range(len(self.seen)) if a != self.agent]
        if any(self.seen[a] < txn.known[a] for a in others):
            return False
        assert all(self.seen[a] == txn.known[a] for a in others)
        op = change_for(self.text, txn.patches)
        self.text = ops.apply(self.text, op)
        self.made += 1
        if self.inflight is None:
            self._send(op)
        else:
            self.buffer.append(op)
        return True

    def _send(self, op: ops.Operation) -> None:
        self.seq += 1
        self.inflight = op
        frame = {"type": "op", "base_rev": self.rev, "seq": self.seq, "op": op}
        self.outgoing.append(json.dumps(frame))


async def replay(audience: Audience, clients: list[TraceClient], watcher: Connection) -> int:
    """Run the session to its end; returns how many batches the room wrote."""
    batches = 0
    while True:
        sent = [(c, frame) for c in clients for frame in c.outgoing]
        for client, raw in sent:
            client.outgoing.clear()
            frame = protocol.INBOUND.validate_json(raw)
            assert isinstance(frame, protocol.OpFrame)
            audience.offer(client.connection, frame.base_rev, frame.seq, frame.op)
        # The watcher, a silent member, is sent every change once it is committed.
        for _ in sent:
            await asyncio.wait_for(watcher.outbox.get(), TIMEOUT)
        batches += bool(sent)
        progressed = bool(sent)
        for client in clients:
            client.fetch()
            progressed = client.run() or progressed
        if not progressed:
            return batches


@pytest.fixture
def memory_engine() -> Iterator[Engine]:
    """A migrated in-memory SQLite database: every change is still written and committed,
    without an fsync per batch (the replay has thousands of round trips)."""
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def test_replay_concurrent_trace_reproduces_final_text(
    settings: Settings, memory_engine: Engine
) -> None:
    engine = memory_engine
    txns, agents, end_content = load_trace()
    with Session(engine) as session:
        users = [make_user(session) for _ in range(agents)]
        people = [{"id": user.id, "name": user.name} for user in users]
        statement_id = make_statement(session, settings, facilitator=users[0], text="").id
    client_ids = [f"agent-{agent}" for agent in range(agents)]
    agent_of = {client_id: agent for agent, client_id in enumerate(client_ids)}

    async def session_in_room() -> tuple[list[TraceClient], int]:
        audience = await open_room(engine, statement_id, settings.max_text_bytes)
        watcher = await seat(audience, "watcher", people[0], can_edit=False)
        clients = []
        for agent, person in enumerate(people):
            connection = await seat(audience, client_ids[agent], person)
            own = [txn for txn in txns if txn.agent == agent]
            clients.append(TraceClient(agent, own, connection, agent_of))
        batches = await replay(audience, clients, watcher)
        await audience.room.close()
        return clients, batches

    clients, batches = asyncio.run(session_in_room())
    assert all(client.done for client in clients)
    assert batches < len(txns)  # changes really were in flight at once
    with Session(engine) as session:
        head = text_at(session=session, statement_id=statement_id)
    assert head.rev == len(txns)
    assert head.text == end_content
    assert all(client.text == end_content for client in clients)
