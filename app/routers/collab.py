"""The live editing websocket: authenticate, join the statement's room, pump frames."""

import asyncio
import contextlib
import logging
import re
import time
from typing import Any

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from app.collab import protocol
from app.collab.admission import Admission
from app.collab.answers import close_code, close_reason, http_error
from app.collab.audience import Audience, peer
from app.collab.batching import SEND_TEXTS
from app.collab.change import API_CLIENT_PREFIX, Sent
from app.collab.connection import Connection
from app.collab.diffing import operation_between
from app.collab.hub import Hub, api_client_id
from app.collab.members import Author, Member, Selection
from app.collab.protocol import OpFrame, PresenceFrame, SuggestFrame
from app.collab.refusals import AccessEnded, ClientIdTaken, NoLongerMember, Refusal, SignedOut
from app.config import Settings
from app.deps import (
    STATEMENT_REFUSALS,
    SettingsDep,
    WaitingEditAccess,
    credential_of,
    foreign_socket,
    identify,
)
from app.errors import Invalid, NotFound, RateLimited, Unauthorized, refusals
from app.models.base import MAX_INT
from app.models.membership import Membership, Permission
from app.models.user import User
from app.services import live_suggestions
from app.services.members import find_membership, profile
from app.services.text import check_text, text_at

router = APIRouter()
log = logging.getLogger(__name__)
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SINCE = re.compile(r"^[0-9]{1,10}$")
RATE_NOTICE_SECONDS = 5.0  # a client past its rate is told at most this often


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
    connection.member.author = Author.of(profile(user, membership))
    connection.role = membership.role
    connection.can_edit = membership.can(Permission.edit)


def _admission(engine: Engine, websocket: WebSocket, statement_id: int, seen: int) -> Admission:
    """Join on what was read while the hub had applied `seen` access changes; read again
    if more came before the socket is in its room."""

    async def reread(connection: Connection) -> None:
        user, membership = await asyncio.to_thread(_member, engine, websocket, statement_id)
        if user is None:
            raise SignedOut()
        if membership is None:
            raise NoLongerMember()
        _grant(connection, user, membership)

    return Admission(seen, reread)


@router.websocket("/ws/statements/{statement_id}")
async def collaborate(websocket: WebSocket, statement_id: int) -> None:
    """The live editing protocol of docs/protocol.md."""
    settings: Settings = websocket.app.state.settings
    engine: Engine = websocket.app.state.engine
    hub: Hub = websocket.app.state.hub
    if foreign_socket(websocket, settings):
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
    refusal = _refusal(user, membership, client_id, since_raw)
    if refusal is None and user is not None:
        limit = settings.max_sockets_per_user
        if not hub.open_socket(user.id, limit):
            refusal = RateLimited(f"At most {limit} open connections per person.", 0)
    if refusal is not None or user is None or membership is None:
        await _close(websocket, refusal or Unauthorized("Sign in first."))
        return
    member = Member(client_id, Author.of(profile(user, membership)))
    can_edit = membership.can(Permission.edit)
    connection = Connection(member, membership.role, can_edit, credential_of(websocket))
    admission = _admission(engine, websocket, statement_id, seen)
    try:
        await _take_part(websocket, hub, settings, statement_id, admission, connection, since_raw)
    finally:
        hub.close_socket(user.id)


def _refusal(
    user: User | None, membership: Membership | None, client_id: str, since_raw: str | None
) -> Exception | None:
    """Why the socket may not open, if it may not."""
    if user is None:
        return Unauthorized("Sign in first.")
    if membership is None:
        return NotFound("No such statement among yours.")
    if (
        not CLIENT_ID.match(client_id)
        or client_id.startswith(API_CLIENT_PREFIX)
        or (since_raw is not None and not SINCE.match(since_raw))
    ):
        return Invalid("client_id (a uuid) and since (a revision).")
    return None


async def _close(websocket: WebSocket, problem: Exception) -> None:
    """Close a socket for a refusal, with its code and a reason to show."""
    if isinstance(problem, AccessEnded):
        reason = close_reason(problem)
    elif isinstance(problem, ClientIdTaken):
        reason = "This client id carries another person's changes; open the statement afresh."
    else:
        reason = str(problem)
    await websocket.close(code=close_code(problem), reason=reason)


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
        audience = await hub.join(statement_id, connection, since=since, admission=admission)
    except (ClientIdTaken, AccessEnded) as refusal:
        await _close(websocket, refusal)
        return
    room = audience.room
    # Taken with no await since joining: later changes reach this socket as events.
    rev, text = room.durable_rev, room.durable_text
    sender: asyncio.Task[None] | None = None
    # Everyone else learns at once who came in, and later who left.
    room.place(connection.member, None, rev)
    try:
        # The hello goes first; what is published meanwhile waits in the outbox.
        await websocket.send_text(await _hello(audience, connection, since, rev, text))
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
            _handle(hub, audience, connection, message["text"], settings)
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
        await hub.leave(audience, connection)


async def _pump_out(websocket: WebSocket, connection: Connection) -> None:
    outbox = connection.outbox
    send_texts = (websocket.scope.get("extensions") or {}).get(SEND_TEXTS, {}).get("send")
    while True:
        # One wake-up sends everything queued by then (a room's batch queues several),
        # in one write to the socket where the server allows it.
        texts = await outbox.take()
        if send_texts is not None and texts:
            await send_texts(texts)
        else:
            for text in texts:
                await websocket.send({"type": "websocket.send", "text": text})
        if outbox.closing is not None:
            await _close(websocket, outbox.closing)
            return


async def _hello(
    audience: Audience, connection: Connection, since: int | None, rev: int, text: str
) -> str:
    room = audience.room
    frame: dict[str, Any] = {
        "type": "hello",
        "rev": rev,
        "role": connection.role,
        "you": connection.member.author.public(),
        "peers": [peer(member) for member in room.peers(connection.member)],
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


def _handle(
    hub: Hub, audience: Audience, connection: Connection, raw: str, settings: Settings
) -> None:
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
        audience.offer(connection, frame.base_rev, frame.seq, frame.op)
    elif isinstance(frame, PresenceFrame):
        # A selection too old or from the future is dropped: a later presence frame will do.
        selection = frame.selection
        placed = Selection(selection.anchor, selection.head) if selection else None
        audience.room.place(connection.member, placed, frame.rev)
    elif isinstance(frame, SuggestFrame):
        live_suggestions.take(hub, settings, connection, frame, audience.room.statement_id)


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
    author = Author.of(profile(access.user, access.membership))
    hub: Hub = request.app.state.hub
    async with hub.room_for_api(access.statement_id, body.base_rev) as room:
        try:
            applied = await room.submit(author, api_client_id(), 1, Sent(body.base_rev, op))
        except Refusal as refusal:
            raise http_error(refusal) from None
    return TextSaved(rev=applied.change.rev)


def _text_at(engine: Engine, statement_id: int, rev: int) -> str:
    with Session(engine) as session:
        return text_at(session=session, statement_id=statement_id, rev=rev).text
