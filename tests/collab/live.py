"""A real Accord server process and asynchronous editors that speak the live protocol to it.

The editor follows ot.js's client rules: one change in flight, the rest composed into a
buffer, remote changes transformed over both. It survives dropped connections the way the
protocol asks: it reconnects with the same client id and `since=<rev>`, recognises its own
in-flight change among the missed ones, and otherwise resends it with the same seq.
"""

import asyncio
import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from app.collab import ops

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"
RESEND_AFTER = 0.2  # seconds before a change the server could not save is sent again


class ProtocolViolation(AssertionError):
    """The server sent something the protocol does not allow at that moment."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    """`accord serve` in its own process, on a fixed port and data folder, restartable."""

    data_dir: Path
    settings: dict[str, str] = field(default_factory=dict)  # more ACCORD_ variables
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def address(self) -> list[str]:
        return ["--host", "127.0.0.1", "--port", str(self.port)]

    @property
    def log(self) -> Path:
        return self.data_dir / "server.log"

    def env(self) -> dict[str, str]:
        # Drop the developer's own ACCORD_ settings so that nothing leaks into the run.
        clean = {key: value for key, value in os.environ.items() if not key.startswith("ACCORD_")}
        return {
            **clean,
            "ACCORD_DATA_DIR": str(self.data_dir),
            "ACCORD_LOG_LEVEL": "warning",
            **self.settings,
        }

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as output:
            output.write(f"--- start {self.starts} ---\n".encode())
            output.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "serve", *self.address],
                cwd=ROOT,
                env=self.env(),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        """Poll GET /api/me until the server answers (401: up, and nobody is signed in)."""
        assert self.process is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"Accord exited with status {self.process.returncode}:\n{self.log_text()}"
                )
            try:
                httpx.get(f"{self.url}/api/me", timeout=1, trust_env=False)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError(f"Accord did not answer within 30 s:\n{self.log_text()}")

    def freeze(self) -> None:
        """SIGSTOP: the server reads, writes and acknowledges nothing until it is killed."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing, as when the machine loses power to the process."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def create_account(self, name: str) -> tuple[str, str]:
        """Create an account as an operator does, with the CLI; return its email and password."""
        email = f"person-{uuid.uuid4().hex[:10]}@example.org"
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "user", "create", "--email", email, "--name", name],
            input=f"{PASSWORD}\n",
            text=True,
            capture_output=True,
            cwd=ROOT,
            env=self.env(),
            timeout=60,
        )
        assert done.returncode == 0, f"accord user create failed: {done.stderr}"
        return email, PASSWORD

    def operation_log(self, statement_id: int) -> list[tuple[int, list[Any], str, int]]:
        """The statement's (rev, op, client_id, seq) rows, read from the database itself."""
        url = self.settings.get("ACCORD_DATABASE_URL", "")
        if url.startswith("postgresql"):
            with psycopg.connect(url) as db:
                found = db.execute(
                    "SELECT rev, op, client_id, seq FROM operation WHERE statement_id = %s "
                    "ORDER BY rev",
                    (statement_id,),
                ).fetchall()
            return [(rev, op, client_id, seq) for rev, op, client_id, seq in found]
        path = Path(url.removeprefix("sqlite:///")) if url else self.data_dir / "accord.sqlite3"
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = db.execute(
                "SELECT rev, op, client_id, seq FROM operation WHERE statement_id = ? ORDER BY rev",
                (statement_id,),
            ).fetchall()
        return [(rev, json.loads(op), client_id, seq) for rev, op, client_id, seq in rows]


def _browser(server: ServerProcess) -> httpx.Client:
    """An HTTP client that keeps cookies and sends the Origin header, as a page's fetch does."""
    return httpx.Client(
        base_url=server.url, headers={"Origin": server.url}, trust_env=False, timeout=30
    )


def _ok(response: httpx.Response) -> Any:
    assert response.is_success, (
        f"{response.request.method} {response.request.url} answered "
        f"{response.status_code}: {response.text}"
    )
    return response.json()


def _api_token(browser: httpx.Client) -> str:
    return str(_ok(browser.post("/api/tokens", json={"name": "live test"}))["token"])


@dataclass(frozen=True)
class Team:
    """API tokens of a facilitator and of some editors (each signed up through an invitation)."""

    facilitator_token: str
    editor_tokens: list[str]


def bearer(server: ServerProcess, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
        timeout=30,
    )


def make_team(server: ServerProcess, editors: int) -> Team:
    """A facilitator (made with the CLI) and `editors` people who sign up through invitations."""
    email, password = server.create_account("Fatima Facilitator")
    with _browser(server) as facilitator:
        _ok(facilitator.post("/api/session", json={"email": email, "password": password}))
        token = _api_token(facilitator)
    # The invitations that sign the editors up are for a first statement of their own.
    with bearer(server, token) as facilitator:
        statement = _ok(facilitator.post("/api/statements", json={"title": "Welcome"}))
    editor_tokens = []
    for number in range(editors):
        invitation = _invite(server, token, int(statement["id"]))
        with _browser(server) as editor:
            _ok(
                editor.post(
                    f"/api/invitations/{invitation}/accept",
                    json={
                        "name": f"Editor {number}",
                        "organisation": f"Chapter {number}",
                        "email": f"editor-{uuid.uuid4().hex[:10]}@example.org",
                        "password": PASSWORD,
                    },
                )
            )
            editor_tokens.append(_api_token(editor))
    return Team(token, editor_tokens)


def _invite(server: ServerProcess, token: str, statement_id: int) -> str:
    with bearer(server, token) as facilitator:
        path = f"/api/statements/{statement_id}/invitations"
        return str(_ok(facilitator.post(path, json={"role": "editor"}))["token"])


def start_statement(server: ServerProcess, team: Team, text: str) -> int:
    """The facilitator starts a statement with `text`; every editor joins it as an editor."""
    with bearer(server, team.facilitator_token) as facilitator:
        statement = _ok(facilitator.post("/api/statements", json={"title": "Live", "text": text}))
    statement_id = int(statement["id"])
    for token in team.editor_tokens:
        invitation = _invite(server, team.facilitator_token, statement_id)
        with bearer(server, token) as editor:
            joined = _ok(editor.post(f"/api/invitations/{invitation}/accept", json={}))
            assert joined["role"] == "editor", joined
    return statement_id


def server_text(server: ServerProcess, token: str, statement_id: int) -> tuple[int, str]:
    """GET the statement's text at its head: (rev, text)."""
    with bearer(server, token) as reader:
        answer = _ok(reader.get(f"/api/statements/{statement_id}/text"))
    return int(answer["rev"]), str(answer["text"])


def replay(log: list[tuple[int, list[Any], str, int]]) -> str:
    """The text the op log makes from revision 0, checking that revisions run 1, 2, ... N."""
    revs = [rev for rev, _, _, _ in log]
    assert revs == list(range(1, len(log) + 1)), f"the op log's revisions have gaps: {revs}"
    text = ""
    for _, op, _, _ in log:
        text = ops.apply(text, ops.parse(op))
    return text


@dataclass
class LiveEditor:
    """One editor (one browser tab) on a live server, with ot.js's client state machine."""

    ws_url: str
    statement_id: int
    token: str
    name: str
    client_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    rev: int = -1  # -1: never connected, so the first hello brings the whole text
    text: str = ""
    seq: int = 0  # the seq of the newest change sent
    inflight: ops.Operation | None = None
    buffer: ops.Operation | None = None
    acks: dict[int, int] = field(default_factory=dict)  # seq -> rev, as first acknowledged
    acked_inserts: list[str] = field(default_factory=list)  # what each acknowledged change typed
    socket: ClientConnection | None = None
    reader: asyncio.Task[None] | None = None
    trace: list[str] = field(default_factory=list)  # what happened, for failure messages
    problem: BaseException | None = None

    @property
    def connected(self) -> bool:
        return self.socket is not None and self.reader is not None and not self.reader.done()

    @property
    def quiet(self) -> bool:
        return self.inflight is None and self.buffer is None

    def _note(self, event: str) -> None:
        self.trace.append(event)
        del self.trace[:-40]

    def _fail(self, message: str) -> ProtocolViolation:
        recent = "\n  ".join(self.trace)
        return ProtocolViolation(f"{self.name} ({self.client_id}): {message}\n  {recent}")

    def edit(self, op: ops.Operation) -> None:
        """Make a change locally; it is sent now, or buffered behind the one in flight."""
        self.text = ops.apply(self.text, op)
        if self.inflight is None:
            self.inflight = op
            self.seq += 1
            self._send_inflight()
        elif self.buffer is None:
            self.buffer = op
        else:
            self.buffer = ops.compose(self.buffer, op)

    def _send_inflight(self) -> None:
        if self.socket is None or self.rev < 0:
            return  # offline: it goes out when the connection is back
        frame = {"type": "op", "base_rev": self.rev, "seq": self.seq, "op": self.inflight}
        self._note(f"send seq={self.seq} base_rev={self.rev}")
        # Best effort: a dropped socket loses the frame, and the reconnect resends it.
        asyncio.get_running_loop().create_task(self._send(json.dumps(frame)))

    async def _send(self, raw: str) -> None:
        socket = self.socket
        if socket is None:
            return
        with contextlib.suppress(ConnectionClosed):
            await socket.send(raw)

    def _resend(self, seq: int) -> None:
        if seq == self.seq and self.inflight is not None:
            self._send_inflight()

    def _acknowledged(self, seq: int, rev: int, how: str) -> None:
        """Our change in flight is durable as `rev`: it must be the very next revision."""
        if self.inflight is None or seq != self.seq:
            if self.acks.get(seq) != rev:
                raise self._fail(f"{how} for seq={seq} rev={rev}, which is not in flight")
            self._note(f"{how} seq={seq} rev={rev} again (ignored)")
            return
        if rev != self.rev + 1:
            raise self._fail(f"{how} for seq={seq} says rev={rev} but we are at rev={self.rev}")
        self._note(f"{how} seq={seq} rev={rev}")
        self.acks[seq] = rev
        self.rev = rev
        self.acked_inserts.append(ops.inserted(self.inflight))
        self.inflight, self.buffer = self.buffer, None
        if self.inflight is not None:
            self.seq += 1
            self._send_inflight()

    def _remote(self, rev: int, remote: ops.Operation, how: str) -> None:
        if rev != self.rev + 1:
            raise self._fail(f"{how} rev={rev} arrived at rev={self.rev}")
        if self.inflight is not None:
            self.inflight, remote = ops.transform(self.inflight, remote)
        if self.buffer is not None:
            self.buffer, remote = ops.transform(self.buffer, remote)
        self.text = ops.apply(self.text, remote)
        self.rev = rev

    def _change(self, entry: dict[str, Any], how: str) -> None:
        """A sequenced change: someone else's, or (among a hello's) our own, meaning an ack."""
        if entry["client_id"] == self.client_id:
            if how == "op":  # even after a reconnect, our own change comes back as an ack
                raise self._fail(f"our own change came back as someone else's: {entry}")
            self._acknowledged(int(entry["seq"]), int(entry["rev"]), f"own {how}")
        else:
            self._remote(int(entry["rev"]), entry["op"], how)

    async def connect(self, within: float = 10) -> None:
        """Open the socket, catch up from the hello, and resend the change in flight."""
        query = f"client_id={self.client_id}" + (f"&since={self.rev}" if self.rev >= 0 else "")
        socket = await connect(
            f"{self.ws_url}/ws/statements/{self.statement_id}?{query}",
            additional_headers={"Authorization": f"Bearer {self.token}"},
            proxy=None,
            open_timeout=within,
            max_size=None,
        )
        hello = json.loads(await asyncio.wait_for(socket.recv(), within))
        if hello.get("type") != "hello":
            await socket.close()
            raise self._fail(f"the first frame is not a hello: {hello}")
        self._note(f"hello rev={hello['rev']} since={self.rev} ops={len(hello.get('ops', []))}")
        if self.rev < 0:
            self.rev, self.text = hello["rev"], hello["text"]
        elif "ops" not in hello:
            raise self._fail(f"a hello without ops after since={self.rev}: {hello}")
        else:
            for entry in hello["ops"]:
                self._change(entry, "hello op")
            if self.rev != hello["rev"]:
                raise self._fail(f"the hello's ops end at {self.rev}, not at {hello['rev']}")
        self.socket = socket
        if self.inflight is not None:
            self._send_inflight()  # the same seq: the server applies it at most once
        self.reader = asyncio.create_task(self._read(socket))

    async def _read(self, socket: ClientConnection) -> None:
        try:
            async for raw in socket:
                frame = json.loads(raw)
                kind = frame["type"]
                if kind == "ack":
                    self._acknowledged(int(frame["seq"]), int(frame["rev"]), "ack")
                elif kind == "op":
                    self._change(frame, "op")
                elif kind == "error" and frame["code"] == "not_saved":
                    # Nothing was applied: the change in flight goes again, with its seq,
                    # after a moment (as a browser does), and with the same seq.
                    self._note(f"not saved seq={frame.get('seq')}")
                    asyncio.get_running_loop().call_later(
                        RESEND_AFTER, self._resend, int(frame.get("seq", 0))
                    )
                elif kind == "error":
                    raise self._fail(f"the server refused a frame: {frame}")
                elif kind != "presence":
                    raise self._fail(f"an unexpected frame: {frame}")
        except ConnectionClosed:
            pass
        except ProtocolViolation as violation:
            self.problem = violation  # raised by check(), in the task that drives this editor
            await socket.close()

    async def drop(self, *, abruptly: bool) -> None:
        """Lose the connection: a clean close, or the TCP connection cut without a goodbye."""
        socket, reader = self.socket, self.reader
        self.socket = self.reader = None
        if socket is None:
            return
        self._note(f"drop abruptly={abruptly}")
        if abruptly:
            socket.transport.abort()
        else:
            await socket.close()
        if reader is not None:
            await asyncio.gather(reader, return_exceptions=True)
        self.check()

    def check(self) -> None:
        if self.problem is not None:
            raise self.problem

    async def reconnect(self, *, patience: float = 30) -> None:
        """Reconnect with backoff until the server answers again."""
        await self.drop(abruptly=False)
        delay, deadline = 0.05, time.monotonic() + patience
        while True:
            try:
                await self.connect()
                return
            except (OSError, WebSocketException, TimeoutError) as problem:
                if time.monotonic() > deadline:
                    message = f"could not reconnect within {patience} s: {problem!r}"
                    raise self._fail(message) from problem
                self._note(f"reconnect failed: {problem!r}")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    async def close(self) -> None:
        await self.drop(abruptly=False)


async def settle(editors: list[LiveEditor], *, within: float = 20) -> None:
    """Wait until no editor has an unacknowledged change and all stand at one revision."""
    deadline = time.monotonic() + within
    while True:
        for editor in editors:
            editor.check()
            if not editor.connected:
                await editor.reconnect()
        revs = {editor.rev for editor in editors}
        if all(editor.quiet for editor in editors) and len(revs) == 1:
            return
        if time.monotonic() > deadline:
            states = [
                f"{e.name}: rev={e.rev} seq={e.seq} inflight={e.inflight} buffer={e.buffer}"
                for e in editors
            ]
            raise AssertionError("the editors did not settle:\n" + "\n".join(states))
        await asyncio.sleep(0.05)
