"""At most so many requests are served at once; the others wait their turn, in order.

Each request served holds a database connection and, for the synchronous parts, one of the
server's threads, and it passes from thread to thread (each dependency, the handler, the
clean-up). Were more requests admitted than there are connections, a crowd could take every
thread waiting for a connection while the requests holding the connections wait for a
thread: nothing would move until the pool's timeout. Admitting fewer requests than there are
connections (the rest are for the live sockets, the writer and the hub) rules that out, and
bounds the memory of the slow password hashes a crowd signing in asks for. A request that
waits past the limit is answered 503 with Retry-After, having changed nothing.

Requests that check a password (signing in, changing it, joining with a new account) have a
queue of their own, as long as the hashes worked out at once (one a core): a room signing in
together then waits there, and does not take the places of those already in, who are reading
the statement.
"""

import asyncio
import re
import weakref

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import BUSY, BUSY_RETRY_SECONDS
from app.security import HASHES_AT_ONCE

# Connections kept beyond the requests' for the live sockets' lookups, the writer and the hub.
RESERVED_CONNECTIONS = 16
ADMITTED_PATHS = ("/api/", "/s/")  # what reads the database; the pages and assets do not
UNQUEUED_PATHS = ("/api/health",)  # a load balancer's probe is answered at once


PASSWORD_PATHS = re.compile(r"^/api/(session|me/password|invitations/[^/]+/accept)$")


def pool_size(max_concurrent_requests: int) -> int:
    """How many database connections a process needs for that many requests at once."""
    return max_concurrent_requests + HASHES_AT_ONCE + RESERVED_CONNECTIONS


class Lanes:
    """The two queues of one event loop."""

    def __init__(self, limit: int) -> None:
        self.passwords = asyncio.Semaphore(HASHES_AT_ONCE)
        self.others = asyncio.Semaphore(limit)


class RequestQueueMiddleware:
    def __init__(self, app: ASGIApp, limit: int, wait_seconds: float) -> None:
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        # One pair of queues per event loop: a server has one; tests may drive an app from
        # several.
        self.lanes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Lanes] = (
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
        lanes = self.lanes.get(loop)
        if lanes is None:
            lanes = self.lanes[loop] = Lanes(self.limit)
        checks_password = scope["method"] == "POST" and PASSWORD_PATHS.match(path)
        slots = lanes.passwords if checks_password else lanes.others
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
