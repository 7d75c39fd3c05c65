"""Someone's notifications and how they like to be told; the bell's live socket."""

import asyncio

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.bell import Bell
from app.collab.hub import CREDENTIAL_CHECK_SECONDS
from app.config import Settings
from app.deps import (
    CurrentUser,
    SessionDep,
    SettingsDep,
    credential_of,
    foreign_socket,
    identify,
)
from app.errors import refusals
from app.models.base import MAX_INT
from app.models.notification import (
    Notification,
    NotificationPublic,
    Notifications,
    Preferences,
    PreferencesUpdate,
    ReadMarks,
    Unread,
)
from app.models.statement import Statement
from app.models.user import User
from app.services import notification_preferences, notifications, sessions

router = APIRouter(tags=["notifications"])


def _public(session: Session, rows: list[Notification]) -> list[NotificationPublic]:
    actors = {row.actor_id for row in rows if row.actor_id is not None}
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(actors))).all())
    ids = {row.statement_id for row in rows if row.statement_id is not None}
    titled = select(Statement.id, Statement.title).where(col(Statement.id).in_(ids))
    titles = dict(session.exec(titled).all())
    return [
        NotificationPublic(
            id=row.id,
            kind=row.kind,
            title=row.title,
            body=row.body,
            path=row.path,
            statement_id=row.statement_id,
            statement_title=titles.get(row.statement_id or 0),
            actor=names.get(row.actor_id or 0),
            created_at=row.created_at,
            read_at=row.read_at,
        )
        for row in rows
    ]


@router.get("/api/notifications", response_model=Notifications, responses=refusals(401, 422))
def list_notifications(
    user: CurrentUser,
    session: SessionDep,
    limit: int = Query(default=20, ge=1, le=100),
    before: int | None = Query(default=None, ge=1, le=MAX_INT),
    unread: bool = Query(default=False, description="Only the unread ones"),
) -> Notifications:
    """The newest notifications first (`before`, an id, pages back); `count` is how many are
    unread in all."""
    rows = notifications.listing(
        session, user_id=user.id, before=before, limit=limit, unread_only=unread
    )
    return Notifications(data=_public(session, rows), count=notifications.unread(session, user.id))


@router.post(
    "/api/notifications/read", response_model=Unread, responses=refusals(400, 401, 413, 422)
)
async def mark_read(body: ReadMarks, user: CurrentUser, request: Request) -> Unread:
    """Mark some notifications read (`ids`), or all of them; answers how many stay unread."""
    engine: Engine = request.app.state.engine

    def mark() -> int:
        with Session(engine) as session:
            notifications.mark_read(session, user_id=user.id, ids=body.ids)
            session.commit()
            return notifications.unread(session, user.id)

    count = await asyncio.to_thread(mark)
    bell: Bell = request.app.state.bell
    await bell.ring(user.id)
    return Unread(count=count)


@router.get("/api/account/notifications", response_model=Preferences, responses=refusals(401))
def get_preferences(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> Preferences:
    """How you are told of each kind of news, and when your daily digest goes out."""
    return notification_preferences.preferences(
        session, user_id=user.id, mail=bool(settings.smtp_url)
    )


@router.put(
    "/api/account/notifications",
    response_model=Preferences,
    responses=refusals(400, 401, 413, 422),
)
def change_preferences(
    body: PreferencesUpdate, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> Preferences:
    """Choose, per kind, an email at once (`now`), the daily `digest`, or `off` (the app still
    shows it); and the hour and time zone of the digest."""
    notification_preferences.change(session, user_id=user.id, change=body)
    session.commit()
    return notification_preferences.preferences(
        session, user_id=user.id, mail=bool(settings.smtp_url)
    )


def _who(engine: Engine, websocket: WebSocket) -> int | None:
    with Session(engine) as session:
        user = identify(session, websocket)
        return user.id if user is not None and not user.disabled else None


@router.websocket("/ws/notifications")
async def bell_socket(websocket: WebSocket) -> None:
    """Sends `{"type": "unread", "count": N}` on opening and whenever it may have changed."""
    settings: Settings = websocket.app.state.settings
    engine: Engine = websocket.app.state.engine
    bell: Bell = websocket.app.state.bell
    if foreign_socket(websocket, settings):
        await websocket.close(code=1008, reason="This origin may not open the socket.")
        return
    user_id = await asyncio.to_thread(_who, engine, websocket)
    await websocket.accept()
    if user_id is None:
        await websocket.close(code=4401, reason="Sign in first.")
        return
    if not bell.sockets.open(user_id, settings.max_sockets_per_user):
        limit = settings.max_sockets_per_user
        await websocket.close(code=4429, reason=f"At most {limit} open bells per person.")
        return
    try:
        await _ring(websocket, bell, engine, user_id)
    finally:
        bell.sockets.close(user_id)


async def _ring(websocket: WebSocket, bell: Bell, engine: Engine, user_id: int) -> None:
    counts: asyncio.Queue[int] = asyncio.Queue()
    loop = asyncio.get_running_loop()  # the bell may ring from another (as tests run apps)

    def told(count: int) -> None:
        loop.call_soon_threadsafe(counts.put_nowait, count)

    stop = bell.listen(user_id, told)
    try:
        await counts.put(await bell.count(user_id))
        sending = asyncio.create_task(_send(websocket, counts, engine, credential_of(websocket)))
        try:
            while True:
                await websocket.receive_text()  # nothing is expected; this notices the close
        except WebSocketDisconnect:
            pass
        finally:
            sending.cancel()
    finally:
        stop()


def _signed_in(engine: Engine, credential: str) -> bool:
    with Session(engine) as session:
        return bool(sessions.still_signed_in(session=session, credentials={credential}))


async def _send(
    websocket: WebSocket, counts: "asyncio.Queue[int]", engine: Engine, credential: str
) -> None:
    """Send each count; close once the sign-in that opened the socket has ended."""
    while True:
        try:
            async with asyncio.timeout(CREDENTIAL_CHECK_SECONDS):
                count = await counts.get()
        except TimeoutError:
            if not await asyncio.to_thread(_signed_in, engine, credential):
                await websocket.close(code=4401, reason="Signed out.")
                return
            continue
        await websocket.send_json({"type": "unread", "count": count})
