"""The sender: delivers the outbox by SMTP on the app's event loop, off the request path.

A request that writes an outbox row commits it and, at most, pokes the sender; it never
waits for the SMTP server. The sender claims due rows in a thread (app/mail/outbox.py),
talks SMTP with aiosmtplib (every command with a timeout), then marks each row sent, failed
(due again after a backoff) or given up. Between rounds it sleeps until poked or for about
a second. Rows it could not send stay in the database, so nothing is lost while the SMTP
server is down; with several workers, each row goes to the worker that claimed it.

The sender also runs the chores it was given (plain functions of the engine and the time,
run in a thread) about every 30 seconds, whether or not mail is configured.
"""

import asyncio
import contextlib
import logging
import os
import socket
import ssl
from collections.abc import Callable, Sequence
from datetime import datetime
from email.utils import parseaddr

import aiosmtplib
from sqlalchemy import Engine

from app.config import Settings
from app.mail import outbox
from app.mail.compose import compose
from app.mail.smtp_url import SmtpTarget
from app.models.base import utcnow
from app.models.notification import OutboxMessage

Chore = Callable[[Engine, datetime], None]

BATCH = 10  # rows claimed at a time, sent over one connection
POLL_SECONDS = 1.0
CHORE_SECONDS = 30.0
SMTP_TIMEOUT_SECONDS = 20.0  # for each SMTP command, the connection included
LEASE_MARGIN_SECONDS = 15.0  # left of a claim's lease, at the latest, to record a round
STOP_GRACE_SECONDS = 5.0  # how long stop() lets a round in progress finish
log = logging.getLogger("accord.mail")


def worker_name() -> str:
    """A name for this sender, unique among the workers sharing a database."""
    return f"{socket.gethostname()[:20]}-{os.getpid()}-{os.urandom(3).hex()}"


class _Lost(ConnectionError):
    """The connection failed mid-round: the message and the rest of the round wait again."""


class Sender:
    """Delivers the outbox while started; see the module's docstring."""

    def __init__(
        self,
        engine: Engine,
        *,
        target: SmtpTarget | None,
        mail_from: str,
        chores: Sequence[Chore] = (),
        worker: str | None = None,
        poll_seconds: float = POLL_SECONDS,
        chore_seconds: float = CHORE_SECONDS,
        timeout: float = SMTP_TIMEOUT_SECONDS,
    ) -> None:
        self.engine = engine
        self.target = target
        self.mail_from = mail_from
        self.chores = list(chores)
        self.worker = worker or worker_name()
        self.poll_seconds = poll_seconds
        self.chore_seconds = chore_seconds
        self.timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._tls: ssl.SSLContext | None = None

    @classmethod
    def from_settings(
        cls, engine: Engine, settings: Settings, *, chores: Sequence[Chore] = ()
    ) -> "Sender":
        """A sender through the configured SMTP server, or one that only runs chores."""
        return cls(
            engine, target=settings.smtp, mail_from=settings.effective_mail_from, chores=chores
        )

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping.clear()
        if self.target is not None:
            # Reading the system's certificates blocks: once, in a thread, not on every connection.
            self._tls = await asyncio.to_thread(ssl.create_default_context)
            self._tasks.append(asyncio.create_task(self._deliver_loop()))
        self._tasks.append(asyncio.create_task(self._chore_loop()))

    async def stop(self) -> None:
        """Let a round in progress finish (briefly), then stop; rows still held are let go."""
        if not self._tasks:
            return
        self._stopping.set()
        self._wake.set()
        _, late = await asyncio.wait(self._tasks, timeout=STOP_GRACE_SECONDS)
        for task in late:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.target is not None:
            await asyncio.to_thread(outbox.release, self.engine, worker=self.worker)

    def poke(self) -> None:
        """Send now: something was written to the outbox. Safe from any thread."""
        if self._loop is None or self._loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed just now
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _pause(self, event: asyncio.Event, seconds: float) -> None:
        # A timeout rather than wait_for, which would start a task for every pause.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()

    async def _chore_loop(self) -> None:
        while not self._stopping.is_set():
            for chore in self.chores:
                try:
                    await asyncio.to_thread(chore, self.engine, utcnow())
                except Exception:
                    log.exception("the chore %s failed", getattr(chore, "__name__", chore))
            if self.chores:
                self.poke()  # a chore may have written to the outbox
            await self._pause(self._stopping, self.chore_seconds)

    async def _deliver_loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before claiming, so a poke during the round is kept
            try:
                full = await self._deliver_due()
            except Exception:
                log.exception("could not deliver the outbox")
                full = False
            if not full:
                await self._pause(self._wake, self.poll_seconds)

    async def _deliver_due(self) -> bool:
        """One round: claim due rows and send them; whether there may be more due."""
        batch = await asyncio.to_thread(
            outbox.claim, self.engine, worker=self.worker, now=utcnow(), limit=BATCH
        )
        if not batch:
            return False
        # No new message once half the lease is gone, and the round ends well before the
        # lease does, however slowly the server answers: no other worker may take a row that
        # this one is still sending.
        loop = asyncio.get_running_loop()
        lease = outbox.LEASE.total_seconds()
        start_by, end_by = loop.time() + lease / 2, loop.time() + lease - LEASE_MARGIN_SECONDS
        waiting = list(batch)
        try:
            async with asyncio.timeout_at(end_by), self._client() as smtp:
                while waiting and loop.time() < start_by and not self._stopping.is_set():
                    await self._send(smtp, waiting[0])
                    waiting.pop(0)
        except (aiosmtplib.SMTPException, OSError, _Lost) as error:  # OSError: TimeoutError too
            cause = error.__cause__ if isinstance(error, _Lost) else error
            await self._fail(waiting, _describe(cause))
            return False
        if waiting:
            ids = [message.id for message in waiting]
            await asyncio.to_thread(outbox.release, self.engine, worker=self.worker, ids=ids)
        return len(batch) == BATCH

    def _client(self) -> aiosmtplib.SMTP:
        target = self.target
        assert target is not None
        implicit = target.security == "tls"
        return aiosmtplib.SMTP(
            hostname=target.host,
            port=target.port,
            username=target.username,
            password=target.password,
            use_tls=implicit,
            start_tls=False if implicit else None,  # None: STARTTLS when the server offers it
            tls_context=self._tls,
            timeout=self.timeout,
        )

    async def _send(self, smtp: aiosmtplib.SMTP, message: OutboxMessage) -> None:
        """Send one message and record the outcome; raise _Lost if the connection failed."""
        try:
            email = compose(message, sender=self.mail_from)
            await smtp.send_message(
                email, sender=parseaddr(self.mail_from)[1], recipients=[message.to_address.strip()]
            )
        except ValueError as error:  # not an address, or not one SMTP can carry
            await self._give_up(message, str(error))
            return
        except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPDataError) as error:
            code, answer = _refusal(error)
            # 5xx: the server refuses this recipient or this content for good.
            if code >= 500:
                await self._give_up(message, f"{code} {answer}")
            else:
                await self._fail([message], f"{code} {answer}")
            return
        except (aiosmtplib.SMTPException, OSError) as error:
            raise _Lost from error
        await asyncio.to_thread(
            outbox.sent, self.engine, message.id, worker=self.worker, now=utcnow()
        )

    async def _give_up(self, message: OutboxMessage, error: str) -> None:
        log.warning("gave up on the email of outbox row %d: %s", message.id, error)
        await asyncio.to_thread(
            outbox.give_up, self.engine, message.id, worker=self.worker, now=utcnow(), error=error
        )

    async def _fail(self, messages: Sequence[OutboxMessage], error: str) -> None:
        if messages:
            log.warning("could not send %d email(s), will try again: %s", len(messages), error)

        def record() -> None:
            for message in messages:
                outbox.failed(
                    self.engine, message.id, worker=self.worker, now=utcnow(), error=error
                )

        await asyncio.to_thread(record)


def _refusal(error: aiosmtplib.SMTPException) -> tuple[int, str]:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return error.recipients[0].code, error.recipients[0].message
    assert isinstance(error, aiosmtplib.SMTPResponseException)
    return error.code, error.message


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "the connection failed"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
