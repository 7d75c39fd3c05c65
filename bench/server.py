"""A real `accord serve` for the benchmarks: a fresh database, its members and their tokens.

`running(...)` seeds a new database (bench/database.py), starts the server on a free local
port and yields what a load generator needs: the address, the server's process id, one API
token per user and the statements, every user an editor of every statement.

With more than one worker (PostgreSQL only) the process started is uvicorn's supervisor and
the workers are its children, all accepting on the one port. CPU time and resident memory are
then summed over the supervisor and every process below it, so that the figures still mean
"the server"; the supervisor itself only waits, and costs little of either. `alongside(...)`
starts more servers, of one worker each, on the same PostgreSQL database.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app.config import Settings
from bench import procfs
from bench.database import DRAFT, recreate_postgres, seed


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:<port>
    pid: int  # the process started: the server itself, or the workers' supervisor
    tokens: list[str]  # one bearer token per user
    statement_ids: list[int]
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)  # the ACCORD_ settings it runs with

    @property
    def ws_base(self) -> str:
        return "ws" + self.base.removeprefix("http")

    @property
    def port(self) -> int:
        return int(self.base.rpartition(":")[2])

    def processes(self) -> list[int]:
        """The server's process and all below it (the workers, and any helper of theirs)."""
        return [self.pid, *procfs.descendants(self.pid)]

    def worker_pids(self) -> list[int]:
        """The processes serving requests: the server itself, or its supervisor's children."""
        if self.workers == 1:
            return [self.pid]
        return procfs.spawned(self.pid)

    def cpu_seconds(self) -> float:
        """User plus system CPU time the server's processes have used so far."""
        return sum(procfs.cpu_seconds(pid) for pid in self.processes())

    def rss_kib(self) -> int:
        """The server's resident memory, summed over its processes."""
        return sum(procfs.rss_kib(pid) for pid in self.processes())

    def open_files(self) -> int:
        """The file descriptors the server's processes hold open, summed."""
        return sum(procfs.open_files(pid) for pid in self.processes())

    def connections_per_worker(self) -> list[int]:
        """How many established connections on the server's port each worker holds."""
        return [procfs.connections(pid, self.port) for pid in self.worker_pids()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(base: str, server: subprocess.Popen[bytes], workers: int = 1) -> None:
    """Wait until the server answers; with workers, until every one of them has answered.

    A worker accepts connections only once its startup is done, so holding connections open
    until each worker holds one of them shows that all are serving. Which worker accepts a
    new connection is up to the kernel, so this may take a few tries.
    """
    deadline = time.monotonic() + 60
    held: list[httpx.Client] = []
    try:
        while time.monotonic() < deadline and server.poll() is None:
            client = httpx.Client(base_url=base)
            try:
                client.get("/api/me")
            except httpx.TransportError:
                client.close()
                time.sleep(0.1)
                continue
            held.append(client)
            if workers == 1:
                return
            workers_up = procfs.spawned(server.pid)
            port = int(base.rpartition(":")[2])
            if len(workers_up) == workers and all(
                procfs.connections(pid, port) for pid in workers_up
            ):
                return
    finally:
        for client in held:
            client.close()
    raise SystemExit("the server did not start")


@contextmanager
def serving(
    *,
    env: dict[str, str],
    tokens: list[str],
    statement_ids: list[int],
    workers: int = 1,
    profile: Path | None = None,
) -> Iterator[Server]:
    """Run `accord serve` on a free port with the settings `env` (ACCORD_...) until the block
    ends; `tokens` and `statement_ids` are what its database was seeded with."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    if profile is not None:
        command[1:1] = ["-m", "cProfile", "-o", str(profile)]
    server = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_up(base, server, workers)
        yield Server(
            base=base,
            pid=server.pid,
            tokens=tokens,
            statement_ids=statement_ids,
            workers=workers,
            env=env,
        )
    finally:
        # SIGINT lets uvicorn shut down cleanly, so a profile is written.
        server.send_signal(2)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def alongside(server: Server, count: int) -> Iterator[list[Server]]:
    """`count` more servers of one worker each on `server`'s database (PostgreSQL), as
    separate processes on ports of their own, for a client to choose among."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                serving(env=server.env, tokens=server.tokens, statement_ids=server.statement_ids)
            )
            for _ in range(count)
        ]


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
    workers: int = 1,
) -> Iterator[Server]:
    """Seed a fresh database and run `accord serve` on it until the block ends.

    `database_url` empty means SQLite (WAL, synchronous=FULL) in a temporary folder; a
    PostgreSQL URL names a database that is dropped and created again. `env` adds settings
    (ACCORD_...); `profile` runs the server under cProfile, writing its stats there;
    `prepare(settings, statement_ids)` runs on the seeded database before the server starts.
    `workers` above 1 runs `accord serve --workers N`, which Accord allows on PostgreSQL only.
    """
    if workers > 1 and not database_url:
        raise SystemExit("SQLite runs one worker; more need a PostgreSQL database_url")
    if workers > 1 and profile is not None:
        raise SystemExit("a profile is of one process; run one worker to profile the server")
    with tempfile.TemporaryDirectory() as data:
        if database_url:
            recreate_postgres(database_url)
        settings = Settings(data_dir=Path(data), database_url=database_url)
        tokens, ids = seed(settings, users, statements, text)
        if prepare is not None:
            prepare(settings, ids)
        settings_env = {
            **(env or {}),
            "ACCORD_DATA_DIR": data,
            "ACCORD_DATABASE_URL": database_url,
            "ACCORD_LOG_LEVEL": "warning",
        }
        with serving(
            env=settings_env, tokens=tokens, statement_ids=ids, workers=workers, profile=profile
        ) as server:
            yield server
