"""The live-socket fixtures of the protocol tests, for fuzzing the same sockets."""

from tests.collab.conftest import connect, room

__all__ = ["connect", "room"]
