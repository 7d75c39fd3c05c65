"""A real `accord serve` for the benchmarks: a fresh database, its members and their tokens.

`running(...)` seeds a new database (SQLite in a temporary folder, or a PostgreSQL database it
drops and creates again), starts the server on a free local port and yields what a load
generator needs: the address, the server's process id, one API token per user and the
statements, every user an editor of every statement.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app import migrate
from app.config import Settings
from app.db import make_engine
from app.models.membership import Role
from app.models.statement import StatementCreate
from app.models.user import User
from app.services import members, sessions, statements

# The database benchmarks create on a PostgreSQL server, never the one the tests use.
POSTGRES_DATABASE = "accord_bench"
DRAFT = "We agree to share what we learn, openly and in time.\n"


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:<port>
    pid: int
    tokens: list[str]  # one bearer token per user
    statement_ids: list[int]

    @property
    def ws_base(self) -> str:
        return "ws" + self.base.removeprefix("http")

    def cpu_seconds(self) -> float:
        """User plus system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int:
        """The server's resident memory, from /proc."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS for the server process")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            httpx.get(f"{base}/api/me")
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def recreate_postgres(url: str) -> None:
    """Drop and create the database named in `url`, connecting to the server's `postgres`."""
    parsed = make_url(url)
    name = parsed.database
    if not name or name in {"postgres", "test", "template0", "template1"}:
        raise SystemExit(f"refusing to recreate the database {name!r}; name a benchmark one")
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(
    settings: Settings, users: int, statement_count: int, text: str = DRAFT
) -> tuple[list[str], list[int]]:
    """Create the users (no password: they use tokens), the statements and the memberships."""
    engine = make_engine(settings)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            people = [
                User(
                    name=f"Delegate {n}",
                    organisation=f"Organisation {n}",
                    email=f"delegate-{n}@example.org",
                    password_hash="!",  # noqa: S106  (no argon2 hash: matches no password)
                )
                for n in range(users)
            ]
            session.add_all(people)
            session.flush()
            tokens = [
                sessions.create_api_token(session=session, user=person, name="bench")[1]
                for person in people
            ]
            ids = []
            for n in range(statement_count):
                statement = statements.create_statement(
                    session=session,
                    settings=settings,
                    statement_in=StatementCreate(title=f"Statement {n}", context="", text=text),
                    author=people[0],
                )
                assert statement.id is not None
                ids.append(statement.id)
                for person in people[1:]:
                    members.add_member(
                        session=session, statement_id=statement.id, user=person, role=Role.editor
                    )
            session.commit()
    finally:
        engine.dispose()
    return tokens, ids


@contextmanager
def running(
    *,
    users: int = 20,
    statements: int = 1,
    database_url: str = "",
    env: dict[str, str] | None = None,
    profile: Path | None = None,
    text: str = DRAFT,
    prepare: Callable[[Settings, list[int]], None] | None = None,
) -> Iterator[Server]:
    """Seed a fresh database and run `accord serve` on it until the block ends.

    `database_url` empty means SQLite (WAL, synchronous=FULL) in a temporary folder; a
    PostgreSQL URL names a database that is dropped and created again. `env` adds settings
    (ACCORD_...); `profile` runs the server under cProfile, writing its stats there;
    `prepare(settings, statement_ids)` runs on the seeded database before the server starts.
    """
    with tempfile.TemporaryDirectory() as data:
        if database_url:
            recreate_postgres(database_url)
        settings = Settings(data_dir=Path(data), database_url=database_url)
        tokens, ids = seed(settings, users, statements, text)
        if prepare is not None:
            prepare(settings, ids)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process_env = {
            **os.environ,
            **(env or {}),
            "ACCORD_DATA_DIR": data,
            "ACCORD_DATABASE_URL": database_url,
            "ACCORD_LOG_LEVEL": "warning",
        }
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
        if profile is not None:
            command[1:1] = ["-m", "cProfile", "-o", str(profile)]
        server = subprocess.Popen(
            command, env=process_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_until_up(base, server)
            yield Server(base=base, pid=server.pid, tokens=tokens, statement_ids=ids)
        finally:
            # SIGINT lets uvicorn shut down cleanly, so a profile is written.
            server.send_signal(2)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
