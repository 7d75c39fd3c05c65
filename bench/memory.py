"""Memory per idle live-editing connection.

Run: .venv/bin/python -m bench.memory [--sockets 1000] [--statements 1 20] [--deflate]

A real `accord serve` (SQLite) with 20 users, every one an editor of every statement; the
sockets are opened by those users in turn (the cap on sockets per person is raised for the
run) and spread evenly over the statements, then left idle. The server's resident memory
(VmRSS in /proc) is read after one socket has been opened and closed (so the code paths
are loaded), and again two seconds after the last socket has opened. The clients offer
permessage-deflate, as browsers do; the server accepts it only with `--deflate`
(ACCORD_WS_DEFLATE=true). One worker, as SQLite runs: with several, a socket costs the
worker it lands on the same, and each worker adds its own interpreter and code once.
"""

import argparse
import asyncio
import time
from dataclasses import dataclass

from bench import rows
from bench.clients import open_socket
from bench.server import Server, running

USERS = 20
OPEN_AT_ONCE = 50


@dataclass(frozen=True)
class Memory:
    sockets: int
    statements: int
    deflate: bool
    before_kib: int
    after_kib: int

    @property
    def per_socket_kib(self) -> float:
        return (self.after_kib - self.before_kib) / self.sockets

    def row(self) -> str:
        return (
            f"| {self.sockets:,} | {self.statements} | {'on' if self.deflate else 'off'} | "
            f"{self.before_kib / 1024:.1f} | {self.after_kib / 1024:.1f} | "
            f"{self.per_socket_kib:.1f} |"
        )


HEADER = (
    "| sockets | statements | deflate | RSS before MiB | RSS after MiB | KiB per socket |\n"
    "| --- | --- | --- | --- | --- | --- |"
)


async def _hold(server: Server, sockets: int, deflate: bool) -> Memory:
    ids = server.statement_ids
    first, _ = await open_socket(server.ws_base, ids[0], server.tokens[0])
    await first.close()
    await asyncio.sleep(1.0)
    before = server.rss_kib()
    opened = []
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def one(n: int) -> None:
        async with gate:
            socket, _ = await open_socket(
                server.ws_base, ids[n % len(ids)], server.tokens[n % USERS]
            )
            opened.append(socket)

    await asyncio.gather(*(one(n) for n in range(sockets)))
    await asyncio.sleep(2.0)
    after = server.rss_kib()
    started = time.monotonic()
    await asyncio.gather(*(socket.close() for socket in opened))
    assert time.monotonic() - started < 120
    return Memory(sockets, len(ids), deflate, before, after)


def measure(*, sockets: int = 1000, statements: int = 1, deflate: bool = False) -> Memory:
    env = {
        "ACCORD_MAX_SOCKETS_PER_USER": "100000",
        "ACCORD_WS_DEFLATE": "true" if deflate else "false",
    }
    with running(users=USERS, statements=statements, env=env) as server:
        return asyncio.run(_hold(server, sockets, deflate))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--statements", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--deflate", action="store_true", help="the server accepts compression")
    rows.add_option(parser)
    args = parser.parse_args()
    results = []
    print(HEADER, flush=True)
    for statements in args.statements:
        result = measure(sockets=args.sockets, statements=statements, deflate=args.deflate)
        print(result.row(), flush=True)
        results.append(result)
    rows.write(args.json, results)


if __name__ == "__main__":
    main()
