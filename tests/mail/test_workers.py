"""Two workers sending one outbox: each email goes out once, whichever worker claims it."""

import asyncio

import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import make_engine
from app.mail.sender import Sender
from app.models.notification import OutboxMessage
from tests.conftest import fresh_database, own_name
from tests.mail.conftest import SmtpServer, eventually, queue_mail

COUNT = 60


def _unsent(engine: Engine) -> int:
    with Session(engine) as session:
        query = select(OutboxMessage.id).where(col(OutboxMessage.sent_at).is_(None))
        return len(session.exec(query).all())


def deliver_with_two_workers(settings: Settings, smtp_server: SmtpServer) -> None:
    """Queue COUNT emails, send them with two senders, each with its own engine as two
    worker processes would have, and check that each arrived exactly once."""
    engines = [make_engine(settings) for _ in range(2)]
    with Session(engines[0]) as session:
        session.execute(delete(OutboxMessage))
        session.commit()
    ids = queue_mail(engines[0], *(f"person{n}@example.org" for n in range(COUNT)))
    senders = [
        Sender(engine, target=settings.smtp, mail_from="accord@accord.test", worker=f"w{n}")
        for n, engine in enumerate(engines)
    ]

    def all_sent() -> bool:
        return _unsent(engines[0]) == 0

    async def scenario() -> None:
        await asyncio.gather(*(sender.start() for sender in senders))
        try:
            await asyncio.to_thread(eventually, all_sent, "every email sent")
        finally:
            await asyncio.gather(*(sender.stop() for sender in senders))

    try:
        asyncio.run(scenario())
        with Session(engines[0]) as session:
            sent = session.exec(select(OutboxMessage)).all()
    finally:
        for engine in engines:
            engine.dispose()
    received = smtp_server.inbox.received()
    addresses = [str(email["To"]) for email in received]
    assert sorted(addresses) == sorted(f"person{n}@example.org" for n in range(COUNT))
    assert len({email["Message-ID"] for email in received}) == len(ids)
    assert {row.claimed_by for row in sent} <= {"w0", "w1"}
    assert all(row.attempts == 0 for row in sent)
    assert all(row.sent_at is not None for row in sent)


def test_two_senders_deliver_each_email_once(
    engine: Engine, settings: Settings, smtp_server: SmtpServer
) -> None:
    deliver_with_two_workers(settings, smtp_server)


@pytest.fixture(scope="module")
def mail_database(postgres_url: str) -> str:
    return fresh_database(postgres_url, own_name("accord_mail"))


@pytest.mark.postgres
def test_two_senders_on_postgresql_deliver_each_email_once(
    mail_database: str, smtp_server: SmtpServer
) -> None:
    settings = Settings(database_url=mail_database, smtp_url=smtp_server.url)
    deliver_with_two_workers(settings, smtp_server)
