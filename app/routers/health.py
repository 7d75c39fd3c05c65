"""Whether this worker can serve: for load balancers and container health checks."""

import asyncio
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy import Engine, text

from app.collab.hub import Hub

router = APIRouter(prefix="/api", tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    database: str  # sqlite or postgresql
    workers_channel: Literal["listening", "reconnecting", "none"]


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"description": "The database does not answer"}},
)
async def health(request: Request) -> Health:
    """Answers 200 while this worker reaches its database; asks for no sign-in."""
    engine: Engine = request.app.state.engine
    try:
        await asyncio.wait_for(asyncio.to_thread(_ping, engine), 5)
    except Exception:
        raise HTTPException(503, "The database does not answer.") from None
    hub: Hub = request.app.state.hub
    channel: Literal["listening", "reconnecting", "none"] = "none"
    if hub.fanout is not None:
        channel = "listening" if hub.fanout.listening.is_set() else "reconnecting"
    return Health(status="ok", database=engine.dialect.name, workers_channel=channel)


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
