"""The room's blocking database work, run in a thread: load a statement, append changes."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.models.operation import Operation, Snapshot
from app.services.text import text_at

SNAPSHOT_EVERY = 200


@dataclass(frozen=True)
class Change:
    """One sequenced change, as the log keeps it."""

    rev: int
    op: list[Any]
    author_id: int
    client_id: str
    seq: int


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


def last_seq(engine: Engine, statement_id: int, client_id: str) -> tuple[int, int]:
    """The newest (seq, rev) this client id had acknowledged here, or (0, 0)."""
    with Session(engine) as session:
        seq = session.exec(
            select(func.max(Operation.seq)).where(
                Operation.statement_id == statement_id, Operation.client_id == client_id
            )
        ).one()
        if not seq:
            return 0, 0
        rev = session.exec(
            select(Operation.rev).where(
                Operation.statement_id == statement_id,
                Operation.client_id == client_id,
                Operation.seq == seq,
            )
        ).one()
        return int(seq), rev


def append(
    engine: Engine, statement_id: int, changes: list[Change], snapshot: tuple[int, str] | None
) -> None:
    """Write a batch of changes in one transaction: one commit, one fsync, for all of them."""
    with Session(engine) as session:
        for change in changes:
            session.add(
                Operation(
                    statement_id=statement_id,
                    rev=change.rev,
                    op=change.op,
                    author_id=change.author_id,
                    client_id=change.client_id,
                    seq=change.seq,
                )
            )
        if snapshot is not None:
            session.add(Snapshot(statement_id=statement_id, rev=snapshot[0], text=snapshot[1]))
        session.commit()
