"""Database engine, per-request sessions and the durability guarantees Accord relies on."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, event, text
from sqlmodel import Session, create_engine

from app import write_turns
from app.config import Settings
from app.request_queue import pool_size

SQLITE_BUSY_TIMEOUT_MS = 5000


class DurabilityError(RuntimeError):
    """The database would acknowledge writes it could lose in a crash."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL with synchronous=FULL makes every commit durable before it returns.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(settings: Settings) -> Engine:
    """Create the engine for the configured database."""
    url = settings.effective_database_url
    if settings.is_sqlite:
        path = url.removeprefix("sqlite:///")
        in_file = bool(path) and path != url and path != ":memory:"
        if in_file:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        # A file has a pool of connections; a database in memory, one (which Accord refuses).
        pool = (
            {
                "pool_size": 10,
                "max_overflow": pool_size(settings.max_concurrent_requests) - 10,
                "pool_timeout": settings.queue_wait_seconds,
            }
            if in_file
            else {}
        )
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                "factory": write_turns.connection_class(settings.queue_wait_seconds),
            },
            **pool,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "before_cursor_execute", write_turns.before_execute)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=pool_size(settings.max_concurrent_requests) - 10,
        # A request waits this long for a connection before it is answered 503.
        pool_timeout=settings.queue_wait_seconds,
        connect_args={"options": "-c synchronous_commit=on"},
    )


def check_durability(engine: Engine) -> None:
    """Refuse a database whose settings could lose an acknowledged change."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            mode = connection.execute(text("PRAGMA journal_mode")).scalar()
            sync = connection.execute(text("PRAGMA synchronous")).scalar()
            keys = connection.execute(text("PRAGMA foreign_keys")).scalar()
            if str(mode).lower() != "wal":
                raise DurabilityError(
                    f"SQLite runs in journal mode {mode!r}; Accord needs a database file "
                    "in WAL mode."
                )
            if int(sync or 0) < 2:
                raise DurabilityError("SQLite synchronous is below FULL; commits could be lost.")
            if int(keys or 0) != 1:
                raise DurabilityError("SQLite foreign keys are off.")
            return
        for name, weak in (
            ("fsync", {"off"}),
            ("synchronous_commit", {"off"}),
            ("full_page_writes", {"off"}),
        ):
            value = connection.execute(text(f"SHOW {name}")).scalar()
            if str(value).lower() in weak:
                raise DurabilityError(
                    f"PostgreSQL runs with {name}={value}; Accord needs it on so that "
                    "acknowledged changes survive a crash."
                )


def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield one session for a unit of work and close it afterwards."""
    with Session(engine) as session:
        yield session


def release_connection(session: Session) -> None:
    """End the session's transaction so that its connection goes back to the pool while slow
    work is done (a password hash, a wait on the live room). What the session loaded stays
    attached and readable; its next statement takes a connection again."""
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
