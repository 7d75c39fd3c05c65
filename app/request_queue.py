"""At most so many requests are served at once; the others wait their turn, in order.

Each request served holds a database connection and, for the synchronous parts, one of the
server's threads, and it passes from thread to thread (each dependency, the handler, the
clean-up). Were more requests admitted than there are connections, a crowd could take every
thread waiting for a connection while the requests holding the connections wait for a
thread: nothing would move until the pool's timeout. Admitting fewer requests than there are
connections (the rest are for the live sockets, the writer and the hub) rules that out, and
bounds the memory of the slow password hashes a crowd signing in asks for. A request that
waits past the limit is answered 503 with Retry-After, having changed nothing.
"""

import asyncio
import weakref

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import BUSY, BUSY_RETRY_SECONDS

# Connections kept beyond the requests' for the live sockets' lookups, the writer and the hub.
RESERVED_CONNECTIONS = 16
ADMITTED_PATHS = ("/api/", "/s/")  # what reads the database; the pages and assets do not
UNQUEUED_PATHS = ("/api/health",)  # a load balancer's probe is answered at once


def pool_size(max_concurrent_requests: int) -> int:
    """How many database connections a process needs for that many requests at once."""
    return max_concurrent_requests + RESERVED_CONNECTIONS


class RequestQueueMiddleware:
    def __init__(self, app: ASGIApp, limit: int, wait_seconds: float) -> None:
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        # One queue per event loop: a server has one; tests may drive an app from several.
        self.slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith(ADMITTED_PATHS)
            or path.startswith(UNQUEUED_PATHS)
        ):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        slots = self.slots.get(loop)
        if slots is None:
            slots = self.slots[loop] = asyncio.Semaphore(self.limit)
        try:
            await asyncio.wait_for(slots.acquire(), self.wait_seconds)
        except TimeoutError:
            answer = JSONResponse(
                {"detail": BUSY},
                status_code=503,
                headers={"Retry-After": str(BUSY_RETRY_SECONDS)},
            )
            await answer(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()
