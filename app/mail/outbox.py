"""The outbox's bookkeeping: which worker sends which row, and what became of it.

Rows are claimed with one conditional UPDATE: a row is due (sent_at IS NULL, due_at <= now)
and nobody holds it (no claim, or one whose lease ran out). The database lets one UPDATE
change a row at a time and checks the condition again on the row it changes, so of two
workers claiming at once only one gets a row, on SQLite and PostgreSQL alike. A claim is a
lease, not a lock: nothing is held while the SMTP conversation goes on, and a worker that
dies holding rows only delays them until the lease runs out.

A row is finished when sent_at is set (delivered) or given_up_at (after a permanent refusal,
whose answer last_error keeps). Every other failure is retried for ever, backing off 1, 2,
4 ... seconds and then once a minute.

These functions block; the sender runs them in a thread.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, and_, or_, select, update
from sqlmodel import Session, col

from app.models.notification import OutboxMessage

LEASE = timedelta(minutes=2)
MAX_BACKOFF_SECONDS = 60
GIVEN_UP = "Given up: "
MAX_ERROR_CHARS = 500


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: 1, 2, 4 ... seconds, at most 60."""
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 2 ** min(max(attempts - 1, 0), 6)))


def _claimable(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.given_up_at).is_(None),
        col(OutboxMessage.due_at) <= now,
        or_(
            col(OutboxMessage.claimed_until).is_(None),
            col(OutboxMessage.claimed_until) < now,
        ),
    )


def claim(engine: Engine, *, worker: str, now: datetime, limit: int) -> list[OutboxMessage]:
    """Claim up to `limit` due rows for `worker`, oldest due first; the rows it won."""
    due = (
        select(col(OutboxMessage.id))
        .where(_claimable(now))
        .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
        .limit(limit)
    )
    won = (
        update(OutboxMessage)
        # The condition again: a row another worker claimed since `due` was read is not ours.
        .where(col(OutboxMessage.id).in_(due.scalar_subquery()), _claimable(now))
        .values(claimed_by=worker, claimed_until=now + LEASE)
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    with Session(engine) as session:
        # Most of the time nothing is due: find that out by reading, without taking SQLite's
        # one write lock away from the people writing.
        if session.execute(due.limit(1)).first() is None:
            return []
    with Session(engine, expire_on_commit=False) as session:
        rows = list(session.execute(won).scalars())
        session.commit()
    return sorted(rows, key=lambda row: (row.due_at, row.id))


def sent(engine: Engine, message_id: int, *, worker: str, now: datetime) -> bool:
    """Mark a row delivered, if `worker` still holds it; whether it did."""
    return _finish(engine, message_id, worker=worker, sent_at=now)


def give_up(engine: Engine, message_id: int, *, worker: str, now: datetime, error: str) -> bool:
    """Finish a row that can never be delivered (its recipient was refused for good)."""
    return _finish(engine, message_id, worker=worker, given_up_at=now, error=GIVEN_UP + error)


def _finish(
    engine: Engine, message_id: int, *, worker: str, error: str | None = None, **when: datetime
) -> bool:
    values: dict[str, object] = {**when, "claimed_until": None}
    if error is not None:
        values |= {
            "last_error": error[:MAX_ERROR_CHARS],
            "attempts": col(OutboxMessage.attempts) + 1,
        }
    with Session(engine) as session:
        done = session.execute(
            update(OutboxMessage)
            .where(*_held(message_id, worker))
            .values(values)
            .returning(col(OutboxMessage.id))
        ).first()
        session.commit()
    return done is not None


def failed(engine: Engine, message_id: int, *, worker: str, now: datetime, error: str) -> bool:
    """Count a failed attempt, let go of the row and make it due again after a backoff."""
    with Session(engine) as session:
        attempts = session.execute(
            update(OutboxMessage)
            .where(*_held(message_id, worker))
            .values(
                attempts=col(OutboxMessage.attempts) + 1,
                claimed_by="",
                claimed_until=None,
                last_error=error[:MAX_ERROR_CHARS],
            )
            .returning(col(OutboxMessage.attempts))
        ).scalar()
        if attempts is not None:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == message_id)
                .values(due_at=now + backoff(attempts))
            )
        session.commit()
    return attempts is not None


def release(engine: Engine, *, worker: str, ids: Sequence[int] | None = None) -> int:
    """Let go of unsent rows `worker` holds (those of `ids`, or all) without counting an
    attempt, so another worker may send them at once; how many."""
    held = [
        col(OutboxMessage.claimed_by) == worker,
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.given_up_at).is_(None),
        col(OutboxMessage.claimed_until).is_not(None),
    ]
    if ids is not None:
        held.append(col(OutboxMessage.id).in_(ids))
    with Session(engine) as session:
        released = session.execute(
            update(OutboxMessage)
            .where(*held)
            .values(claimed_by="", claimed_until=None)
            .returning(col(OutboxMessage.id))
        ).all()
        session.commit()
    return len(released)


def _held(message_id: int, worker: str) -> list[ColumnElement[bool]]:
    return [
        col(OutboxMessage.id) == message_id,
        col(OutboxMessage.claimed_by) == worker,
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.given_up_at).is_(None),
    ]
