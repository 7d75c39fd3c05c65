"""Helpers for tests that speak the live editing protocol."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlmodel import Session
from starlette.testclient import WebSocketTestSession

from app.config import Settings
from app.middleware import SESSION_COOKIE
from app.models.user import User
from app.services import sessions
from tests.factories import ORIGIN

Socket = WebSocketTestSession
Connect = Callable[..., AbstractContextManager[tuple[Socket, dict[str, Any]]]]


def receive(socket: Socket, kind: str) -> dict[str, Any]:
    """The next frame of a kind, passing over presence frames."""
    while True:
        frame: dict[str, Any] = socket.receive_json()
        if frame["type"] == kind:
            return frame
        assert frame["type"] == "presence", frame


def browser_headers(session: Session, settings: Settings, user: User) -> dict[str, str]:
    """What a signed-in browser of `user`'s sends: for requests made through the same started
    client as the sockets, so that what they announce reaches them on its event loop."""
    token = sessions.start_session(session=session, settings=settings, user=user)
    session.commit()
    return {"Cookie": f"{SESSION_COOKIE}={token}", "Origin": ORIGIN}
