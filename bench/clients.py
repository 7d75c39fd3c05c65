"""What the websocket load generators share: opening a socket, the start of a run, and
spreading the clients over worker processes when one process cannot keep up."""

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from websockets.asyncio.client import ClientConnection, connect

T = TypeVar("T")


async def open_socket(
    ws_base: str, statement_id: int, token: str, *, deflate: bool = True, client_id: str = ""
) -> tuple[ClientConnection, dict[str, Any]]:
    """Open a live-editing socket as the token's user; return it and its hello frame.

    With `deflate` the client offers permessage-deflate, as browsers do.
    """
    socket = await connect(
        f"{ws_base}/ws/statements/{statement_id}?client_id={client_id or uuid.uuid4().hex}",
        additional_headers={"Authorization": f"Bearer {token}"},
        compression="deflate" if deflate else None,
        max_queue=None,
        ping_interval=None,
        open_timeout=120,
    )
    hello: dict[str, Any] = json.loads(await socket.recv())
    return socket, hello


async def sleep_until(moment: float) -> None:
    """Wait for a moment on the system-wide monotonic clock (the same in every process)."""
    await asyncio.sleep(max(0.0, moment - time.monotonic()))


def spread(work: Callable[..., T], jobs: list[tuple[Any, ...]]) -> list[T]:
    """Run `work(*job)` for each job, each in its own process, and gather the results."""
    if len(jobs) == 1:
        return [work(*jobs[0])]
    with ProcessPoolExecutor(len(jobs)) as pool:
        futures = [pool.submit(work, *job) for job in jobs]
        return [future.result() for future in futures]


def split(items: list[T], parts: int) -> list[list[T]]:
    """`items` dealt round-robin into `parts` lists."""
    return [items[n::parts] for n in range(parts)]
