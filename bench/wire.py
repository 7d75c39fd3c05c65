"""A minimal websocket client for the load generators, so that they are not the bottleneck.

A full client library spends tens of microseconds a frame (a task wake-up, a queue, checks a
load generator can skip); with 200 editors in one statement the generator must take in
about 200,000 frames a second. This one is an asyncio Protocol: it does the opening handshake
itself, masks what it sends (as a client must), and hands each text frame from the server
(which are never masked) as bytes to a callback, with the time the bytes arrived, without
waking any task. It answers pings and knows nothing of compression, fragmentation beyond
continuation frames, or closing handshakes: enough for a benchmark against Accord.

Besides closing cleanly, a socket can leave as badly behaved clients do: `drop()` ends the
TCP connection without a close frame (a killed process), `go_silent()` stops reading, so that
pings go unanswered (a laptop that lost its network).
"""

import asyncio
import base64
import hashlib
import os
import time
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CONTINUATION, CLOSE, PING, PONG = 1, 2, 0, 8, 9, 10
OnText = Callable[[bytes, float], None]


class Wire(asyncio.Protocol):
    """One client websocket; set `on_text` to receive the server's text frames."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.on_text: OnText = self._hold
        self.early: list[tuple[bytes, float]] = []  # frames before anyone listens
        self.arrived = asyncio.Event()
        self.opened: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.fragments: list[bytes] = []
        self.close_reason = ""  # the code and reason of the server's close frame, if any
        self.writable = asyncio.Event()  # cleared while the transport's buffer is full
        self.writable.set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)
        self.arrived.set()  # a reader waiting for a first frame must learn there is none
        self.writable.set()

    def pause_writing(self) -> None:
        self.writable.clear()

    def resume_writing(self) -> None:
        self.writable.set()

    async def drain(self) -> None:
        """Let what has arrived be handled, then wait until the socket takes more."""
        await asyncio.sleep(0)
        await self.writable.wait()

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self.buffer
        buffer += data
        if not self.opened.done():
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end])
            del buffer[: end + 4]
            self._check_handshake(head)
        position, size = 0, len(buffer)
        while size - position >= 2:
            first, length = buffer[position], buffer[position + 1] & 0x7F
            start = position + 2
            if length == 126:
                start += 2
                length = int.from_bytes(buffer[position + 2 : start], "big")
            elif length == 127:
                start += 8
                length = int.from_bytes(buffer[position + 2 : start], "big")
            end = start + length
            if end > size:
                break
            self._frame(first, bytes(buffer[start:end]), now)
            position = end
        del buffer[:position]

    def _check_handshake(self, head: bytes) -> None:
        status, _, rest = head.partition(b"\r\n")
        accept = base64.b64encode(hashlib.sha1(self.key + GUID).digest())  # noqa: S324
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(b":") for line in rest.split(b"\r\n"))
        }
        if not status.startswith(b"HTTP/1.1 101") or headers.get(b"sec-websocket-accept") != accept:
            self.opened.set_exception(ConnectionError(status.decode("latin-1")))
            return
        self.opened.set_result(head)

    def _frame(self, first: int, payload: bytes, now: float) -> None:
        opcode = first & 0x0F
        if opcode in (TEXT, BINARY, CONTINUATION):
            if not first & 0x80:  # not the last fragment
                self.fragments.append(payload)
                return
            if self.fragments:
                payload = b"".join([*self.fragments, payload])
                self.fragments = []
            self.on_text(payload, now)
        elif opcode == PING:
            self._send(PONG, payload)
        elif opcode == CLOSE:
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            self.close_reason = f"{code} {payload[2:].decode(errors='replace')}".strip()
            self.close()

    def _hold(self, payload: bytes, now: float) -> None:
        self.early.append((payload, now))
        self.arrived.set()

    async def first(self) -> bytes:
        """The first text frame (Accord's hello), before any listener is set; raises
        ConnectionError if the socket closes before one arrives."""
        payload, _ = await self.first_timed()
        return payload

    async def first_timed(self) -> tuple[bytes, float]:
        """The first text frame and when its last bytes arrived (time.monotonic())."""
        while not self.early:
            if self.closed.done():
                reason = self.close_reason or "no close frame"
                raise ConnectionError(f"closed before its first frame ({reason})")
            self.arrived.clear()
            await self.arrived.wait()
        return self.early.pop(0)

    def listen(self, on_text: OnText) -> None:
        """Hand every later text frame to `on_text`, starting with any already here."""
        self.on_text = on_text
        early, self.early = self.early, []
        for payload, now in early:
            on_text(payload, now)

    def send_text(self, payload: bytes) -> None:
        self._send(TEXT, payload)

    def _send(self, opcode: int, payload: bytes) -> None:
        assert self.transport is not None
        size = len(payload)
        if size < 126:
            head = bytes((0x80 | opcode, 0x80 | size))
        elif size < 1 << 16:
            head = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
        else:
            head = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
        mask = os.urandom(4)
        repeated = (mask * (size // 4 + 1))[:size]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
            size, "big"
        )
        self.transport.write(head + mask + masked)

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self._send(CLOSE, (1000).to_bytes(2, "big"))
            self.transport.close()

    def drop(self) -> None:
        """End the TCP connection at once, with no close frame."""
        if self.transport is not None:
            self.transport.abort()

    def go_silent(self) -> None:
        """Read nothing more, so answer no ping, and keep the connection open."""
        if self.transport is not None:
            self.transport.pause_reading()


async def connect(url: str, token: str = "", *, headers: dict[str, str] | None = None) -> Wire:
    """Open a websocket to `url` (ws://host:port/path?query) with a bearer token, or with
    other headers (a browser's: its cookie and Origin)."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    key = base64.b64encode(os.urandom(16))
    loop = asyncio.get_running_loop()
    _, wire = await loop.create_connection(lambda: Wire(key), parts.hostname, parts.port)
    assert wire.transport is not None
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    extra = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    wire.transport.write(
        (
            f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key.decode()}\r\n"
            f"Sec-WebSocket-Version: 13\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in extra.items())
            + "\r\n"
        ).encode()
    )
    await wire.opened
    return wire
