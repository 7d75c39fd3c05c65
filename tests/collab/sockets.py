"""Helpers for tests that speak the live editing protocol."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from starlette.testclient import WebSocketTestSession

Socket = WebSocketTestSession
Connect = Callable[..., AbstractContextManager[tuple[Socket, dict[str, Any]]]]


def receive(socket: Socket, kind: str) -> dict[str, Any]:
    """The next frame of a kind, passing over presence frames."""
    while True:
        frame: dict[str, Any] = socket.receive_json()
        if frame["type"] == kind:
            return frame
        assert frame["type"] == "presence", frame
