"""`accord backup` and `accord restore`: an exact copy on SQLite, on PostgreSQL and from one to
the other; one moment's database while Accord is written to; refusals that leave the target as
it was."""

import asyncio
import gzip
import json
import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from app import migrate
from app.backup import BackupError, Record, back_up, records
from app.collab import ops
from app.config import Settings
from app.db import make_engine
from app.models.operation import Operation, Snapshot
from app.restore import restore
from app.services.text import text_at
from tests.backup_world import assert_serves, build_world, rows, stored_rows
from tests.collab.editing import START_TEXT, editors_for, random_edit
from tests.collab.live import ROOT, LiveEditor, ServerProcess, make_team, replay, start_statement
from tests.conftest import own_name
from tests.factories import make_statement, make_user
from tests.test_cli import accord

POSTGRES = pytest.param("postgresql", marks=pytest.mark.postgres)


def sqlite(folder: Path) -> Settings:
    """The embedded database of a data folder of its own (made when first used)."""
    return Settings(data_dir=folder)


@pytest.fixture
def postgres(postgres_url: str, tmp_path: Path) -> Iterator[Callable[[str], Settings]]:
    """Databases of these tests' own on the test server, `accord_backup_<name>`, made afresh
    and dropped afterwards."""
    made: list[str] = []

    def fresh(name: str) -> Settings:
        database = own_name(f"accord_backup_{name}")
        with psycopg.connect(postgres_url, autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            server.execute(f"CREATE DATABASE {database}")
        made.append(database)
        url = make_url(postgres_url).set(database=database)
        return Settings(data_dir=tmp_path, database_url=url.render_as_string(hide_password=False))

    yield fresh
    with psycopg.connect(postgres_url, autocommit=True) as server:
        for database in made:
            server.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def settings_for(backend: str, request: pytest.FixtureRequest, name: str) -> Settings:
    if backend == "sqlite":
        return sqlite(request.getfixturevalue("tmp_path") / name)
    fresh: Callable[[str], Settings] = request.getfixturevalue("postgres")
    return fresh(name)


def copy(source: Settings, target: Settings, file: Path, *, force: bool = False) -> None:
    """Back `source` up to `file`, then restore that into `target`."""
    engine = make_engine(source)
    try:
        back_up(engine, str(file))
    finally:
        engine.dispose()
    engine = make_engine(target)
    try:
        restore(engine, str(file), force=force)
    finally:
        engine.dispose()


def contents(settings: Settings) -> dict[str, list[str]]:
    engine = make_engine(settings)
    try:
        return rows(engine)
    finally:
        engine.dispose()


def stored(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(settings)
    try:
        return stored_rows(engine)
    finally:
        engine.dispose()


def small_world(settings: Settings, name: str) -> None:
    """One person and their statement, on a migrated database."""
    engine = make_engine(settings)
    migrate.upgrade(engine)
    with Session(engine) as session:
        person = make_user(session, name=name)
        make_statement(session, settings, facilitator=person, text=f"{name} writes.")
    engine.dispose()


def test_restore_backup_sqlite_round_trip(tmp_path: Path) -> None:
    original, copied = sqlite(tmp_path / "original"), sqlite(tmp_path / "copy")
    world = build_world(original)
    copy(original, copied, tmp_path / "accord.jsonl.gz")
    expected = contents(original)
    assert [name for name, found in expected.items() if not found] == []  # every table
    assert contents(copied) == expected
    assert stored(copied) == stored(original)  # even as SQLite keeps them
    assert_serves(copied, world)


@pytest.mark.slow
@pytest.mark.postgres
def test_restore_backup_postgres_round_trip(
    postgres: Callable[[str], Settings], tmp_path: Path
) -> None:
    original, copied = postgres("a"), postgres("b")
    world = build_world(original)
    copy(original, copied, tmp_path / "accord.jsonl.gz")
    assert contents(copied) == contents(original)
    assert stored(copied) == stored(original)
    assert_serves(copied, world)  # new rows get new ids: the sequences were moved on


@pytest.mark.slow
@pytest.mark.postgres
def test_restore_backup_sqlite_to_postgres_and_back(
    postgres: Callable[[str], Settings], tmp_path: Path
) -> None:
    original, on_postgres, back = sqlite(tmp_path / "a"), postgres("a"), sqlite(tmp_path / "b")
    world = build_world(original)
    copy(original, on_postgres, tmp_path / "from-sqlite.jsonl.gz")
    copy(on_postgres, back, tmp_path / "from-postgres.jsonl.gz")
    expected = contents(original)
    assert contents(on_postgres) == expected
    assert contents(back) == expected
    assert stored(back) == stored(original)
    assert_serves(on_postgres, world)
    assert_serves(back, world)


def end_counts(lines: list[Record]) -> dict[str, int]:
    """The rows per table that a backup's last line counts."""
    last = lines[-1]
    assert isinstance(last, dict), last
    counts: dict[str, int] = last["end"]
    return counts


@pytest.mark.parametrize("backend", ["sqlite", POSTGRES])
def test_backup_reads_one_moment(backend: str, request: pytest.FixtureRequest) -> None:
    settings = settings_for(backend, request, "a")
    small_world(settings, "Fatima")
    engine = make_engine(settings)
    try:
        reading = records(engine)
        header = next(reading)
        assert isinstance(header, dict)
        assert (header["format"], header["schema"]) == ("accord-backup", migrate.head_revision())
        # Written once the backup has begun, to tables it has still to read: not in it.
        small_world(settings, "Latecomer")
        taken = end_counts(list(reading))
        later = end_counts(list(records(engine)))
    finally:
        engine.dispose()
    assert (taken["user"], taken["statement"], taken["operation"]) == (1, 1, 1)
    assert (later["user"], later["statement"], later["operation"]) == (2, 2, 2)


async def _type_through_backup(
    server: ServerProcess, editors: list[LiveEditor], file: Path
) -> list[tuple[str, int, int]]:
    """Editors type while `accord backup` runs; return the changes acknowledged before it
    began, as (client id, seq, revision)."""
    rng = random.Random(11)
    for editor in editors:
        await editor.connect()
    stop = asyncio.Event()

    async def type_on(editor: LiveEditor) -> None:
        while not stop.is_set():
            await asyncio.sleep(rng.uniform(0.02, 0.06))  # within the limit on frames a second
            editor.check()
            editor.edit(random_edit(rng, editor.text))

    typing = [asyncio.create_task(type_on(editor)) for editor in editors]
    try:
        await asyncio.sleep(1)
        acknowledged = [(e.client_id, seq, rev) for e in editors for seq, rev in e.acks.items()]
        backup = [sys.executable, "-m", "app.cli", "backup", str(file)]
        done = await asyncio.to_thread(
            subprocess.run, backup, env=server.env(), cwd=ROOT, capture_output=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        await asyncio.sleep(0.5)
    finally:
        stop.set()
        await asyncio.gather(*typing)
        await asyncio.gather(*(editor.close() for editor in editors))
    return acknowledged


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", POSTGRES])
def test_backup_while_editing_live_holds_every_acknowledged_change(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    variables = {}
    if backend != "sqlite":
        settings = settings_for(backend, request, "live")
        engine = make_engine(settings)
        migrate.upgrade(engine)
        engine.dispose()
        variables["ACCORD_DATABASE_URL"] = settings.database_url
    (tmp_path / "server").mkdir()
    server = ServerProcess(tmp_path / "server", settings=variables)
    file = tmp_path / "live.jsonl.gz"
    server.start()
    try:
        team = make_team(server, editors=2)
        statement_id = start_statement(server, team, START_TEXT)
        editors = editors_for(server, team, statement_id, per_person=2)
        acknowledged = asyncio.run(_type_through_backup(server, editors, file))
        everything = server.operation_log(statement_id)
    finally:
        server.stop()

    restored = sqlite(tmp_path / "restored")
    engine = make_engine(restored)
    restore(engine, str(file))
    with Session(engine) as session:
        log = [
            (row.rev, row.op, row.client_id, row.seq)
            for row in session.exec(
                select(Operation)
                .where(Operation.statement_id == statement_id)
                .order_by(col(Operation.rev))
            )
        ]
        head = text_at(session=session, statement_id=statement_id)
        snapshots = session.exec(
            select(Snapshot).where(Snapshot.statement_id == statement_id)
        ).all()
    engine.dispose()
    assert head.text == replay(log)  # revisions 1..N, with no gap, replaying to the text
    assert log == everything[: len(log)]  # the log as it stood at one moment
    assert len(log) < len(everything), "the editors stopped before the backup"
    assert acknowledged, "nothing was acknowledged before the backup began"
    for client_id, seq, rev in acknowledged:
        assert log[rev - 1][2:] == (client_id, seq)
    for snapshot in snapshots:  # read at the same moment as the log
        assert snapshot.text == ops.apply_all(
            "", [ops.parse(op) for _, op, _, _ in log[: snapshot.rev]]
        )


def _rewrite(file: Path, change: Callable[[list[bytes]], list[bytes]]) -> None:
    lines = gzip.decompress(file.read_bytes()).splitlines(keepends=True)
    file.write_bytes(gzip.compress(b"".join(change(lines))))


def test_restore_refuses_another_schema_revision(tmp_path: Path) -> None:
    original, target = sqlite(tmp_path / "a"), sqlite(tmp_path / "b")
    small_world(original, "Fatima")
    file = tmp_path / "old.jsonl.gz"
    engine = make_engine(original)
    back_up(engine, str(file))
    engine.dispose()

    def older(lines: list[bytes]) -> list[bytes]:
        header = json.loads(lines[0])
        header["schema"] = "0005"
        return [json.dumps(header).encode() + b"\n", *lines[1:]]

    _rewrite(file, older)
    engine = make_engine(target)
    with pytest.raises(
        BackupError, match=f"schema revision 0005, this Accord's is {migrate.head_revision()}"
    ):
        restore(engine, str(file))
    assert migrate.current_revision(engine) is None  # nothing was done to the database
    engine.dispose()


def test_backup_refuses_database_of_another_schema_revision(tmp_path: Path) -> None:
    settings = sqlite(tmp_path)
    engine = make_engine(settings)
    migrate.upgrade(engine, "0005")
    with pytest.raises(BackupError, match=r"schema is at 0005.*`accord db upgrade`"):
        back_up(engine, str(tmp_path / "old.jsonl.gz"))
    engine.dispose()
    assert not (tmp_path / "old.jsonl.gz").exists()
    assert [path.name for path in tmp_path.iterdir() if "partial" in path.name] == []


def test_restore_refuses_database_holding_data_unless_forced(tmp_path: Path) -> None:
    original, target = sqlite(tmp_path / "a"), sqlite(tmp_path / "b")
    small_world(original, "Fatima")
    small_world(target, "Someone else")
    before = contents(target)
    with pytest.raises(BackupError, match=r"already holds data .* add --force"):
        copy(original, target, tmp_path / "a.jsonl.gz")
    assert contents(target) == before
    copy(original, target, tmp_path / "a.jsonl.gz", force=True)
    assert contents(target) == contents(original)


def test_restore_refuses_incomplete_backup(tmp_path: Path) -> None:
    original, target = sqlite(tmp_path / "a"), sqlite(tmp_path / "b")
    build_world(original)
    file = tmp_path / "a.jsonl.gz"
    engine = make_engine(original)
    back_up(engine, str(file))
    engine.dispose()
    whole = file.read_bytes()
    engine = make_engine(target)
    try:
        _rewrite(file, lambda lines: lines[:-1])  # without its end
        with pytest.raises(BackupError, match="ends early"):
            restore(engine, str(file))
        file.write_bytes(whole[: len(whole) // 2])  # cut short, as by a full disk
        with pytest.raises(BackupError, match="not a whole Accord backup"):
            restore(engine, str(file))
        file.write_text("name,email\n")
        with pytest.raises(BackupError, match="not an Accord backup"):
            restore(engine, str(file))
    finally:
        engine.dispose()
    assert not any(contents(target).values())  # each restore was undone entirely


@pytest.mark.slow
def test_backup_and_restore_commands(tmp_path: Path) -> None:
    source, target, piped = tmp_path / "source", tmp_path / "target", tmp_path / "piped"
    assert accord(source, "demo", "--no-serve").returncode == 0
    (source / "demo.sqlite3").rename(source / "accord.sqlite3")
    file = tmp_path / "backups" / "demo.jsonl.gz"
    file.parent.mkdir()

    backed_up = accord(source, "backup", str(file))
    assert backed_up.returncode == 0, backed_up.stderr
    assert "Backed up 1 statement and 13 accounts" in backed_up.stdout
    assert os.listdir(file.parent) == ["demo.jsonl.gz"]  # no partial file left behind
    assert file.stat().st_mode & 0o777 == 0o600  # it holds password hashes

    restored = accord(target, "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    assert "Restored 1 statement and 13 accounts" in restored.stdout
    again = accord(target, "restore", str(file))
    assert again.returncode == 1
    assert again.stderr.startswith("accord: The database already holds data")
    assert again.stderr.count("\n") == 1
    assert "--force" in again.stderr
    assert accord(target, "restore", "--force", str(file)).returncode == 0
    assert contents(sqlite(target)) == contents(sqlite(source))

    # Through a pipe: `accord backup - | accord restore -`.
    env = {**os.environ, "ACCORD_DATA_DIR": str(source)}
    env.pop("ACCORD_DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "backup", "-"], env=env, capture_output=True, check=True
    )
    assert b"Backed up" in out.stderr
    env["ACCORD_DATA_DIR"] = str(piped)
    subprocess.run(
        [sys.executable, "-m", "app.cli", "restore", "-"], env=env, input=out.stdout, check=True
    )
    assert contents(sqlite(piped)) == contents(sqlite(source))

    nowhere = accord(source, "backup", str(tmp_path / "no such folder" / "demo.jsonl.gz"))
    assert nowhere.returncode == 1
    assert nowhere.stderr.startswith("accord: Cannot write ")
    missing = accord(tmp_path / "nothing", "backup", str(tmp_path / "nothing.jsonl.gz"))
    assert missing.returncode == 1
    assert missing.stderr.startswith("accord: There is no database at ")
    assert not (tmp_path / "nothing.jsonl.gz").exists()
