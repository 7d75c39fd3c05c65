"""TLS and signing in: STARTTLS when the server offers it, TLS from the start with smtps://,
the server's certificate checked, and the URL's user name and password used to sign in."""

import asyncio
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import Engine

from app.mail.sender import Sender
from app.mail.smtp_url import parse_smtp_url
from tests.mail.conftest import SmtpServer, eventually, queue_mail, rows

USER, PASSWORD = "accord@example.org", "p@ss:w/rd"


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    """A certificate authority of the tests' own, which signs the server's certificate."""
    return trustme.CA()


@pytest.fixture
def server_tls(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def trusted(authority: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the tests' authority one the system trusts, as a real server's would be."""
    path = tmp_path / "authority.pem"
    authority.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))


def check_password(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def running(**options: Any) -> Iterator[SmtpServer]:
    server = SmtpServer(**options)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def starttls_server(server_tls: ssl.SSLContext) -> Iterator[SmtpServer]:
    """A server that takes mail only after STARTTLS and a sign-in."""
    yield from running(
        tls_context=server_tls,
        require_starttls=True,
        auth_required=True,
        authenticator=check_password,
    )


@pytest.fixture
def implicit_tls_server(server_tls: ssl.SSLContext) -> Iterator[SmtpServer]:
    yield from running(ssl_context=server_tls)


def send_one(engine: Engine, url: str, until: str) -> None:
    """Queue one email and run a sender on `url` until the row is sent, or has failed once
    when `until` is "failed"."""
    queue_mail(engine, "ann@example.org")

    def done() -> bool:
        [row] = rows(engine)
        return row.sent_at is not None if until == "sent" else row.attempts >= 1

    async def scenario() -> None:
        sender = Sender(engine, target=parse_smtp_url(url), mail_from="accord@accord.test")
        await sender.start()
        try:
            await asyncio.to_thread(eventually, done, f"the email {until}")
        finally:
            await sender.stop()

    asyncio.run(scenario())


@pytest.mark.usefixtures("trusted")
def test_send_mail_with_starttls_and_sign_in(engine: Engine, starttls_server: SmtpServer) -> None:
    url = f"smtp://accord%40example.org:p%40ss%3Aw%2Frd@127.0.0.1:{starttls_server.port}"
    send_one(engine, url, until="sent")
    [email] = starttls_server.inbox.received()
    assert email["To"] == "ann@example.org"


@pytest.mark.usefixtures("trusted")
def test_send_mail_with_tls_from_the_start(engine: Engine, implicit_tls_server: SmtpServer) -> None:
    send_one(engine, f"smtps://127.0.0.1:{implicit_tls_server.port}", until="sent")
    [email] = implicit_tls_server.inbox.received()
    assert email["To"] == "ann@example.org"


@pytest.mark.usefixtures("trusted")
def test_wrong_password_keeps_mail_waiting(engine: Engine, starttls_server: SmtpServer) -> None:
    send_one(engine, f"smtp://accord:wrong@127.0.0.1:{starttls_server.port}", until="failed")
    [row] = rows(engine)
    assert row.sent_at is None  # it waits for a corrected password
    assert "535" in row.last_error
    assert starttls_server.inbox.received() == []


def test_untrusted_certificate_is_refused(engine: Engine, starttls_server: SmtpServer) -> None:
    url = f"smtp://accord%40example.org:p%40ss%3Aw%2Frd@127.0.0.1:{starttls_server.port}"
    send_one(engine, url, until="failed")
    [row] = rows(engine)
    assert row.sent_at is None
    assert "CERTIFICATE_VERIFY_FAILED" in row.last_error
    assert starttls_server.inbox.received() == []
