"""`accord serve --workers N` watched from outside, as an operator would: its output, its
worker processes, and which of them answer `GET /api/health`; and busy processes that load
the cores meanwhile. Linux only: /proc tells which process holds a connection."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        parent = int(stat.rpartition(")")[2].split()[1])
        if parent == pid and b"spawn_main" in command:  # a process multiprocessing started
            found.append(int(entry.name))
    return sorted(found)


def _sockets(pid: int) -> set[str]:
    """The inodes of the sockets a process holds open."""
    inodes = set()
    with contextlib.suppress(OSError):
        for descriptor in (PROC / str(pid) / "fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(descriptor)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    return inodes


def _accepted(port: int, client_port: int) -> str | None:
    """The inode of the server's end of the connection from `client_port` to `port`."""
    for table in ("tcp", "tcp6"):
        for line in (PROC / "net" / table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = fields[1].rpartition(":")[2], fields[2].rpartition(":")[2]
            if int(local, 16) == port and int(remote, 16) == client_port:
                return fields[9]
    return None


@dataclass
class Served:
    """A running `accord serve`: its supervisor, its output so far, and connections held
    open to the workers that answered on them."""

    process: subprocess.Popen[bytes]
    port: int
    output: Path
    held: list[socket.socket] = field(default_factory=list)

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def workers(self) -> list[int]:
        """The worker processes the supervisor runs now."""
        return _children(self.process.pid)

    def _ask_health(self) -> int | None:
        """Ask for /api/health on a new connection, kept open; the worker that answered 200."""
        try:
            connection = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        except OSError:  # not listening yet
            return None
        try:
            connection.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            head = b""
            while b"\r\n" not in head:
                chunk = connection.recv(1024)
                if not chunk:
                    break
                head += chunk
        except OSError:  # no worker took it in time, or the one that did was killed
            connection.close()
            return None
        inode = _accepted(self.port, connection.getsockname()[1])
        holders = [pid for pid in self.workers() if inode is not None and inode in _sockets(pid)]
        if not head.startswith(b"HTTP/1.1 200") or len(holders) != 1:
            connection.close()
            return None
        # Held open, so that the worker keeps it and the kernel may hand the next to another.
        self.held.append(connection)
        return holders[0]

    def wait_until_answering(self, count: int, within: float) -> set[int]:
        """Wait until `count` workers run and each has answered 200 to /api/health."""
        deadline = time.monotonic() + within
        answered: set[int] = set()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"accord serve exited:\n{self.text()}")
            workers = set(self.workers())
            if len(workers) == count and workers <= answered:
                return workers
            worker = self._ask_health()
            if worker is not None:
                answered.add(worker)
            else:
                time.sleep(0.1)
            if len(self.held) > 200:  # the kernel keeps choosing the same: start afresh
                self.close_held()
        raise AssertionError(
            f"{count} workers did not all answer within {within:.0f} s "
            f"(running {self.workers()}, answered {sorted(answered)}):\n{self.text()}"
        )

    def wait_for_output(self, text: str, within: float) -> str:
        """Wait until the output holds `text`; return the line holding it."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for line in self.text().splitlines():
                if text in line:
                    return line
            time.sleep(0.1)
        raise AssertionError(f"accord serve did not say {text!r}:\n{self.text()}")

    def close_held(self) -> None:
        for connection in self.held:
            connection.close()
        self.held.clear()


@contextlib.contextmanager
def serving(env: dict[str, str], workers: int, output: Path) -> Iterator[Served]:
    """`accord serve --workers N` on a free port with the ACCORD_ settings `env`, stopped as
    Ctrl-C would at the end (and, if that takes over a minute, killed with its workers)."""
    port = free_port()
    clean = {key: value for key, value in os.environ.items() if not key.startswith("ACCORD_")}
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            env={**clean, **env},
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to end the workers with it
        )
    served = Served(process, port, output)
    try:
        yield served
    finally:
        served.close_held()
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def busy_cores(count: int, longest: float) -> Iterator[None]:
    """`count` processes each keeping a core busy, for the block or at most `longest`
    seconds (each ends by itself then, should the block's end not come)."""
    loop = f"import time\nend = time.monotonic() + {longest}\nwhile time.monotonic() < end: pass"
    loops = [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(count)]
    try:
        yield
    finally:
        for process in loops:
            process.terminate()
        for process in loops:
            process.wait(timeout=30)
