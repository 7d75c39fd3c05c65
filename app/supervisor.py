"""`accord serve --workers N`: uvicorn's supervisor, patient with workers on a busy host and
saying why it replaced one.

uvicorn starts each worker as a new Python process (multiprocessing's spawn), which imports
the command's main module, then begins answering the supervisor's health checks from a thread
of its own, then imports and starts the app. A worker that does not answer within the
timeout is killed and replaced; uvicorn's default of 5 s is shorter than a worker's imports
take on two busy cores, so there workers were killed over and over before they could start.
The command's main module is therefore kept light (app/cli.py), and the timeout here is long:
the health check answers whenever the process gets a moment of CPU, even while its event
loop is busy, so a worker silent for this long is stuck, not slow.

uvicorn notes a dead worker only at the info level and without the cause; this supervisor
logs a warning naming the worker, its exit code or signal, and the worker started in its
place.
"""

import logging
import signal

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.supervisors.multiprocess import Multiprocess, Process

HEALTHCHECK_SECONDS = 60

log = logging.getLogger("uvicorn.error")  # where uvicorn's own supervisor reports


def describe_exit(exitcode: int | None) -> str:
    """How a worker process ended, in words: its exit code, or the signal that ended it."""
    if exitcode is None:
        return "is gone"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"was killed by {name}"
    return f"exited with code {exitcode}"


class Supervisor(Multiprocess):
    """uvicorn's supervisor of worker processes, reporting each one it replaces."""

    def __init__(self, config: Config) -> None:
        super().__init__(config, sockets=[config.bind_socket()])
        self.failed = False  # a worker could not start, so the server stopped

    def keep_subprocess_alive(self) -> None:
        for index, worker in enumerate(self.processes):
            # Ctrl-C in a terminal reaches the workers too: once a signal waits, workers
            # ending are the server stopping, and the supervisor's loop handles it next.
            if self.should_exit.is_set() or self.signal_queue:
                return
            timeout = self.config.timeout_worker_healthcheck
            if worker.is_alive(timeout=timeout):
                continue
            stuck = worker.process.is_alive()
            worker.kill()
            worker.join()
            if self.should_exit.is_set() or self.signal_queue:
                return
            if worker.exitcode == STARTUP_FAILURE:
                # Its app did not start (a database that does not answer, a schema out of
                # date): every worker would fail the same way.
                log.error(
                    "Worker %s could not start (exit code %s); stopping the server.",
                    worker.pid,
                    STARTUP_FAILURE,
                )
                self.failed = True
                self.should_exit.set()
                return
            if stuck and worker.exitcode == -signal.SIGKILL:
                cause = f"did not answer for {timeout} s and was killed"
            else:
                cause = describe_exit(worker.exitcode)
            replacement = Process(self.config, self.sockets)
            replacement.start()
            self.processes[index] = replacement
            log.warning(
                "Worker %s %s; started worker %s in its place.",
                worker.pid,
                cause,
                replacement.pid,
            )
