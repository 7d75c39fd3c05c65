"""The rooms of this process: opened on first join, closed when the last client leaves."""

import asyncio
import json
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import Engine

from app.collab import ops, protocol
from app.collab.protocol import OpFrame
from app.collab.room import CLOSE, Connection, Room
from app.models.membership import ROLE_PERMISSIONS, Permission, Role

ERROR_STATUS = {"future_revision": 409, "too_large": 413, "not_saved": 503}


async def submit_whole_change(
    hub: "Hub", statement_id: int, user: dict[str, Any], base_rev: int, op: ops.Operation
) -> int:
    """Sequence one change from outside a socket (a whole-text save) and wait until durable.

    Returns the revision; raises ChangeRefused with the room's error code and message.
    """
    connection = Connection(client_id=f"http-{uuid.uuid4().hex}", user=user, role="", can_edit=True)
    room = await hub.join(statement_id, connection)
    try:
        room.submit(connection, OpFrame(type="op", base_rev=base_rev, seq=1, op=op))
        while True:
            frame = json.loads(await connection.outbox.get())
            if frame["type"] == "ack" and frame["seq"] == 1:
                return int(frame["rev"])
            if frame["type"] == "error" and frame.get("seq") == 1:
                raise ChangeRefused(frame["code"], frame["message"])
    finally:
        await hub.leave(room, connection)


class ChangeRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = ERROR_STATUS.get(code, 422)


class Hub:
    """The rooms of this process, created on first join and closed when the last one leaves."""

    def __init__(self, engine: Engine, max_text_bytes: int) -> None:
        self.engine = engine
        self.max_text_bytes = max_text_bytes
        self.rooms: dict[int, Room] = {}
        self.lock = asyncio.Lock()
        self.sockets: Counter[int] = Counter()  # open sockets per user id

    def open_socket(self, user_id: int, limit: int) -> bool:
        """Count one more socket for a person, unless they already hold `limit` of them."""
        if self.sockets[user_id] >= limit:
            return False
        self.sockets[user_id] += 1
        return True

    def close_socket(self, user_id: int) -> None:
        self.sockets[user_id] -= 1
        if self.sockets[user_id] <= 0:
            del self.sockets[user_id]

    async def join(self, statement_id: int, connection: Connection) -> Room:
        async with self.lock:
            room = self.rooms.get(statement_id)
            if room is None:
                room = Room(statement_id, self.engine, self.max_text_bytes)
                await room.load()
                self.rooms[statement_id] = room
            await room.join(connection)
            return room

    def member_changed(self, statement_id: int, user_id: int, role: Role | None) -> None:
        """Apply a role change to that member's open sockets at once; None closes them."""
        room = self.rooms.get(statement_id)
        for connection in list(room.connections) if room else []:
            if connection.user["id"] != user_id:
                continue
            if role is None:
                connection.send(CLOSE)
            else:
                connection.role = role.value
                connection.can_edit = Permission.edit in ROLE_PERMISSIONS[role]
                connection.send(
                    protocol.encode(
                        {"type": "event", "name": "member.role_changed", "role": role.value}
                    )
                )

    def announce(self, statement_id: int, event: str, **data: Any) -> None:
        """Tell everyone with the statement open that something happened (a live `event`)."""
        room = self.rooms.get(statement_id)
        if room is not None:
            room.broadcast(protocol.encode({**data, "type": "event", "name": event}))

    async def leave(self, room: Room, connection: Connection) -> None:
        async with self.lock:
            room.leave(connection)
            if not room.connections and self.rooms.get(room.statement_id) is room:
                del self.rooms[room.statement_id]
                await room.close()
