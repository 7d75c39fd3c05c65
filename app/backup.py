"""Back up the whole database, SQLite or PostgreSQL, to one portable file (app/restore.py
loads it into either).

A backup is gzip-compressed JSON lines (docs/backup.md):

    {"format": "accord-backup", "version": 1, "schema": "0006", "created_at": ..., ...}
    {"table": "user", "columns": ["name", "organisation", "id", ...]}
    ["Ada", "Wikimedia UK", 1, ...]         a row: its values in the order of the columns
    ...
    {"end": {"sign_in_attempt": 0, "user": 13, ...}}

Tables come in dependency order, each row in primary key order. Times are ISO 8601 with their
UTC offset, dates ISO 8601, JSON columns their JSON. The end line counts the rows of every
table, so that a file cut short is refused rather than restored in part.
"""

import gzip
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Connection, Date, DateTime, Engine, Table, select
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on the metadata)
from app import migrate
from app.models.base import utcnow

FORMAT = "accord-backup"
VERSION = 1
TABLES: list[Table] = SQLModel.metadata.sorted_tables  # parents before the rows that name them
ROWS_PER_BATCH = 1000

Record = dict[str, Any] | list[Any]


class BackupError(Exception):
    """A backup that cannot be made or restored, said in one sentence an operator can act on."""


@dataclass(frozen=True)
class Summary:
    """What a backup holds: its schema revision, when and from what it was made, its rows."""

    schema: str
    created_at: str
    database: str
    rows: dict[str, int]

    def describe(self) -> str:
        def count(number: int, noun: str) -> str:
            return f"{number} {noun}{'' if number == 1 else 's'}"

        statements, accounts = self.rows["statement"], self.rows["user"]
        total = sum(self.rows.values())
        return (
            f"{count(statements, 'statement')} and {count(accounts, 'account')} "
            f"({count(total, 'row')} in {len(self.rows)} tables, schema revision {self.schema})"
        )


# Values: JSON has no times or dates, so they travel as ISO 8601 and come back by column type.


def decoder(column: Column[Any]) -> Callable[[Any], Any] | None:
    """How a column's JSON value becomes the value it stores (None: as it is)."""
    stored = column.type
    if isinstance(stored, TypeDecorator):
        stored = stored.impl_instance
    if isinstance(stored, DateTime):
        return datetime.fromisoformat
    if isinstance(stored, Date):
        return date.fromisoformat
    return None


def _iso(value: object) -> str:
    if isinstance(value, date):  # datetime too: a subclass of date
        return value.isoformat()
    raise TypeError(f"a backup cannot hold a {type(value).__name__}")


def _line(record: Record) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=_iso).encode()


# Backing up.


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction: every table as it was at one moment, whatever is written meanwhile."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        else:
            # The SQLite driver begins a transaction only before a write: without this, each
            # SELECT would read the database as it stood at that moment. Closing rolls it back.
            connection.exec_driver_sql("BEGIN")
        yield connection


def records(engine: Engine) -> Iterator[Record]:
    """The backup's lines, read in one transaction: the header, each table and its rows, the end."""
    with _snapshot(engine) as connection:
        schema = MigrationContext.configure(connection).get_current_revision()
        head = migrate.head_revision()
        if schema != head:
            raise BackupError(
                f"The database schema is at {schema or 'nothing'}, this Accord's is {head}: "
                "back it up with the Accord version that runs it, or run `accord db upgrade` first."
            )
        yield {
            "format": FORMAT,
            "version": VERSION,
            "schema": schema,
            "created_at": utcnow().isoformat(),
            "database": engine.dialect.name,
        }
        counts: dict[str, int] = {}
        for table in TABLES:
            yield {"table": table.name, "columns": [column.name for column in table.columns]}
            query = select(table).order_by(*table.primary_key.columns)
            counts[table.name] = 0
            for row in connection.execute(query.execution_options(yield_per=ROWS_PER_BATCH)):
                counts[table.name] += 1
                yield list(row)
        yield {"end": counts}


def write(engine: Engine, out: IO[bytes]) -> Summary:
    """Write a backup of the database to `out`, gzip-compressed."""
    header: dict[str, Any] = {}
    rows: dict[str, int] = {}
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=6) as packed:
        for record in records(engine):
            packed.write(_line(record) + b"\n")
            if isinstance(record, dict) and "format" in record:
                header = record
            elif isinstance(record, dict) and "end" in record:
                rows = record["end"]
    return Summary(header["schema"], header["created_at"], header["database"], rows)


def back_up(engine: Engine, destination: str) -> Summary:
    """Back up to the file `destination` ("-": standard output), whole or not at all."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and not Path(database).exists():
        raise BackupError(f"There is no database at {database}.")
    if destination == "-":
        summary = write(engine, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return summary
    path = Path(destination)
    try:
        # Made readable by its owner alone: a backup holds password hashes and drafts.
        partial = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed before the rename)
            dir=path.parent, prefix=f".{path.name}.", suffix=".partial", delete=False
        )
    except OSError as error:
        raise BackupError(f"Cannot write {destination}: {error.strerror or error}.") from None
    try:
        with partial:
            summary = write(engine, partial)
            partial.flush()
            os.fsync(partial.fileno())
        os.replace(partial.name, path)
    except OSError as error:  # a full disk, say
        Path(partial.name).unlink(missing_ok=True)
        raise BackupError(f"Cannot write {destination}: {error.strerror or error}.") from None
    except BaseException:
        Path(partial.name).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a crash
    finally:
        os.close(folder)
    return summary
