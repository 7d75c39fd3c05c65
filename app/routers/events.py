"""Live events from the routes that run in a worker thread: what a committed change tells the
pages that have its statement open."""

from typing import Any

from anyio import from_thread
from fastapi import Request

from app.collab.hub import Hub


def announce(request: Request, statement_id: int, event: str, **data: Any) -> None:
    """Tell the open pages of `statement_id`, on the live rooms' event loop; call it once the
    change is committed, from a route that runs in a worker thread."""
    hub: Hub = request.app.state.hub
    from_thread.run_sync(lambda: hub.announce(statement_id, event, **data))
