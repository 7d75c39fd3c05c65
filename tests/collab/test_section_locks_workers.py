"""A section locked through one worker is locked on the other: its sockets' edits inside it
are refused there too, edits around it go in, and unlocking on the other worker frees it."""

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.collab.live import ServerProcess
from tests.collab.suggesting import Cast, call, head, make_cast, start_statement
from tests.conftest import fresh_database, own_name

pytestmark = pytest.mark.postgres
TEXT = "We agree.\n\n## Trust\nWe trust each other.\n\n## Resources\nMoney.\n"
WAIT = 20.0


@pytest.fixture(scope="module")
def pair(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[ServerProcess]]:
    database = fresh_database(postgres_url, own_name("accord_lock_workers"))
    servers = [
        ServerProcess(tmp_path_factory.mktemp(name), settings={"ACCORD_DATABASE_URL": database})
        for name in ("first", "second")
    ]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


async def _open(server: ServerProcess, token: str, sid: int) -> tuple[ClientConnection, int]:
    socket = await connect(
        f"{server.ws_url}/ws/statements/{sid}?client_id={uuid.uuid4().hex}",
        additional_headers={"Authorization": f"Bearer {token}"},
        proxy=None,
    )
    hello = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
    return socket, int(hello["rev"])


async def _frame(socket: ClientConnection, kind: str, **fields: Any) -> dict[str, Any]:
    """The next frame of `kind` with those fields, passing over the others."""
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
        if frame["type"] == kind and all(frame.get(k) == v for k, v in fields.items()):
            return frame


def _insert(text: str, place: int, words: str) -> list[Any]:
    return [n for n in (place, words, len(text) - place) if n]


def test_a_lock_taken_on_one_worker_holds_on_the_other(pair: list[ServerProcess]) -> None:
    first, second = pair
    cast: Cast = make_cast(first)
    sid = start_statement(first, cast, TEXT)

    async def scenario() -> None:
        socket, rev = await _open(second, cast.ben.token, sid)
        try:
            locked = await asyncio.to_thread(
                call, first, cast.fatima, "POST", f"{sid}/sections/trust/lock"
            )
            assert locked.status_code == 200, locked.text
            await _frame(socket, "event", name="section.locked", section="trust")
            inside = _insert(TEXT, TEXT.index("each"), "all ")
            await socket.send(json.dumps({"type": "op", "base_rev": rev, "seq": 1, "op": inside}))
            refused = await _frame(socket, "error", seq=1)
            assert refused["code"] == "section_locked"
            around = _insert(TEXT, len(TEXT), "\n## Culture\nPeople.\n")
            await socket.send(json.dumps({"type": "op", "base_rev": rev, "seq": 2, "op": around}))
            assert (await _frame(socket, "ack", seq=2))["rev"] == rev + 1
            unlocked = await asyncio.to_thread(
                call, second, cast.fatima, "POST", f"{sid}/sections/trust/unlock"
            )
            assert unlocked.status_code == 200, unlocked.text
            await _frame(socket, "event", name="section.unlocked", section="trust")
            await socket.send(json.dumps({"type": "op", "base_rev": rev, "seq": 3, "op": inside}))
            await _frame(socket, "ack", seq=3)
        finally:
            await socket.close()

    asyncio.run(scenario())
    expected = TEXT.replace("each other", "all each other") + "\n## Culture\nPeople.\n"
    assert head(first, cast.fatima, sid)[1] == expected
