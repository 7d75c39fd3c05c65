"""Restore a backup (app/backup.py says what one holds) into a database, all or nothing."""

import gzip
import io
import json
import sys
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, text
from sqlalchemy.exc import StatementError

from app import migrate
from app.backup import (
    FORMAT,
    ROWS_PER_BATCH,
    TABLES,
    VERSION,
    BackupError,
    Record,
    Summary,
    decoder,
)


@contextmanager
def _opened(source: str) -> Iterator[IO[bytes]]:
    if source == "-":
        yield sys.stdin.buffer
        return
    try:
        handle = Path(source).open("rb")  # noqa: SIM115  (closed below, once it is open)
    except OSError as error:
        raise BackupError(f"Cannot read {source}: {error.strerror}.") from None
    with handle:
        yield handle


def _read(packed: gzip.GzipFile, name: str) -> Iterator[Record]:
    try:
        for line in io.TextIOWrapper(packed, encoding="utf-8"):
            record = json.loads(line)
            if not isinstance(record, dict | list):
                raise ValueError("a line is neither a record nor a row")
            yield record
    except gzip.BadGzipFile:
        raise BackupError(f"{name} is not an Accord backup (it is not gzip-compressed).") from None
    except (OSError, EOFError, zlib.error, ValueError) as error:
        # JSON and UTF-8 errors are ValueErrors.
        raise BackupError(f"{name} is not a whole Accord backup ({error}).") from None


def _check_header(record: Record | None, name: str) -> dict[str, Any]:
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise BackupError(f"{name} is not an Accord backup.")
    if record.get("version") != VERSION:
        raise BackupError(
            f"{name} is in backup format {record.get('version')}; this Accord reads {VERSION}."
        )
    head = migrate.head_revision()
    if record.get("schema") != head:
        raise BackupError(
            f"{name} is of schema revision {record.get('schema')}, this Accord's is {head}: "
            "restore it with the Accord version that made it, then run `accord db upgrade`."
        )
    return record


def _prepare(engine: Engine) -> None:
    """Give a database without a schema the newest; refuse one at another revision."""
    if migrate.current_revision(engine) is None:
        migrate.upgrade(engine)
    migrate.check_current(engine)


@contextmanager
def _exclusive(engine: Engine) -> Iterator[Connection]:
    """One write transaction that nobody else writes during: the restore is all or nothing."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(
                connection.dialect.identifier_preparer.format_table(t) for t in TABLES
            )
            connection.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection


def _make_room(connection: Connection, force: bool) -> None:
    filled = [t.name for t in TABLES if connection.execute(select(t).limit(1)).first()]
    if filled and not force:
        shown = ", ".join(filled[:3]) + (f" and {len(filled) - 3} more" if len(filled) > 3 else "")
        raise BackupError(
            f"The database already holds data (in {shown}): restore into an empty database, "
            "or add --force to empty this one first."
        )
    for table in reversed(TABLES):
        connection.execute(table.delete())


class _Loader:
    """Inserts the rows of one table after another, in batches, counting them."""

    def __init__(self, connection: Connection, name: str) -> None:
        self.connection, self.name = connection, name
        self.waiting = {table.name: table for table in TABLES}
        self.counts: dict[str, int] = {}
        self.table: Table | None = None
        self.decoders: list[Callable[[Any], Any] | None] = []
        self.batch: list[dict[str, Any]] = []

    def start(self, record: dict[str, Any]) -> None:
        self.flush()
        table = self.waiting.pop(str(record.get("table")), None)
        if table is None or record.get("columns") != [c.name for c in table.columns]:
            raise BackupError(f"{self.name} holds a table this Accord does not know, or twice.")
        self.table, self.decoders = table, [decoder(c) for c in table.columns]
        self.counts[table.name] = 0

    def add(self, row: list[Any]) -> None:
        if self.table is None or len(row) != len(self.decoders):
            raise BackupError(f"{self.name} holds a row that fits no table.")
        pairs = zip(self.decoders, row, strict=True)
        try:
            values = [v if decode is None or v is None else decode(v) for decode, v in pairs]
        except (TypeError, ValueError):
            message = f"{self.name} holds a time that is not one, in {self.table.name}."
            raise BackupError(message) from None
        self.batch.append(dict(zip(self.table.columns.keys(), values, strict=True)))
        self.counts[self.table.name] += 1
        if len(self.batch) >= ROWS_PER_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.table is None or not self.batch:
            return
        try:
            self.connection.execute(insert(self.table), self.batch)
        except StatementError as error:
            reason = str(error.orig or error).splitlines()[0]
            raise BackupError(f"Table {self.table.name} could not be restored: {reason}") from None
        self.batch = []

    def end(self, counts: object) -> None:
        self.flush()
        if self.waiting or counts != self.counts:
            raise BackupError(f"{self.name} is not a whole Accord backup (rows are missing).")


def _load(connection: Connection, lines: Iterator[Record], name: str) -> dict[str, int]:
    loader = _Loader(connection, name)
    for record in lines:
        if isinstance(record, list):
            loader.add(record)
        elif "table" in record:
            loader.start(record)
        elif "end" in record:
            loader.end(record["end"])
            if next(lines, None) is not None:  # reading to the end checks the gzip checksum
                raise BackupError(f"{name} goes on after its end.")
            return loader.counts
        else:
            raise BackupError(f"{name} holds a line this Accord does not know.")
    raise BackupError(f"{name} ends early: the file is incomplete.")


def _advance_sequences(connection: Connection) -> None:
    """Set PostgreSQL's id sequences past the restored ids, so new rows get new ones."""
    if connection.dialect.name != "postgresql":
        return  # SQLite takes the largest rowid plus one
    for table in TABLES:
        column = table.autoincrement_column
        if column is None:
            continue
        quoted = connection.dialect.identifier_preparer.format_table(table)
        sequence = func.pg_get_serial_sequence(quoted, column.name)
        connection.execute(
            select(func.setval(sequence, func.coalesce(func.max(column), 0) + 1, False))
        )


def restore(engine: Engine, source: str, *, force: bool = False) -> Summary:
    """Load the backup in `source` ("-": standard input) into the database, all or nothing.

    A database without a schema gets the newest first. One that holds data is refused,
    unless `force`, which empties it in the same transaction."""
    name = "standard input" if source == "-" else source
    with _opened(source) as raw, gzip.GzipFile(fileobj=raw, mode="rb") as packed:
        lines = _read(packed, name)
        header = _check_header(next(lines, None), name)
        _prepare(engine)
        with _exclusive(engine) as connection:
            _make_room(connection, force)
            rows = _load(connection, lines, name)
            _advance_sequences(connection)
    return Summary(header["schema"], header["created_at"], header["database"], rows)
