"""Heartbeats: a connection that stops answering pings is closed and leaves its room."""

import asyncio
import base64
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from uvicorn.protocols.utils import ClientDisconnected
from websockets.asyncio.client import connect

from app.collab.batching import BatchingWebSocketProtocol
from tests.collab.live import ServerProcess, make_team, start_statement

PING_SECONDS = 0.4


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path, settings={"ACCORD_PING_SECONDS": str(PING_SECONDS)})
    process.start()
    try:
        yield process
    finally:
        process.stop()


async def _silent_socket(
    server: ServerProcess, statement_id: int, token: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A websocket handshake by hand, after which this side never reads nor answers a ping,
    like a laptop whose lid was closed mid-session."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws/statements/{statement_id}?client_id=silent HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status = await reader.readline()
    assert b" 101 " in status, status
    return reader, writer


async def _watch(server: ServerProcess, statement_id: int, token: str) -> list[str]:
    url = f"{server.ws_url}/ws/statements/{statement_id}?client_id=watcher"
    seen: list[str] = []
    async with connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as watcher:
        assert json.loads(await watcher.recv())["type"] == "hello"
        _, silent = await _silent_socket(server, statement_id, token)
        started = time.monotonic()
        while time.monotonic() - started < 10:
            frame = json.loads(await asyncio.wait_for(watcher.recv(), 10))
            if frame["type"] == "presence" and frame["client_id"] == "silent":
                seen.append("left" if frame.get("left") else "arrived")
                if frame.get("left"):
                    seen.append(f"after {time.monotonic() - started:.1f} s")
                    break
        # The watcher answered every ping meanwhile, so it is still connected.
        await asyncio.sleep(3 * PING_SECONDS)
        await watcher.ping()
        silent.close()
    return seen


def test_connection_that_stops_answering_is_closed(server: ServerProcess) -> None:
    team = make_team(server, editors=0)
    statement_id = start_statement(server, team, "Draft")

    seen = asyncio.run(_watch(server, statement_id, team.facilitator_token))

    assert seen[:2] == ["arrived", "left"], seen
    waited = float(seen[2].split()[1])
    assert waited < 4 * PING_SECONDS + 1, seen


def test_sending_after_the_server_closed_is_a_disconnect() -> None:
    """A frame for a socket the server has closed (its pings unanswered, say) but whose
    client has not yet gone is a disconnect to the app, not an error of its own."""
    protocol = BatchingWebSocketProtocol.__new__(BatchingWebSocketProtocol)
    protocol.close_sent = True
    protocol.handshake_complete = True
    with pytest.raises(ClientDisconnected):
        asyncio.run(protocol.send_texts(["a change"]))
