"""CPU use over a benchmark's measured window: the server's, the load generator's and the
whole machine's, each as a share of one core (200% is both cores of this machine).

The machine's share tells a quiet run from one that shared the cores with other jobs: what it
has beyond the server and the generator is PostgreSQL's work and everyone else's.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from bench import procfs


@dataclass(frozen=True)
class CpuUse:
    server: float
    client: float  # this process, the load generator
    machine: float


class Window:
    """Notes CPU times at the start and end of a window, from timer threads, so that the
    load generator's event loop is not interrupted to do it. Use as a context manager around
    the run; `use()` afterwards."""

    def __init__(self, server_cpu: Callable[[], float], start: float, stop: float) -> None:
        self.server_cpu = server_cpu
        self.seconds = stop - start
        self.notes: list[tuple[float, float, float]] = []
        self.timers = [
            threading.Timer(moment - time.monotonic(), self._note) for moment in (start, stop)
        ]

    def _note(self) -> None:
        self.notes.append((self.server_cpu(), time.process_time(), procfs.machine_busy_seconds()))

    def __enter__(self) -> "Window":
        for timer in self.timers:
            timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for timer in self.timers:
            if error is not None:
                timer.cancel()
            timer.join()

    def use(self) -> CpuUse:
        if len(self.notes) != 2:
            return CpuUse(0.0, 0.0, 0.0)
        (server, client, machine), (server_end, client_end, machine_end) = self.notes
        return CpuUse(
            server=(server_end - server) / self.seconds,
            client=(client_end - client) / self.seconds,
            machine=(machine_end - machine) / self.seconds,
        )
