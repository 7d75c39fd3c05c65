"""A real SMTP server in the test process (aiosmtpd on loopback) that keeps what arrives,
can be stopped and started again on its port, refuse some recipients, or hold every message
until it is let go."""

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import Engine
from sqlmodel import Session as DbSession
from sqlmodel import col, select

from app.config import Settings
from app.models.notification import OutboxMessage

WAIT_SECONDS = 30.0  # the bound on every wait for a condition


def eventually(condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
    """Wait until `condition()` holds; fail, naming `what`, if it does not within `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting for {what}")
        time.sleep(0.02)


class Inbox:
    """The aiosmtpd handler: keeps each message that arrives, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refused: set[str] = set()  # recipients answered 550
        self.gate = threading.Event()  # cleared: DATA waits until it is set again
        self.gate.set()
        self.held = threading.Event()  # set once a message waits at the closed gate
        self._lock = threading.Lock()

    async def handle_RCPT(  # noqa: N802 (the name aiosmtpd calls)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (the name aiosmtpd calls)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if not self.gate.is_set():
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.gate.wait)
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.messages.append(parsed)
            self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def received(self) -> list[EmailMessage]:
        with self._lock:
            return list(self.messages)

    def wait_for(self, count: int) -> list[EmailMessage]:
        """The messages once at least `count` have arrived."""
        eventually(lambda: len(self.received()) >= count, f"{count} message(s) to arrive")
        return self.received()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class SmtpServer:
    """An SMTP server on 127.0.0.1 that can go down and come back on the same port; `options`
    go to aiosmtpd (TLS, sign-in)."""

    def __init__(self, **options: Any) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.options = options
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, **self.options
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self.inbox.gate.set()  # a held message would keep the server from stopping
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    """The test settings, with mail sent to the test's SMTP server."""
    return settings.model_copy(
        update={"smtp_url": smtp_server.url, "mail_from": "Accord <accord@accord.test>"}
    )


def queue_mail(engine: Engine, *addresses: str, unsubscribe_url: str = "") -> list[int]:
    """Write an outbox row for each address, as the code that notifies people does."""
    with DbSession(engine) as session:
        rows = [
            OutboxMessage(
                to_address=address,
                subject=f"A reply for {address}",
                text_body=f"Hello {address}, someone replied.\n",
                html_body=f"<p>Hello {address}, someone replied.</p>",
                unsubscribe_url=unsubscribe_url,
            )
            for address in addresses
        ]
        session.add_all(rows)
        session.commit()
        return [row.id for row in rows]


def rows(engine: Engine) -> list[OutboxMessage]:
    """The outbox as it is now, oldest first."""
    with DbSession(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))
