"""The live editing websocket: authenticate, join the statement's room, pump frames."""

import asyncio
import contextlib
import logging
import re
import time
from typing import Any

from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from app.collab import protocol
from app.collab.admission import AccessEnded, Admission
from app.collab.batching import SEND_TEXTS
from app.collab.connection import CLOSE, SIGNED_OUT, Connection
from app.collab.diffing import operation_between
from app.collab.hub import ChangeRefused, Hub, submit_whole_change
from app.collab.protocol import OpFrame, PresenceFrame
from app.collab.room import ClientIdTaken, Room
from app.config import Settings
from app.deps import (
    STATEMENT_REFUSALS,
    SettingsDep,
    WaitingEditAccess,
    bearer_token,
    credential_of,
    identify,
)
from app.errors import refusals
from app.middleware import allowed_origins, origin_of
from app.models.base import MAX_INT
from app.models.membership import Membership, Permission
from app.models.user import User
from app.services.members import find_membership, profile
from app.services.text import check_text, text_at

router = APIRouter()
log = logging.getLogger(__name__)
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SINCE = re.compile(r"^[0-9]{1,10}$")
RATE_NOTICE_SECONDS = 5.0  # a client past its rate is told at most this often
# Close codes in the private range, mirroring the HTTP answers.
UNAUTHORISED, NOT_FOUND, INVALID, TOO_MANY = 4401, 4404, 4422, 4429
_CLOSINGS = {
    CLOSE: (NOT_FOUND, "You are no longer a member."),
    SIGNED_OUT: (UNAUTHORISED, "Signed out: sign in again."),
}


def _member(
    engine: Engine, websocket: WebSocket, statement_id: int
) -> tuple[User | None, Membership | None]:
    """Who opens the socket, and their membership of the statement."""
    with Session(engine) as session:
        user = identify(session, websocket)
        if user is None:
            return None, None
        if not 0 < statement_id <= MAX_INT:
            return user, None  # no statement has such an id
        return user, find_membership(session=session, statement_id=statement_id, user_id=user.id)


def _grant(connection: Connection, user: User, membership: Membership) -> None:
    """Hold the connection to the member's role, and show them as they now appear."""
    connection.user = profile(user, membership)
    connection.role = membership.role
    connection.can_edit = membership.can(Permission.edit)


def _admission(engine: Engine, websocket: WebSocket, statement_id: int, seen: int) -> Admission:
    """Join on what was read while the hub had applied `seen` access changes; read again
    if more came before the socket is in its room."""

    async def reread(connection: Connection) -> None:
        user, membership = await asyncio.to_thread(_member, engine, websocket, statement_id)
        if user is None:
            raise AccessEnded(SIGNED_OUT)
        if membership is None:
            raise AccessEnded(CLOSE)
        _grant(connection, user, membership)

    return Admission(seen, reread)


@router.websocket("/ws/statements/{statement_id}")
async def collaborate(websocket: WebSocket, statement_id: int) -> None:
    """The live editing protocol of docs/protocol.md."""
    settings: Settings = websocket.app.state.settings
    engine: Engine = websocket.app.state.engine
    hub: Hub = websocket.app.state.hub
    if bearer_token(websocket) is None:
        origin = origin_of(websocket.headers)
        if origin is None or origin not in allowed_origins(websocket.scope, settings):
            await websocket.close(code=1008, reason="This origin may not open the statement.")
            return
    # Counted before the read: a change to who may be here that comes after is seen at entry.
    seen = hub.access_changes
    user, membership = await asyncio.to_thread(_member, engine, websocket, statement_id)
    client_id = websocket.query_params.get("client_id", "")
    since_raw = websocket.query_params.get("since")
    # Accepted first and then closed, so that a browser learns the close code and reason
    # (a refused handshake reaches page scripts only as an anonymous failure).
    await websocket.accept()
    if user is None:
        await websocket.close(code=UNAUTHORISED, reason="Sign in first.")
        return
    if membership is None:
        await websocket.close(code=NOT_FOUND, reason="No such statement among yours.")
        return
    if not CLIENT_ID.match(client_id) or (since_raw is not None and not SINCE.match(since_raw)):
        await websocket.close(code=INVALID, reason="client_id (a uuid) and since (a revision).")
        return
    if not hub.open_socket(user.id, settings.max_sockets_per_user):
        await websocket.close(
            code=TOO_MANY,
            reason=f"At most {settings.max_sockets_per_user} open connections per person.",
        )
        return
    connection = Connection(client_id, {}, "", False, credential=credential_of(websocket))
    _grant(connection, user, membership)
    admission = _admission(engine, websocket, statement_id, seen)
    try:
        await _take_part(websocket, hub, settings, statement_id, admission, connection, since_raw)
    finally:
        hub.close_socket(user.id)


async def _take_part(
    websocket: WebSocket,
    hub: Hub,
    settings: Settings,
    statement_id: int,
    admission: Admission,
    connection: Connection,
    since_raw: str | None,
) -> None:
    """Join the room, send the hello, then relay frames both ways until the socket closes."""
    since = int(since_raw) if since_raw is not None else None
    try:
        room = await hub.join(statement_id, connection, since=since, admission=admission)
    except ClientIdTaken:
        reason = "This client id carries another person's changes; open the statement afresh."
        await websocket.close(code=INVALID, reason=reason)
        return
    except AccessEnded as ended:
        code, reason = _CLOSINGS[ended.closing]
        await websocket.close(code=code, reason=reason)
        return
    # Taken with no await since joining: later changes reach this socket as broadcasts.
    rev, text = room.durable_rev, room.durable_text
    sender: asyncio.Task[None] | None = None
    # Everyone else learns at once who came in, and later who left.
    hub.presence(room, connection, rev=room.durable_rev)
    try:
        # The hello goes first; broadcasts wait in the outbox until the sender starts.
        await websocket.send_text(await _hello(room, connection, since, rev, text))
        sender = asyncio.create_task(_pump_out(websocket, connection))
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            if not await _keep_to_the_rate(websocket, connection, settings.max_frames_per_second):
                break
            if message.get("text") is None:
                connection.send(protocol.error("invalid_frame", "Frames are JSON text."))
                continue
            _handle(hub, room, connection, message["text"], settings)
    except WebSocketDisconnect:
        pass
    finally:
        if sender is not None:
            sender.cancel()
            # A sender that met the closed socket first ended with that error: either way the
            # connection still has to leave its room.
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, OSError):
                try:
                    await sender
                except Exception:
                    log.exception("a socket's sender failed")
        await hub.leave(room, connection)
        connection.selection = None
        hub.presence(room, connection, left=True)


async def _pump_out(websocket: WebSocket, connection: Connection) -> None:
    outbox = connection.outbox
    send_texts = (websocket.scope.get("extensions") or {}).get(SEND_TEXTS, {}).get("send")
    while True:
        # One wake-up sends everything queued by then (a room's batch queues several),
        # in one write to the socket where the server allows it.
        texts = await outbox.take()
        closing = None
        if CLOSE in texts or SIGNED_OUT in texts:  # two scans in C, not one in Python
            closing = next(text for text in texts if text in _CLOSINGS)
            texts = texts[: texts.index(closing)]
        if send_texts is not None and texts:
            await send_texts(texts)
        else:
            for text in texts:
                await websocket.send({"type": "websocket.send", "text": text})
        if closing is not None:
            code, reason = _CLOSINGS[closing]
            await websocket.close(code=code, reason=reason)
            return


async def _hello(room: Room, connection: Connection, since: int | None, rev: int, text: str) -> str:
    frame: dict[str, Any] = {
        "type": "hello",
        "rev": rev,
        "role": connection.role,
        "you": connection.user,
        "peers": room.peers(connection),
    }
    if since is not None and since <= rev:
        frame["ops"] = [
            {
                "rev": c.rev,
                "op": c.op,
                "author_id": c.author_id,
                "client_id": c.client_id,
                "seq": c.seq,
            }
            for c in await room.changes_after(since)
            if c.rev <= rev
        ]
    else:
        frame["text"] = text
    return protocol.encode(frame)


async def _keep_to_the_rate(
    websocket: WebSocket, connection: Connection, per_second: float
) -> bool:
    """Read a connection's frames no faster than the rate. A client past it is told (once
    every few seconds at most), and its frames wait, unread, in the server's and then its own
    network buffers, so that flooding costs the server no more than sending at the rate does.
    Nothing is dropped while the client is there; False once it has gone, leaving frames it
    sent too fast unread."""
    now = time.monotonic()
    delay = connection.wait(per_second, now)
    if not delay:
        return True
    if now - connection.told_at >= RATE_NOTICE_SECONDS:
        connection.told_at = now
        message = f"Too many frames; the rest are read at {per_second:g} a second."
        connection.send(protocol.error("rate_limited", message))
    await asyncio.sleep(delay)
    gone = (websocket.scope.get("extensions") or {}).get(SEND_TEXTS, {}).get("gone")
    return not (gone and gone())


def _handle(hub: Hub, room: Room, connection: Connection, raw: str, settings: Settings) -> None:
    max_bytes = settings.max_frame_bytes
    if len(raw.encode("utf-8", "surrogatepass")) > max_bytes:
        connection.send(protocol.error("too_large", f"A frame may hold at most {max_bytes} bytes."))
        return
    try:
        frame = protocol.INBOUND.validate_json(raw)
    except ValidationError as problem:
        connection.send(protocol.error("invalid_frame", _first_error(problem)))
        return
    if isinstance(frame, OpFrame):
        if not connection.can_edit:
            connection.send(
                protocol.error(
                    "forbidden", "Your role may read this statement but not change it.", frame.seq
                )
            )
            return
        room.submit(connection, frame)
    elif isinstance(frame, PresenceFrame):
        _presence(hub, room, connection, frame)


def _presence(hub: Hub, room: Room, connection: Connection, frame: PresenceFrame) -> None:
    # A selection too old or from the future is dropped: a later presence frame will do.
    if room.place(connection, frame.selection, frame.rev):
        hub.presence(room, connection, rev=room.durable_rev)


def _first_error(problem: ValidationError) -> str:
    first = problem.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))


class TextSave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_rev: int = Field(ge=0, le=MAX_INT, description="The revision the new text was made from")
    text: str


class TextSaved(BaseModel):
    rev: int


@router.post(
    "/api/statements/{statement_id}/text",
    response_model=TextSaved,
    tags=["text"],
    responses={**STATEMENT_REFUSALS, **refusals(400, 409, 413, 503)},
)
async def save_text(
    body: TextSave, access: WaitingEditAccess, request: Request, settings: SettingsDep
) -> TextSaved:
    """Save a whole text made on `base_rev`; it is merged with changes made since then."""
    engine: Engine = request.app.state.engine
    check_text(settings=settings, text=body.text)
    base = await asyncio.to_thread(_text_at, engine, access.statement_id, body.base_rev)
    op = await asyncio.to_thread(operation_between, base, body.text)
    user = profile(access.user, access.membership)
    hub: Hub = request.app.state.hub
    try:
        rev = await submit_whole_change(hub, access.statement_id, user, body.base_rev, op)
    except ChangeRefused as refusal:
        raise HTTPException(refusal.status, str(refusal)) from None
    return TextSaved(rev=rev)


def _text_at(engine: Engine, statement_id: int, rev: int) -> str:
    with Session(engine) as session:
        return text_at(session=session, statement_id=statement_id, rev=rev).text
