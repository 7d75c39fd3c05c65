"""A test client that speaks the protocol as ot.js's client does: one change in flight,
the rest buffered, remote changes transformed over both."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from app.collab import ops
from tests.collab.sockets import Socket


@dataclass
class OTClient:
    socket: Socket
    rev: int
    text: str
    client_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    seq: int = 0
    inflight: ops.Operation | None = None
    buffer: ops.Operation | None = None

    def edit(self, op: ops.Operation) -> None:
        self.text = ops.apply(self.text, op)
        if self.inflight is None:
            self._send(op)
        elif self.buffer is None:
            self.buffer = op
        else:
            self.buffer = ops.compose(self.buffer, op)

    def _send(self, op: ops.Operation) -> None:
        self.seq += 1
        self.inflight = op
        self.socket.send_json({"type": "op", "base_rev": self.rev, "seq": self.seq, "op": op})

    def receive(self) -> None:
        frame: dict[str, Any] = self.socket.receive_json()
        if frame["type"] == "ack":
            assert frame["seq"] == self.seq
            self.rev = frame["rev"]
            self.inflight, buffer, self.buffer = None, self.buffer, None
            if buffer is not None:
                self._send(buffer)
        elif frame["type"] == "op":
            assert frame["rev"] == self.rev + 1
            remote: ops.Operation = frame["op"]
            if self.inflight is not None:
                self.inflight, remote = ops.transform(self.inflight, remote)
            if self.buffer is not None:
                self.buffer, remote = ops.transform(self.buffer, remote)
            self.text = ops.apply(self.text, remote)
            self.rev = frame["rev"]
        else:
            assert frame["type"] == "presence", frame

    @property
    def busy(self) -> bool:
        return self.inflight is not None
