"""Latency of the everyday API calls against a real `accord serve` on the demo database.

Run: .venv/bin/python -m bench.requests [--rounds 300]
It starts its own server on a free local port with a fresh demo database, signs in as the
demo facilitator and times, one request at a time: signing in (argon2 verification), reading
the statement, its members and its text, and listing one's statements. Prints a Markdown table.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import httpx

from bench import rows
from bench.server import free_port, wait_until_up
from bench.stats import percentile

FACILITATOR = {"email": "facilitator@example.org", "password": "accord-demo"}


def timed(call: Callable[[], httpx.Response], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return samples


@dataclass(frozen=True)
class Timing:
    request: str
    n: int
    p50_ms: float
    p99_ms: float
    per_second: float  # one at a time

    def row(self) -> str:
        return (
            f"| {self.request} | {self.n} | {self.p50_ms:.1f} | {self.p99_ms:.1f} | "
            f"{self.per_second:.0f} |"
        )


HEADER = (
    "| request | n | p50 ms | p99 ms | requests/s, one at a time |\n| --- | --- | --- | --- | --- |"
)


def timing(request: str, samples: list[float]) -> Timing:
    return Timing(
        request=request,
        n=len(samples),
        p50_ms=statistics.median(samples),
        p99_ms=percentile(samples, 0.99),
        per_second=1000 / statistics.mean(samples),
    )


def measure(rounds: int) -> list[Timing]:
    """Sign in twenty times, then each read `rounds` times, on a fresh demo server."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "ACCORD_DATA_DIR": data, "ACCORD_LOG_LEVEL": "warning"}
        server = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "demo", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(base, server)
            headers = {"Origin": base}
            with httpx.Client(base_url=base, headers=headers) as client:
                sign_ins = timed(lambda: client.post("/api/session", json=FACILITATOR), 20)
                found = [timing("POST /api/session (argon2)", sign_ins)]
                for path in (
                    "/api/statements",
                    "/api/statements/1",
                    "/api/statements/1/members",
                    "/api/statements/1/text",
                ):
                    samples = timed(partial(client.get, path), rounds)
                    found.append(timing(f"GET {path}", samples))
        finally:
            server.terminate()
            server.wait(timeout=10)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    rows.add_option(parser)
    args = parser.parse_args()
    results = measure(args.rounds)
    print(HEADER)
    for result in results:
        print(result.row())
    rows.write(args.json, results)


if __name__ == "__main__":
    main()
