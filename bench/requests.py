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
from functools import partial

import httpx

from bench.server import free_port, wait_until_up

FACILITATOR = {"email": "facilitator@example.org", "password": "accord-demo"}


def timed(call: Callable[[], httpx.Response], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return samples


def row(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"| {name} | {len(samples)} | {statistics.median(samples):.1f} | {p99:.1f} | "
        f"{1000 / statistics.mean(samples):.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
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
                lines = [
                    "| request | n | p50 ms | p99 ms | requests/s, one at a time |",
                    "| --- | --- | --- | --- | --- |",
                    row("POST /api/session (argon2)", sign_ins),
                ]
                for path in (
                    "/api/statements",
                    "/api/statements/1",
                    "/api/statements/1/members",
                    "/api/statements/1/text",
                ):
                    samples = timed(partial(client.get, path), args.rounds)
                    lines.append(row(f"GET {path}", samples))
        finally:
            server.terminate()
            server.wait(timeout=10)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
