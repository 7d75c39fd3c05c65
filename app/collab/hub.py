"""The rooms of this process: opened on first use, closed when the last socket or API call
using one is done. Each room has its audience, the sockets open on it here.

On PostgreSQL the hub also keeps this worker in touch with the others (app/collab/fanout.py):
it passes on its members' presence, live events and membership changes, and hands what the
others send to the rooms concerned.
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.collab import protocol
from app.collab.admission import Admission
from app.collab.audience import Audience, presence
from app.collab.change import API_CLIENT_PREFIX, Applied, Change
from app.collab.connection import Connection
from app.collab.fanout import MAX_NOTICE_BYTES, Fanout
from app.collab.members import Author, Left, Member, Selection
from app.collab.refusals import NoLongerMember, SignedOut
from app.collab.room import Event, Room
from app.models.membership import ROLE_PERMISSIONS, Membership, Permission, Role
from app.services import sessions
from app.socket_count import SocketCount

CATCH_UP_SECONDS = 5.0
CREDENTIAL_CHECK_SECONDS = 5.0  # how soon a socket closes after its sign-in ended elsewhere
log = logging.getLogger("accord.hub")


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


def _member_elsewhere(worker: str, frame: dict[str, Any], rev: int) -> Member:
    """A member of another worker's, from the presence frame it passed on."""
    selection = frame.get("selection")
    at = frame.get("rev")
    return Member(
        client_id=str(frame.get("client_id")),
        author=Author.of(frame.get("user") or {"id": 0}),
        selection=Selection(**selection) if isinstance(selection, dict) else None,
        rev=at if isinstance(at, int) else rev,
        worker=worker,
    )


class Hub:
    """The rooms of this process, each with its audience."""

    def __init__(self, engine: Engine, max_text_bytes: int) -> None:
        self.engine = engine
        self.max_text_bytes = max_text_bytes
        self.audiences: dict[int, Audience] = {}  # by statement
        self.lock = asyncio.Lock()
        self.sockets = SocketCount()
        # Changes to who may be where (memberships, sign-ins) applied so far; a socket joins
        # only if none came since it read its own (app/collab/admission.py).
        self.access_changes = 0
        self.fanout: Fanout | None = None
        self.rechecking: asyncio.Task[None] | None = None
        self.checking: asyncio.Task[None] | None = None
        # What else follows a room: called with each audience opened here, and with each live
        # event of its statement (this worker's or another's).
        self.opened: list[Callable[[Audience], None]] = []
        self.events: list[Callable[[Audience, dict[str, Any]], None]] = []

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

    def connections(self) -> list[Connection]:
        return [c for audience in self.audiences.values() for c in audience.connections]

    def signed_out(self, credential: str) -> None:
        """A session ended or a token was revoked: close the sockets it opened, everywhere."""
        self._close_signed_out({credential})
        self._publish("signed_out", None, c=credential)

    def disabled(self, user_id: int) -> None:
        """An account was disabled: close every socket it opened, everywhere."""
        self._close_user(user_id)
        self._publish("disabled", None, u=user_id)

    def _close_user(self, user_id: int) -> None:
        self._close_signed_out({c.credential for c in self.connections() if c.user_id == user_id})

    def _close_signed_out(self, ended: set[str]) -> None:
        self.access_changes += 1
        for connection in self.connections():
            if connection.credential in ended:
                connection.close(SignedOut())

    async def _check_credentials(self) -> None:
        """Close sockets whose sign-in ended some other way: it ran out, or the account was
        disabled by an operator (`accord user disable`, from another process)."""
        while True:
            await asyncio.sleep(CREDENTIAL_CHECK_SECONDS)
            credentials = {c.credential for c in self.connections()}
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
        return self.sockets.open(user_id, limit)

    def close_socket(self, user_id: int) -> None:
        self.sockets.close(user_id)

    async def _open(self, statement_id: int) -> Audience:
        """The statement's room here, opened if need be (under the lock)."""
        audience = self.audiences.get(statement_id)
        if audience is None:
            room = Room(statement_id, self.engine, self.max_text_bytes)
            await room.load()
            audience = self.audiences[statement_id] = Audience(room)
            if self.fanout is not None:
                room.subscribe(lambda event: self._share(statement_id, event))
            for opened in self.opened:
                opened(audience)
            self._publish("who", statement_id)
        return audience

    async def _catch_up(self, statement_id: int, since: int | None) -> None:
        """Let an open room read what another worker wrote up to `since`, if it has not."""
        audience = self.audiences.get(statement_id)
        if audience is not None and since is not None and since > audience.room.durable_rev:
            # Not for ever: with the database gone the client is better told what is known.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(audience.room.catch_up(), CATCH_UP_SECONDS)

    async def join(
        self,
        statement_id: int,
        connection: Connection,
        since: int | None = None,
        admission: Admission | None = None,
    ) -> Audience:
        """Join the statement's room; a client that knows revision `since` finds it there,
        if it exists (another worker may have written it a moment ago). A socket joins on its
        `admission`: if who may be where changed since it was read, it is read again, and
        AccessEnded raised if the socket may no longer be there. Raises ClientIdTaken."""
        await self._catch_up(statement_id, since)
        while True:
            async with self.lock:
                audience = await self._open(statement_id)
                try:
                    await audience.room.enter(connection.member)
                except Exception:
                    await self._close_if_empty(audience)
                    raise
                audience.add(connection)
                if admission is None or admission.seen == self.access_changes:
                    return audience
                # In the room for no await yet, so it has received nothing: out again.
                audience.remove(connection)
                audience.room.leave(connection.member, quietly=True)
                await self._close_if_empty(audience)
            admission.seen = self.access_changes
            await admission.reread(connection)

    async def leave(self, audience: Audience, connection: Connection) -> None:
        async with self.lock:
            audience.remove(connection)
            audience.room.leave(connection.member)
            await self._close_if_empty(audience)

    @contextlib.asynccontextmanager
    async def room_for_api(self, statement_id: int, since: int) -> AsyncIterator[Room]:
        """The statement's room for one API call (a whole-text save, a restore), having read
        what other workers wrote up to `since`."""
        await self._catch_up(statement_id, since)
        async with self.lock:
            audience = await self._open(statement_id)
            audience.api_calls += 1
        try:
            yield audience.room
        finally:
            async with self.lock:
                audience.api_calls -= 1
                await self._close_if_empty(audience)

    async def _close_if_empty(self, audience: Audience) -> None:
        statement_id = audience.room.statement_id
        if audience.empty() and self.audiences.get(statement_id) is audience:
            del self.audiences[statement_id]
            await audience.room.close()

    def member_changed(self, statement_id: int, user_id: int, role: Role | None) -> None:
        """Apply a role change to that member's open sockets at once, on every worker; None
        closes them."""
        self._apply_member(statement_id, user_id, role)
        self._publish("member", statement_id, u=user_id, r=role.value if role else None)

    def _apply_member(self, statement_id: int, user_id: int, role: Role | None) -> None:
        self.access_changes += 1
        audience = self.audiences.get(statement_id)
        for connection in list(audience.connections) if audience else []:
            if connection.user_id != user_id:
                continue
            if role is None:
                connection.can_edit = False  # nothing it sends before it is closed is taken
                connection.close(NoLongerMember())
            elif connection.role != role.value:
                connection.role = role.value
                connection.can_edit = Permission.edit in ROLE_PERMISSIONS[role]
                connection.send(
                    protocol.encode(
                        {"type": "event", "name": "member.role_changed", "role": role.value}
                    )
                )

    def announce(self, statement_id: int, event: str, *, here: bool = False, **data: Any) -> None:
        """Tell everyone with the statement open that something happened (a live `event`);
        `here`: only those on this worker (each worker finds it out for itself)."""
        frame = {**data, "type": "event", "name": event}
        text = protocol.encode(frame)
        audience = self.audiences.get(statement_id)
        if audience is not None:
            self._heard(audience, frame, text)
        if here:
            return
        if len(text.encode()) > MAX_NOTICE_BYTES - 200:
            # Too long for a notice: the others get what names it, and pages fetch the rest.
            frame = {key: value for key, value in frame.items() if _short(value)}
        self._publish("event", statement_id, f=frame)

    def _share(self, statement_id: int, event: Event) -> None:
        """Tell the other workers where this worker's members' carets are, or that one left."""
        if isinstance(event, Applied) or event.member.worker is not None:
            return
        frame = presence(event.member, left=type(event) is Left)
        self._publish("presence", statement_id, f=frame)

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
        audience = self.audiences.get(statement_id)
        if audience is None:
            return
        room = audience.room
        if kind == "op":
            room.overtaken(message["r"], [Change(*row) for row in message.get("c", ())])
        elif kind == "presence":
            frame = message["f"]
            if frame.get("left"):
                room.carets.left_elsewhere(str(frame.get("client_id")))
            else:
                room.carets.place_elsewhere(
                    _member_elsewhere(message["w"], frame, room.durable_rev)
                )
        elif kind == "event":
            self._heard(audience, message["f"], protocol.encode(message["f"]))
        elif kind == "who":
            for member in room.carets.here:
                self._publish("presence", statement_id, f=presence(member))

    def _heard(self, audience: Audience, frame: dict[str, Any], text: str) -> None:
        audience.broadcast(text)
        for listener in self.events:
            listener(audience, frame)

    def _resync(self) -> None:
        """Listening again: catch every room up, ask again who is where, recheck members."""
        self.access_changes += 1  # notices were missed: a socket now joining reads again
        for statement_id, audience in self.audiences.items():
            audience.room.reread()
            self._publish("who", statement_id)
        if self.audiences and (self.rechecking is None or self.rechecking.done()):
            self.rechecking = asyncio.create_task(self._recheck_members())

    async def _recheck_members(self) -> None:
        """Membership changes made while not listening: apply them to the open sockets."""
        for statement_id, audience in list(self.audiences.items()):
            while True:
                seen = self.access_changes
                people = {connection.user_id for connection in audience.connections}
                roles = await asyncio.to_thread(_roles, self.engine, statement_id, people)
                if seen == self.access_changes:
                    break  # else a change applied meanwhile may be newer than what was read
            for user_id in people:
                self._apply_member(statement_id, user_id, roles.get(user_id))

    def _gone(self, worker: str) -> None:
        for audience in self.audiences.values():
            audience.room.carets.worker_gone(worker)


def api_client_id() -> str:
    """A client id for one change made through the API: no socket may take one like it."""
    return f"{API_CLIENT_PREFIX}{uuid.uuid4().hex}"
