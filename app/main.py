"""The application: create_app() wires settings, database, middleware, routes and pages."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from app import migrate
from app.allocator import limit_arenas
from app.bell import Bell
from app.collab.hub import Hub
from app.config import Settings, get_settings
from app.db import check_durability, make_engine
from app.errors import install_error_handlers
from app.middleware import (
    BodyLimitMiddleware,
    NestingLimitMiddleware,
    OriginCheckMiddleware,
    SecurityHeadersMiddleware,
    StorableTextMiddleware,
)
from app.request_queue import RequestQueueMiddleware
from app.routers import (
    account,
    api_docs,
    cockpit,
    collab,
    comments,
    consent,
    diffs,
    health,
    invitations,
    members,
    notifications,
    pages,
    publications,
    reviews,
    sections,
    statements,
    suggestion_threads,
    suggestion_votes,
    suggestions,
    unsubscribe,
    users,
    version_suggestions,
    versions,
)
from app.services import notifications as telling
from app.services import section_guard, suggestion_watch


def _check_database(settings: Settings) -> None:
    engine = make_engine(settings)
    try:
        check_durability(engine)
        migrate.check_current(engine)
    finally:
        engine.dispose()


def _freeze_start_up() -> None:
    """What start-up built lives as long as the process: keep it out of the collector's full
    passes, which would otherwise stall the live sockets for tens of milliseconds. Once per
    process (a process serving one app), not again for every app a test starts."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the Accord application for `settings` (default: from the environment)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limit_arenas()  # before the threads that do the database work first allocate
        await run_in_threadpool(_check_database, settings)
        app.state.engine = make_engine(settings)
        app.state.hub = Hub(app.state.engine, settings.max_text_bytes)
        suggestion_watch.follow_rooms(app.state.hub)
        section_guard.guard_rooms(app.state.hub)
        await app.state.hub.start()
        telling.configure(app.state.engine, site=settings.public_url, mail=bool(settings.smtp_url))
        app.state.bell = Bell(app.state.engine)
        await app.state.bell.start()
        _freeze_start_up()
        try:
            yield
        finally:
            await app.state.bell.stop()
            await app.state.hub.stop()
            app.state.engine.dispose()

    app = FastAPI(
        title="Accord",
        summary="Co-write one statement and agree on it.",
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's own docs pages load their scripts from a CDN and start them inline; ours
        # (app/routers/api_docs.py) serve packaged assets and start them from a file.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    _route(app)
    _add_middleware(app, settings)
    return app


def _route(app: FastAPI) -> None:
    for router in (
        health.router,
        account.router,
        statements.router,
        members.router,
        invitations.router,
        versions.router,
        diffs.router,
        comments.router,
        reviews.router,
        consent.router,
        cockpit.router,
        sections.router,
        publications.router,
        suggestions.router,
        suggestion_votes.router,
        suggestion_threads.router,
        version_suggestions.router,
        users.router,
        notifications.router,
    ):
        app.include_router(router)
    app.include_router(collab.router)
    app.include_router(pages.router)
    app.include_router(api_docs.router)
    app.mount(api_docs.ASSETS_URL, api_docs.assets(), name="api-docs-assets")
    app.include_router(publications.pages)
    app.include_router(unsubscribe.router)
    app.mount("/static", StaticFiles(directory=pages.FRONTEND), name="static")


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    # Added last runs first: size limit, then the Origin check, then headers on every answer,
    # then how deep the body nests (before anything parses it), then text no database keeps,
    # and last the wait for a turn to be served.
    app.add_middleware(
        RequestQueueMiddleware,
        limit=settings.max_concurrent_requests,
        wait_seconds=settings.queue_wait_seconds,
    )
    app.add_middleware(StorableTextMiddleware)
    app.add_middleware(NestingLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(OriginCheckMiddleware, settings=settings)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
