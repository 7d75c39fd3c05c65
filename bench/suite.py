"""The whole suite: which benchmarks there are, how each is run, and running them.

Each benchmark runs as its own process, exactly as its command shows (plus `--json`), so that
one's leftovers (threads, a process pool, a warm cache) cannot touch the next, and the
command the page shows is the one that made its figures. `--quick` runs the same code with
short durations and fewer clients, to check that the suite works, not to measure.
"""

import contextlib
import os
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import machine, procfs, rows
from bench.store import Section

# Longer than any benchmark's process takes here (the latency one, about seven minutes), so
# that a stuck run ends instead of holding up the suite.
TIMEOUT = 30 * 60


@dataclass(frozen=True)
class Benchmark:
    name: str  # its module in bench/, and its name for --only
    full: tuple[str, ...]  # the arguments of each process, as typed in a shell
    quick: tuple[str, ...]

    def runs(self, quick: bool) -> list[list[str]]:
        return [shlex.split(args) for args in (self.quick if quick else self.full)]

    def command(self, args: list[str]) -> str:
        """How the page shows one run: the command that does it alone."""
        return shlex.join([".venv/bin/python", "-m", f"bench.{self.name}", *args])


SUITE = (
    Benchmark("requests", full=("--rounds 500",), quick=("--rounds 50",)),
    Benchmark(
        "storm", full=("--people 13 40 100 --rounds 3",), quick=("--people 5 13 --rounds 1",)
    ),
    Benchmark("pipeline", full=("",), quick=("",)),
    Benchmark("sequencing", full=("",), quick=("",)),
    Benchmark(
        "durable",
        full=(
            "--seconds 8 --statements 1 50",
            "--seconds 8 --statements 250 --clients 1000",
            "--seconds 8 --statements 50 --database postgres --level server routed room"
            " --workers 1 2",
        ),
        quick=(
            "--seconds 2 --statements 50 --clients 100",
            "--seconds 2 --statements 50 --clients 100 --database postgres --level server routed"
            " --workers 2",
        ),
    ),
    Benchmark(
        "latency",
        full=(
            "--seconds 8 --clients 10 50 100 150 200 --database sqlite postgres --workers 1 2 4",
        ),
        quick=("--seconds 2 --clients 10 50 --database sqlite postgres --workers 1 2",),
    ),
    Benchmark(
        "suggestions",
        full=("--rounds 6 --seconds 10 --clients 100 --suggestions 300",),
        quick=("--rounds 1 --seconds 2 --clients 20 --suggestions 30",),
    ),
    Benchmark(
        "flood",
        full=("--seconds 8 --clients 20 --flooders 0 1 4",),
        quick=("--seconds 2 --clients 10 --flooders 0 1",),
    ),
    Benchmark(
        "memory",
        full=(
            "--sockets 1000 --statements 1 20",
            "--sockets 1000 --statements 1 20 --deflate",
        ),
        quick=("--sockets 100 --statements 1",),
    ),
    Benchmark(
        "churn",
        full=("--rounds 25 --warm-up 10 --sockets 200 --statements 5",),
        quick=("--rounds 4 --warm-up 1 --sockets 60 --statements 3",),
    ),
    Benchmark("diff", full=("",), quick=("--sizes '5 KB' '50 KB'",)),
    Benchmark(
        "join",
        full=("--runs 20 --database sqlite postgres",),
        quick=("--runs 3 --database sqlite postgres",),
    ),
    Benchmark(
        "consent_map",
        full=("--people 40 --organisations 13 --sections 12 --stances 100",),
        quick=("--people 13 --organisations 5 --sections 6 --stances 10",),
    ),
)
NAMES = [benchmark.name for benchmark in SUITE]


class Failed(Exception):
    """A benchmark's process exited with an error; its earlier figures stay."""


def _run_one(benchmark: Benchmark, args: list[str]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "rows.json"
        command = [sys.executable, "-m", f"bench.{benchmark.name}", *args, "--json", str(output)]
        print(f"\n$ {benchmark.command(args)}", flush=True)
        # A session of its own, so that a stuck run can be ended with its servers.
        process = subprocess.Popen(command, start_new_session=True)
        try:
            code = process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            _interrupt(process)
            raise Failed(f"{benchmark.command(args)} took over {TIMEOUT // 60} minutes") from None
        except KeyboardInterrupt:  # Ctrl-C reached the suite only
            _interrupt(process)
            raise
        if code != 0 or not output.exists():
            raise Failed(f"{benchmark.command(args)} failed")
        return rows.read(output)


def _interrupt(process: subprocess.Popen[bytes]) -> None:
    """Interrupt a benchmark and its servers, as Ctrl-C would, so that they clean up (their
    temporary folders, a profile); kill them if that takes more than a minute."""
    with contextlib.suppress(ProcessLookupError):  # all gone already
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _children_cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(benchmark: Benchmark, *, quick: bool) -> Section:
    """Run every process of one benchmark; raise Failed if one of them fails."""
    started = time.monotonic()
    busy, own = procfs.machine_busy_seconds(), _children_cpu_seconds()
    found = []
    for args in benchmark.runs(quick):
        found += _run_one(benchmark, args)
    seconds = time.monotonic() - started
    return Section(
        measured=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=round(seconds, 1),
        quick=quick,
        machine=machine.describe(),
        busy_cores=round((procfs.machine_busy_seconds() - busy) / seconds, 2),
        own_cores=round((_children_cpu_seconds() - own) / seconds, 2),
        commands=[benchmark.command(args) for args in benchmark.runs(quick)],
        rows=found,
    )
