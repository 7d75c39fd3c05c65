"""The sender delivers the outbox through a real SMTP server: everything arrives once, even
when the server was down for a while, and a slow server never holds up a request."""

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import Settings
from app.mail.sender import Sender
from app.middleware import SESSION_COOKIE
from app.models.base import utcnow
from app.models.notification import OutboxMessage
from app.services import sessions
from tests.factories import make_user
from tests.mail.conftest import WAIT_SECONDS, SmtpServer, eventually, queue_mail, rows


def all_rows(engine: Engine, test: Callable[[OutboxMessage], bool]) -> Callable[[], bool]:
    return lambda: all(test(row) for row in rows(engine))


def mailer(app: FastAPI) -> Sender:
    sender = app.state.mailer
    assert isinstance(sender, Sender)
    return sender


def test_sender_delivers_outbox(
    client: TestClient, app: FastAPI, engine: Engine, smtp_server: SmtpServer
) -> None:
    url = "http://testserver/unsubscribe/token"
    queue_mail(engine, "ann@example.org")
    queue_mail(engine, "bob@example.org", unsubscribe_url=url)
    mailer(app).poke()
    ann, bob = sorted(smtp_server.inbox.wait_for(2), key=lambda email: str(email["To"]))
    assert ann["To"] == "ann@example.org"
    assert ann["From"] == "Accord <accord@accord.test>"
    assert ann["Subject"] == "A reply for ann@example.org"
    assert ann.get_content_type() == "multipart/alternative"
    text = ann.get_body(("plain",))
    html = ann.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "someone replied" in text.get_content()
    assert html.get_content().startswith("<p>Hello ann@example.org")
    assert "List-Unsubscribe" not in ann
    assert bob["List-Unsubscribe"] == f"<{url}>"
    assert bob["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ("accord@accord.test", ["ann@example.org"]) in smtp_server.inbox.envelopes
    eventually(all_rows(engine, lambda row: row.sent_at is not None), "the rows marked sent")


def test_mail_waits_while_smtp_is_down_then_all_arrives_once(
    client: TestClient, app: FastAPI, engine: Engine, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()
    ids = queue_mail(engine, *(f"person{n}@example.org" for n in range(12)))
    mailer(app).poke()
    eventually(all_rows(engine, lambda row: row.attempts >= 1), "every row to fail once")
    waiting = rows(engine)
    assert all(row.sent_at is None for row in waiting)
    assert all("Connect" in row.last_error or "refused" in row.last_error for row in waiting)
    # However often it failed, none waits more than a minute for its next attempt.
    assert all(row.due_at <= utcnow() + timedelta(seconds=60) for row in waiting)
    smtp_server.start()
    eventually(all_rows(engine, lambda row: row.sent_at is not None), "every row sent")
    assert client.portal is not None
    client.portal.call(mailer(app).stop)  # nothing more can arrive
    received = smtp_server.inbox.received()
    assert sorted(str(email["To"]) for email in received) == sorted(
        f"person{n}@example.org" for n in range(12)
    )
    assert len({email["Message-ID"] for email in received}) == len(ids)


def test_refused_recipient_is_given_up_and_the_rest_arrive(
    client: TestClient, app: FastAPI, engine: Engine, smtp_server: SmtpServer
) -> None:
    smtp_server.inbox.refused.add("nobody@example.org")
    nobody, _ = queue_mail(engine, "nobody@example.org", "ann@example.org")
    mailer(app).poke()
    [email] = smtp_server.inbox.wait_for(1)
    assert email["To"] == "ann@example.org"
    eventually(
        all_rows(engine, lambda row: (row.sent_at or row.given_up_at) is not None),
        "both rows finished",
    )
    refused, sent = rows(engine)
    assert refused.id == nobody
    assert refused.sent_at is None
    assert refused.given_up_at is not None
    assert refused.last_error == "Given up: 550 5.1.1 No such user here"
    assert sent.last_error == ""


def test_slow_smtp_server_does_not_slow_requests(
    client: TestClient,
    app: FastAPI,
    engine: Engine,
    session: Session,
    settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    user = make_user(session)
    client.cookies.set(
        SESSION_COOKIE, sessions.start_session(session=session, settings=settings, user=user)
    )
    session.commit()
    smtp_server.inbox.gate.clear()  # the server takes each message and does not answer
    queue_mail(engine, "ann@example.org")
    mailer(app).poke()
    eventually(smtp_server.inbox.held.is_set, "the SMTP server to hold a message")
    pool = ThreadPoolExecutor(1)
    try:
        # On the app's event loop, as the sender is: it would hang if sending blocked the loop.
        answer = pool.submit(
            client.post, "/api/statements", json={"title": "Statement on Mail", "text": "Hi"}
        ).result(timeout=WAIT_SECONDS)
        stuck = smtp_server.inbox.received() == [] and rows(engine)[0].sent_at is None
    finally:
        smtp_server.inbox.gate.set()  # the server answers at last
        pool.shutdown(wait=False)
    assert answer.status_code == 201, answer.text
    assert stuck  # the request was answered while the email was still on its way
    assert smtp_server.inbox.wait_for(1)[0]["To"] == "ann@example.org"


def test_sender_runs_chores_when_mail_is_off(engine: Engine) -> None:
    calls: list[datetime] = []
    thrice = threading.Event()

    def failing(engine: Engine, now: datetime) -> None:
        raise RuntimeError("a chore that fails")

    def counting(given: Engine, now: datetime) -> None:
        assert given is engine
        calls.append(now)
        if len(calls) >= 3:
            thrice.set()

    async def scenario() -> None:
        sender = Sender(
            engine,
            target=None,
            mail_from="accord@localhost",
            chores=[failing, counting],
            chore_seconds=0.01,
        )
        await sender.start()
        sender.poke()  # nothing to send with mail off: no harm done
        try:
            assert await asyncio.to_thread(thrice.wait, WAIT_SECONDS)
        finally:
            await sender.stop()

    asyncio.run(scenario())
    # A failing chore does not stop the others, nor the ones after it.
    assert calls == sorted(calls)
    assert all(now.tzinfo is not None for now in calls)
