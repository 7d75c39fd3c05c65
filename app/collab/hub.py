"""The rooms of this process: opened on first join, closed when the last client leaves.

On PostgreSQL the hub also keeps this worker in touch with the others (app/collab/fanout.py):
it passes on its sockets' presence, live events and membership changes, and hands what the
others send to the rooms concerned.
"""

import asyncio
import contextlib
import json
import logging
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.collab import ops, protocol
from app.collab.admission import Admission
from app.collab.change import Change
from app.collab.connection import CLOSE, SIGNED_OUT, Connection
from app.collab.fanout import MAX_NOTICE_BYTES, Fanout
from app.collab.protocol import OpFrame
from app.collab.room import ClientIdTaken, Room
from app.models.membership import ROLE_PERMISSIONS, Membership, Permission, Role
from app.services import sessions

CATCH_UP_SECONDS = 5.0
CREDENTIAL_CHECK_SECONDS = 5.0  # how soon a socket closes after its sign-in ended elsewhere
log = logging.getLogger("accord.hub")
ERROR_STATUS = {"future_revision": 409, "too_large": 413, "not_saved": 503}


async def submit_whole_change(
    hub: "Hub", statement_id: int, user: dict[str, Any], base_rev: int, op: ops.Operation
) -> int:
    """Sequence one change from outside a socket (a whole-text save) and wait until durable.

    Returns the revision; raises ChangeRefused with the room's error code and message.
    """
    connection = Connection(client_id=f"http-{uuid.uuid4().hex}", user=user, role="", can_edit=True)
    room = await hub.join(statement_id, connection, since=base_rev)
    try:
        room.submit(connection, OpFrame(type="op", base_rev=base_rev, seq=1, op=op))
        while True:
            text = await connection.outbox.get()
            if text in (CLOSE, SIGNED_OUT):
                continue  # a socket's closing markers: this change is answered all the same
            frame = json.loads(text)
            if frame["type"] == "ack" and frame["seq"] == 1:
                return int(frame["rev"])
            if frame["type"] == "error" and frame.get("seq") == 1:
                raise ChangeRefused(frame["code"], frame["message"])
    finally:
        await hub.leave(room, connection)


def _still_signed_in(engine: Engine, credentials: set[str]) -> set[str]:
    with Session(engine) as session:
        return sessions.still_signed_in(session=session, credentials=credentials)


def _short(value: Any) -> bool:
    return isinstance(value, int | str) and len(str(value)) < 200


def _roles(engine: Engine, statement_id: int, user_ids: set[int]) -> dict[int, Role]:
    with Session(engine) as session:
        rows = session.exec(
            select(Membership).where(
                Membership.statement_id == statement_id, col(Membership.user_id).in_(user_ids)
            )
        ).all()
        return {row.user_id: Role(row.role) for row in rows}


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
        # Changes to who may be where (memberships, sign-ins) applied so far; a socket joins
        # only if none came since it read its own (app/collab/admission.py).
        self.access_changes = 0
        self.fanout: Fanout | None = None
        self.rechecking: asyncio.Task[None] | None = None
        self.checking: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Check the sockets' sign-ins now and then; on PostgreSQL, join the other workers."""
        self.checking = asyncio.create_task(self._check_credentials())
        if self.engine.dialect.name != "postgresql":
            return
        url = self.engine.url.set(drivername="postgresql")
        self.fanout = Fanout(
            url.render_as_string(hide_password=False), self._receive, self._resync, self._gone
        )
        await self.fanout.start()

    async def stop(self) -> None:
        if self.checking is not None:
            self.checking.cancel()
            await asyncio.gather(self.checking, return_exceptions=True)
        if self.fanout is not None:
            await self.fanout.stop()
            self.fanout = None

    def signed_out(self, credential: str) -> None:
        """A session ended or a token was revoked: close the sockets it opened, everywhere."""
        self._close_signed_out({credential})
        self._publish("signed_out", None, c=credential)

    def disabled(self, user_id: int) -> None:
        """An account was disabled: close every socket it opened, everywhere."""
        self._close_user(user_id)
        self._publish("disabled", None, u=user_id)

    def _close_user(self, user_id: int) -> None:
        self._close_signed_out(
            {
                c.credential
                for room in self.rooms.values()
                for c in room.connections
                if c.user["id"] == user_id
            }
        )

    def _close_signed_out(self, ended: set[str]) -> None:
        self.access_changes += 1
        for room in self.rooms.values():
            for connection in room.connections:
                if connection.credential in ended:
                    connection.send(SIGNED_OUT)

    async def _check_credentials(self) -> None:
        """Close sockets whose sign-in ended some other way: it ran out, or the account was
        disabled by an operator (`accord user disable`, from another process)."""
        while True:
            await asyncio.sleep(CREDENTIAL_CHECK_SECONDS)
            credentials = {
                c.credential for room in self.rooms.values() for c in room.connections
            } - {""}  # a whole-text save's stand-in carries none: its request was checked
            if not credentials:
                continue
            try:
                kept = await asyncio.to_thread(_still_signed_in, self.engine, credentials)
            except Exception:
                log.exception("could not check the live sockets' sign-ins")
                continue
            if credentials - kept:
                self._close_signed_out(credentials - kept)

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

    async def join(
        self,
        statement_id: int,
        connection: Connection,
        since: int | None = None,
        admission: Admission | None = None,
    ) -> Room:
        """Join the statement's room; a client that knows revision `since` finds it there,
        if it exists (another worker may have written it a moment ago). A socket joins on its
        `admission`: if who may be where changed since it was read, it is read again, and
        AccessEnded raised if the socket may no longer be there."""
        room = self.rooms.get(statement_id)
        if room is not None and since is not None and since > room.durable_rev:
            # Not for ever: with the database gone the client is better told what is known.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(room.catch_up(), CATCH_UP_SECONDS)
        while True:
            async with self.lock:
                room = self.rooms.get(statement_id)
                if room is None:
                    room = Room(statement_id, self.engine, self.max_text_bytes)
                    await room.load()
                    self.rooms[statement_id] = room
                    self._publish("who", statement_id)
                try:
                    await room.join(connection)
                except ClientIdTaken:
                    await self._close_if_empty(room)
                    raise
                if admission is None or admission.seen == self.access_changes:
                    return room
                # In the room for no await yet, so it has received nothing: out again.
                room.leave(connection)
                await self._close_if_empty(room)
            admission.seen = self.access_changes
            await admission.reread(connection)

    def member_changed(self, statement_id: int, user_id: int, role: Role | None) -> None:
        """Apply a role change to that member's open sockets at once, on every worker; None
        closes them."""
        self._apply_member(statement_id, user_id, role)
        self._publish("member", statement_id, u=user_id, r=role.value if role else None)

    def _apply_member(self, statement_id: int, user_id: int, role: Role | None) -> None:
        self.access_changes += 1
        room = self.rooms.get(statement_id)
        for connection in list(room.connections) if room else []:
            if connection.user["id"] != user_id:
                continue
            if role is None:
                connection.can_edit = False  # nothing it sends before it is closed is taken
                connection.send(CLOSE)
            elif connection.role != role.value:
                connection.role = role.value
                connection.can_edit = Permission.edit in ROLE_PERMISSIONS[role]
                connection.send(
                    protocol.encode(
                        {"type": "event", "name": "member.role_changed", "role": role.value}
                    )
                )

    def announce(self, statement_id: int, event: str, **data: Any) -> None:
        """Tell everyone with the statement open that something happened (a live `event`)."""
        frame = {**data, "type": "event", "name": event}
        text = protocol.encode(frame)
        room = self.rooms.get(statement_id)
        if room is not None:
            room.broadcast(text)
        if len(text.encode()) > MAX_NOTICE_BYTES - 200:
            # Too long for a notice: the others get what names it, and pages fetch the rest.
            frame = {key: value for key, value in frame.items() if _short(value)}
        self._publish("event", statement_id, f=frame)

    def presence(self, room: Room, connection: Connection, **more: Any) -> None:
        """Tell everyone else with the statement open where this socket's caret is, or that
        it left (`left=True`)."""
        frame = {"type": "presence", **connection.peer(), **more}
        room.broadcast(protocol.encode(frame), skip=connection)
        self._publish("presence", room.statement_id, f=frame)

    def _publish(self, kind: str, statement_id: int | None, **data: Any) -> None:
        if self.fanout is not None:
            self.fanout.publish(kind, statement_id, **data)

    def _receive(self, message: dict[str, Any]) -> None:
        """A notice of another worker's."""
        kind, statement_id = message["k"], message["s"]
        if kind == "signed_out":
            self._close_signed_out({message["c"]})
            return
        if kind == "disabled":
            self._close_user(message["u"])
            return
        if kind == "member":
            role = Role(message["r"]) if message["r"] else None
            self._apply_member(statement_id, message["u"], role)
            return
        room = self.rooms.get(statement_id)
        if room is None:
            return
        if kind == "op":
            room.overtaken(message["r"], [Change(*row) for row in message.get("c", ())])
        elif kind == "presence":
            room.remote_presence(message["w"], message["f"])
        elif kind == "event":
            room.broadcast(protocol.encode(message["f"]))
        elif kind == "who":
            for connection in room.connections:
                frame = {"type": "presence", **connection.peer(), "rev": room.durable_rev}
                self._publish("presence", statement_id, f=frame)

    def _resync(self) -> None:
        """Listening again: catch every room up, ask again who is where, recheck members."""
        self.access_changes += 1  # notices were missed: a socket now joining reads again
        for statement_id, room in self.rooms.items():
            room.reread()
            self._publish("who", statement_id)
        if self.rooms and (self.rechecking is None or self.rechecking.done()):
            self.rechecking = asyncio.create_task(self._recheck_members())

    async def _recheck_members(self) -> None:
        """Membership changes made while not listening: apply them to the open sockets."""
        for statement_id, room in list(self.rooms.items()):
            while True:
                seen = self.access_changes
                people = {connection.user["id"] for connection in room.connections}
                roles = await asyncio.to_thread(_roles, self.engine, statement_id, people)
                if seen == self.access_changes:
                    break  # else a change applied meanwhile may be newer than what was read
            for user_id in people:
                self._apply_member(statement_id, user_id, roles.get(user_id))

    def _gone(self, worker: str) -> None:
        for room in self.rooms.values():
            room.worker_gone(worker)

    async def leave(self, room: Room, connection: Connection) -> None:
        async with self.lock:
            room.leave(connection)
            await self._close_if_empty(room)

    async def _close_if_empty(self, room: Room) -> None:
        if not room.connections and self.rooms.get(room.statement_id) is room:
            del self.rooms[room.statement_id]
            await room.close()
