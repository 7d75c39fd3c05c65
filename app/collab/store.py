"""The room's blocking database work, run in a thread: load a statement, append changes."""

from datetime import datetime

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from app.collab.change import Batch, Change
from app.collab.sequencer import Rebased, claim
from app.models.base import utcnow
from app.models.operation import Operation, Snapshot
from app.services.text import text_at

SNAPSHOT_EVERY = 200


def load_head(engine: Engine, statement_id: int) -> tuple[int, str]:
    with Session(engine) as session:
        head = text_at(session=session, statement_id=statement_id)
        return head.rev, head.text


def changes_after(engine: Engine, statement_id: int, rev: int) -> list[Change]:
    with Session(engine) as session:
        rows = session.exec(
            select(Operation)
            .where(Operation.statement_id == statement_id, col(Operation.rev) > rev)
            .order_by(col(Operation.rev))
        ).all()
        return [Change(row.rev, row.op, row.author_id or 0, row.client_id, row.seq) for row in rows]


def client_record(
    engine: Engine, statement_id: int, client_id: str
) -> tuple[int | None, tuple[int, int]]:
    """Whose changes this client id carries here, and the newest (seq, rev) it had
    acknowledged; (None, (0, 0)) for a client id new here."""
    with Session(engine) as session:
        row = session.exec(
            select(Operation.author_id, Operation.seq, Operation.rev)
            .where(Operation.statement_id == statement_id, Operation.client_id == client_id)
            .order_by(col(Operation.seq).desc())
            .limit(1)
        ).first()
    if row is None:
        return None, (0, 0)
    author, seq, rev = row
    return author, (seq, rev)


def last_seq(engine: Engine, statement_id: int, client_id: str) -> tuple[int, int]:
    """The newest (seq, rev) this client id had acknowledged here, or (0, 0)."""
    return client_record(engine, statement_id, client_id)[1]


def append_many(engine: Engine, batches: list[Batch]) -> list[Rebased | None]:
    """Write the batches of several rooms in one transaction, so they share one fsync.

    On PostgreSQL, other workers may have written to the same statements meanwhile: each
    batch is then put after their changes (app/collab/sequencer.py), and what overtook it is
    returned in its place in the list. On SQLite one process writes, and nothing does.
    """
    now = utcnow()
    outcomes: list[Rebased | None] = [None] * len(batches)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            batches, outcomes = claim(connection, batches)
        snapshots = [
            {
                "statement_id": statement_id,
                "rev": snapshot[0],
                "text": snapshot[1],
                "created_at": now,
            }
            for statement_id, _, snapshot in batches
            if snapshot is not None
        ]
        if engine.dialect.paramstyle == "qmark":
            _insert_rows(connection, batches, now)
        else:
            # Core inserts of many rows at once: the ORM's unit of work costs more than the fsync.
            rows = [
                {
                    "statement_id": statement_id,
                    "rev": change.rev,
                    "op": change.op,
                    "author_id": change.author_id,
                    "client_id": change.client_id,
                    "seq": change.seq,
                    "created_at": now,
                }
                for statement_id, changes, _ in batches
                for change in changes
            ]
            if rows:
                connection.execute(insert(Operation), rows)
        if snapshots and engine.dialect.name == "postgresql":
            # Two workers may both owe a snapshot of the same durable revision: one will do.
            connection.execute(postgresql.insert(Snapshot).on_conflict_do_nothing(), snapshots)
        elif snapshots:
            connection.execute(insert(Snapshot), snapshots)
    return outcomes


def _insert_rows(connection: Connection, batches: list[Batch], now: datetime) -> None:
    """The rows straight to the driver (SQLite's): SQLAlchemy turning each row's values into
    parameters one by one costs more than the insert itself, and holds the GIL meanwhile.
    The column types still say how a value is stored; the time is converted once."""
    columns = Operation.__table__.c  # type: ignore[attr-defined]
    dialect = connection.dialect
    as_json = columns.op.type.bind_processor(dialect)
    as_time = columns.created_at.type.bind_processor(dialect)
    created_at = as_time(now) if as_time else now
    rows = [
        (
            statement_id,
            change.rev,
            as_json(change.op) if as_json else change.op,
            change.author_id,
            change.client_id,
            change.seq,
            created_at,
        )
        for statement_id, changes, _ in batches
        for change in changes
    ]
    if rows:
        connection.exec_driver_sql(_INSERT, rows)


_INSERT = (
    "INSERT INTO operation (statement_id, rev, op, author_id, client_id, seq, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
