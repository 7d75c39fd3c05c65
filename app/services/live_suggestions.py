"""Suggestions made from the editor: the `suggest` frame, answered on the socket it came by.

Each is made or changed in a worker thread exactly as through the API
(app/services/suggestions.py), one after another for each socket, so that typing which
extends one suggestion lands in the order it was typed. The sender gets `suggested`, or an
`error` frame naming why; everyone with the statement open gets the suggestion as a live event.
"""

import asyncio
import logging
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from app.collab import protocol
from app.collab.connection import Connection
from app.collab.hub import Hub
from app.collab.protocol import SuggestFrame
from app.config import Settings
from app.errors import AccordError
from app.models.membership import ROLE_PERMISSIONS, Permission, Role
from app.models.suggestion import SuggestionCreate
from app.models.user import User
from app.services import suggestions

logger = logging.getLogger("accord.suggestions")
CODES = {403: "forbidden", 404: "not_found", 409: "conflict", 413: "too_large"}

# Each socket's suggestions are made in turn: the newest task of each, awaited by the next.
_latest: dict[int, asyncio.Task[None]] = {}


def take(
    hub: Hub, settings: Settings, connection: Connection, frame: SuggestFrame, statement_id: int
) -> None:
    """Make or change the suggestion a frame carries, after the socket's earlier ones."""
    key = id(connection)
    before = _latest.get(key)
    engine = hub.engine
    task = asyncio.create_task(
        _suggest(engine, settings, hub, connection, frame, statement_id, before)
    )
    _latest[key] = task
    task.add_done_callback(lambda done: _latest.pop(key) if _latest.get(key) is done else None)


async def _suggest(
    engine: Engine,
    settings: Settings,
    hub: Hub,
    connection: Connection,
    frame: SuggestFrame,
    statement_id: int,
    before: asyncio.Task[None] | None,
) -> None:
    if before is not None:
        await asyncio.wait([before])
    if Permission.comment not in ROLE_PERMISSIONS[Role(connection.role)]:
        message = "Viewers may read the statement but not suggest changes."
        connection.send(protocol.error("forbidden", message, ref=frame.ref))
        return
    try:
        made, created = await asyncio.to_thread(
            _made, engine, settings, statement_id, connection.user_id, frame
        )
    except AccordError as problem:
        code = CODES.get(problem.status_code, "invalid_change")
        connection.send(protocol.error(code, str(problem), ref=frame.ref))
        return
    except Exception:
        logger.exception("a suggestion could not be saved")
        message = "The suggestion could not be saved; send it again."
        connection.send(protocol.error("not_saved", message, ref=frame.ref))
        return
    connection.send(protocol.encode({"type": "suggested", "ref": frame.ref, "suggestion": made}))
    event = "suggestion.created" if created else "suggestion.updated"
    hub.announce(statement_id, event, suggestion=made)


def _made(
    engine: Engine, settings: Settings, statement_id: int, user_id: int, frame: SuggestFrame
) -> tuple[dict[str, Any], bool]:
    """The suggestion made or changed, as the API shows it, and whether it is new."""
    fields: dict[str, Any] = {"base_rev": frame.base_rev, "op": frame.op}
    if frame.reason is not None:
        fields["reason"] = frame.reason
    body = SuggestionCreate(**fields)
    with Session(engine) as session:
        author = session.get(User, user_id)
        assert author is not None
        if frame.replaces is None:
            found = suggestions.make(
                session=session,
                settings=settings,
                statement_id=statement_id,
                author=author,
                suggestion_in=body,
            )
        else:
            found = suggestions.find(
                session=session, statement_id=statement_id, suggestion_id=frame.replaces
            )
            suggestions.remake(
                session=session,
                settings=settings,
                suggestion=found,
                author=author,
                suggestion_in=body,
            )
        session.commit()
        session.refresh(found)
        shown = suggestions.public(session=session, suggestion=found)
        return shown.model_dump(mode="json"), frame.replaces is None
