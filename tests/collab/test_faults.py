"""Bad days for the database: locked past its timeout, a full disk, PostgreSQL restarted while
people type. Editors get errors, never false acknowledgements; nothing acknowledged is lost,
nothing appears that was never sent, and the revisions stay contiguous."""

import asyncio
import contextlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import db as db_module
from app.config import Settings
from app.middleware import SESSION_COOKIE
from app.services import sessions
from tests.collab.editing import MARKER, Typist, assert_converged, assert_typed_once, editors_for
from tests.collab.live import ROOT, ServerProcess, free_port, make_team, settle, start_statement
from tests.collab.sockets import receive
from tests.factories import ORIGIN, make_statement, make_user


class Fault(Protocol):
    """Something that goes wrong while people type, and is then put right."""

    def strike(self) -> None: ...

    def repair(self) -> None: ...


def test_a_database_locked_past_its_timeout_acknowledges_nothing(
    app: FastAPI,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if settings.database_url:
        pytest.skip("SQLite's file lock (the PostgreSQL run has its own faults below)")
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    user = make_user(session)
    statement = make_statement(session, settings, facilitator=user, text="Draft")
    cookie = sessions.start_session(session=session, settings=settings, user=user)
    session.commit()
    headers = {"Origin": ORIGIN, "Cookie": f"{SESSION_COOKIE}={cookie}"}
    path = f"/ws/statements/{statement.id}?client_id={uuid.uuid4().hex}"
    with (
        TestClient(app, base_url=ORIGIN) as client,
        client.websocket_connect(path, headers=headers) as ws,
    ):
        assert ws.receive_json()["rev"] == 1
        # Another process holds the database's write lock for longer than Accord waits.
        holder = sqlite3.connect(settings.data_dir / "accord.sqlite3", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        ws.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [5, "!"]})
        refused = receive(ws, "error")
        assert (refused["code"], refused["seq"]) == ("not_saved", 1)
        holder.execute("ROLLBACK")
        holder.close()
        # Sent again, as every client does after not_saved: applied once, acknowledged.
        ws.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [5, "!"]})
        assert receive(ws, "ack")["rev"] == 2
        answer = client.get(f"/api/statements/{statement.id}/text", headers=headers)
    assert answer.json() == {"rev": 2, "text": "Draft!"}


@contextlib.contextmanager
def _small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A file system of `size` mounted on `folder` (tmpfs), unmounted afterwards."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(disk: Path) -> Path:
    """Fill the disk to the last byte with a file; return it, to free the space later."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for chunk in (1 << 16, 512, 1):
            with contextlib.suppress(OSError):
                while os.write(descriptor, b"\0" * chunk):
                    pass
    finally:
        os.close(descriptor)
    return filler


def _type_through(
    server: ServerProcess, editors_per_person: int, fault: Fault
) -> tuple[list[Typist], list[str], str]:
    """Typists type for a few seconds while `fault` strikes and is repaired; then they
    settle. Returns the typists, what was acknowledged before the repair, and the text."""
    team = make_team(server, editors=2)
    statement_id = start_statement(server, team, "")
    editors = editors_for(server, team, statement_id, per_person=editors_per_person)
    typists = [Typist(editor, n, random.Random(n)) for n, editor in enumerate(editors, 1)]
    acked: list[str] = []

    async def session() -> None:
        try:
            await asyncio.gather(*(editor.connect() for editor in editors))
            start = time.monotonic()
            typing = asyncio.gather(*(typist.run(start + 4.0) for typist in typists))
            await asyncio.sleep(1.0)
            await asyncio.to_thread(fault.strike)
            await asyncio.sleep(1.0)
            for editor in editors:
                acked.extend(MARKER.findall("".join(editor.acked_inserts)))
            await asyncio.to_thread(fault.repair)
            await typing
            await settle(editors, within=60)
        finally:
            await asyncio.gather(*(editor.close() for editor in editors))

    asyncio.run(session())
    text = assert_converged(server, team, statement_id, editors)
    return typists, acked, text


class DiskFills:
    def __init__(self, disk: Path) -> None:
        self.disk = disk
        self.filler: Path | None = None

    def strike(self) -> None:
        self.filler = _fill(self.disk)

    def repair(self) -> None:
        assert self.filler is not None
        self.filler.unlink()


def test_a_full_disk_refuses_changes_until_there_is_room(tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk", "16m") as disk:
        # The database on the small disk; the server's log beside it, where there is room.
        database = f"sqlite:///{disk / 'accord.sqlite3'}"
        server = ServerProcess(tmp_path, settings={"ACCORD_DATABASE_URL": database})
        server.start()
        try:
            fault = DiskFills(disk)
            typists, acked, text = _type_through(server, 2, fault)
            log = server.log_text()
        finally:
            server.stop()
    assert acked, "nothing was acknowledged"
    assert_typed_once(text, typists, acked)
    assert "full" in log.lower(), "the disk never filled while they typed"


POSTGRES_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


class PostgresRestarts:
    """A PostgreSQL server of the test's own, so that restarting it disturbs nobody else."""

    def __init__(self, folder: Path) -> None:
        assert POSTGRES_BIN is not None
        self.folder = folder
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/accord"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def program(self, name: str) -> str:
        assert POSTGRES_BIN is not None
        return str(POSTGRES_BIN / name)

    def start(self) -> None:
        shutil.chown(self.folder, "postgres")
        cluster = str(self.folder / "cluster")
        self._as_postgres(self.program("initdb"), "-A", "trust", "-U", "postgres", cluster)
        self.repair()
        where = ["-h", "127.0.0.1", "-p", str(self.port)]
        self._as_postgres(self.program("createdb"), *where, "accord")

    def pg_ctl(self, *args: str) -> None:
        cluster, log = str(self.folder / "cluster"), str(self.folder / "log")
        self._as_postgres(self.program("pg_ctl"), "-D", cluster, "-l", log, *args)

    def strike(self) -> None:
        """Stopped at once, as a crash would: no checkpoint, connections cut."""
        self.pg_ctl("stop", "-m", "immediate", "-w")

    def repair(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self.pg_ctl("start", "-w", "-o", options)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop", "-m", "immediate", "-w")


@pytest.mark.slow
def test_postgresql_restarted_while_people_type(tmp_path: Path) -> None:
    if POSTGRES_BIN is None or shutil.which("runuser") is None or os.geteuid() != 0:
        pytest.skip("needs PostgreSQL's server programs and root, to run a server of its own")
    # Outside pytest's folders, which only root may enter.
    postgres = PostgresRestarts(Path(tempfile.mkdtemp(prefix="accord-postgres-")))
    postgres.start()
    try:
        server = ServerProcess(tmp_path, settings={"ACCORD_DATABASE_URL": postgres.url})
        upgraded = subprocess.run(
            [sys.executable, "-m", "app.cli", "db", "upgrade"],
            cwd=ROOT,
            env=server.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert upgraded.returncode == 0, upgraded.stderr
        server.start()
        try:
            typists, acked, text = _type_through(server, 2, postgres)
            log = server.log_text()
        finally:
            server.stop()
    finally:
        postgres.stop()
        shutil.rmtree(postgres.folder, ignore_errors=True)
    assert acked, "nothing was acknowledged"
    assert_typed_once(text, typists, acked)
    assert "a commit failed" in log, "no change was refused while the database was down"
