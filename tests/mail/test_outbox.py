"""The outbox's claims: one worker per row, retries that back off to once a minute, and a
row finished only by the worker that holds it."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from app.mail import outbox
from app.models.base import utcnow
from app.models.notification import OutboxMessage
from tests.mail.conftest import queue_mail


def stored(engine: Engine, message_id: int) -> OutboxMessage:
    with Session(engine) as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        return row


def test_claim_outbox_gives_each_row_to_one_worker(engine: Engine) -> None:
    ids = queue_mail(engine, *(f"person{n}@example.org" for n in range(5)))
    now = utcnow()
    first = outbox.claim(engine, worker="a", now=now, limit=3)
    second = outbox.claim(engine, worker="b", now=now, limit=3)
    assert [row.id for row in first] == ids[:3]
    assert [row.id for row in second] == ids[3:]
    assert all(row.claimed_by == "a" for row in first)
    assert outbox.claim(engine, worker="c", now=now, limit=10) == []
    # A worker that died holding rows delays them only until its lease runs out.
    later = now + outbox.LEASE + timedelta(seconds=1)
    assert [row.id for row in outbox.claim(engine, worker="c", now=later, limit=10)] == ids


def test_claim_outbox_under_contention_never_shares_a_row(engine: Engine) -> None:
    ids = queue_mail(engine, *(f"person{n}@example.org" for n in range(40)))
    now = utcnow()

    def drain(worker: str) -> list[int]:
        won: list[int] = []
        while batch := outbox.claim(engine, worker=worker, now=now, limit=3):
            won += [row.id for row in batch]
        return won

    with ThreadPoolExecutor(4) as pool:
        shares = list(pool.map(drain, ["a", "b", "c", "d"]))
    claimed = [message_id for share in shares for message_id in share]
    assert sorted(claimed) == ids  # every row once, none twice


def test_claim_outbox_skips_rows_not_yet_due_or_sent(engine: Engine) -> None:
    due, sent, later = queue_mail(engine, "a@example.org", "b@example.org", "c@example.org")
    now = utcnow()
    with Session(engine) as session:
        row = session.get(OutboxMessage, later)
        assert row is not None
        row.due_at = now + timedelta(seconds=30)
        session.add(row)
        session.commit()
    assert [row.id for row in outbox.claim(engine, worker="a", now=now, limit=10)] == [due, sent]
    assert outbox.sent(engine, sent, worker="a", now=now)
    outbox.release(engine, worker="a")
    then = now + timedelta(seconds=31)
    assert [row.id for row in outbox.claim(engine, worker="b", now=then, limit=10)] == [due, later]


def test_failed_mail_backs_off_to_once_a_minute(engine: Engine) -> None:
    [message_id] = queue_mail(engine, "ann@example.org")
    now = utcnow()
    waits = []
    for _ in range(9):
        [row] = outbox.claim(engine, worker="a", now=now, limit=1)
        assert outbox.failed(engine, row.id, worker="a", now=now, error="Connection refused")
        due_at = stored(engine, message_id).due_at
        # Not retried before it is due, and retried once it is.
        assert (
            outbox.claim(engine, worker="a", now=due_at - timedelta(milliseconds=1), limit=1) == []
        )
        waits.append((due_at - now).total_seconds())
        now = due_at
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    failed = stored(engine, message_id)
    assert failed.attempts == 9
    assert failed.last_error == "Connection refused"
    assert failed.sent_at is None
    assert failed.claimed_by == ""


def test_only_the_holder_finishes_a_row(engine: Engine) -> None:
    [message_id] = queue_mail(engine, "ann@example.org")
    now = utcnow()
    outbox.claim(engine, worker="a", now=now, limit=1)
    assert not outbox.sent(engine, message_id, worker="b", now=now)
    assert not outbox.failed(engine, message_id, worker="b", now=now, error="no")
    assert stored(engine, message_id).sent_at is None
    assert outbox.sent(engine, message_id, worker="a", now=now)
    assert stored(engine, message_id).sent_at == now
    assert not outbox.sent(engine, message_id, worker="a", now=now)  # once


def test_give_up_finishes_a_row_and_says_why(engine: Engine) -> None:
    [message_id] = queue_mail(engine, "nobody@example.org")
    now = utcnow()
    outbox.claim(engine, worker="a", now=now, limit=1)
    assert outbox.give_up(engine, message_id, worker="a", now=now, error="550 No such user")
    row = stored(engine, message_id)
    assert row.given_up_at == now
    assert row.sent_at is None
    assert row.last_error == "Given up: 550 No such user"
    assert outbox.claim(engine, worker="b", now=now + outbox.LEASE * 2, limit=1) == []


def test_release_lets_another_worker_send_at_once(engine: Engine) -> None:
    ids = queue_mail(engine, "a@example.org", "b@example.org")
    now = utcnow()
    outbox.claim(engine, worker="a", now=now, limit=2)
    assert outbox.release(engine, worker="a", ids=ids[1:]) == 1
    assert [row.id for row in outbox.claim(engine, worker="b", now=now, limit=2)] == ids[1:]
    assert outbox.release(engine, worker="a") == 1
    assert stored(engine, ids[0]).attempts == 0  # letting go is no failed attempt
