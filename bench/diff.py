"""How long comparing two versions of a statement takes, and how long it stalls the loop.

Run: .venv/bin/python -m bench.diff
Statements of about 5 KB, 50 KB and 500 KB are built from the prose paragraphs of the
automerge-paper trace's final text (see bench/data/README.md), LaTeX commands taken out, one
paragraph a line and a blank line between, as the editor keeps them. Each repeated paragraph
has a tenth of its words swapped for others, so that no paragraph is there twice. About 2% of
the words then change: `scattered` anywhere, `clustered` in four stretches (half the words of
each stretch change). A change replaces, removes or adds a word. Each pair is compared by
`compare` several times (median and maximum), then once by `compare_off_loop` while a ticker
coroutine records the longest gap between its 1 ms ticks (five times: median and maximum),
beside the same for a plain thread.
"""

import argparse
import asyncio
import gzip
import json
import random
import re
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from app.diff import compare, compare_off_loop
from app.diff.offload import close_pool
from app.models.diff import TextDiffPublic
from bench import rows

TRACE = Path(__file__).parent / "data" / "automerge-paper.json.gz"
SIZES = {"5 KB": 5_000, "50 KB": 50_000, "500 KB": 500_000}
RUNS = {"5 KB": 50, "50 KB": 20, "500 KB": 7}
CHANGED = 0.02
STALL_RUNS = 5


def paragraphs() -> list[str]:
    """The paper's prose paragraphs, without LaTeX commands, each on one line."""
    text = json.loads(gzip.decompress(TRACE.read_bytes()))["endContent"]
    found = []
    for block in text.split("\n\n"):
        block = re.sub(r"~?\\cite\{[^}]*\}|\\[a-zA-Z]+\*?(\[[^]]*\])?", "", block)
        block = " ".join(block.replace("{", "").replace("}", "").split())
        if len(block) > 200 and not block.startswith("%"):
            found.append(block)
    return found


def statement(size: int, rng: random.Random) -> str:
    source = paragraphs()
    vocabulary = sorted({w for p in source for w in p.split()})
    out: list[str] = []
    length, index = 0, 0
    while length < size:
        words = source[index % len(source)].split()
        if index >= len(source):
            words = [rng.choice(vocabulary) if rng.random() < 0.1 else w for w in words]
        para = " ".join(words)
        out.append(para)
        length += len(para) + 2
        index += 1
    return "\n\n".join(out) + "\n"


def edited(text: str, pattern: str, rng: random.Random) -> str:
    """`text` with about 2% of its words replaced, removed or added."""
    tokens = re.split(r"( +)", text)  # words at even indexes, spaces at odd
    positions = list(range(0, len(tokens), 2))
    count = int(len(positions) * CHANGED)
    if pattern == "scattered":
        chosen = rng.sample(positions, count)
    else:
        chosen = []
        for _ in range(4):
            start = rng.randrange(len(positions) - count)
            chosen += positions[start : start + count // 2 : 1][::2]
    vocabulary = [tokens[p] for p in rng.sample(positions, 500) if "\n" not in tokens[p]]
    for position in chosen:
        word = tokens[position]
        if "\n" in word:
            continue
        roll = rng.random()
        if roll < 0.7:
            tokens[position] = rng.choice(vocabulary).strip("\n") or word
        elif roll < 0.85:
            tokens[position] = ""
        else:
            tokens[position] = f"{word} {rng.choice(vocabulary).strip()}"
    return "".join(tokens)


async def longest_stall(work: Callable[[], Awaitable[TextDiffPublic]]) -> float:
    """The longest gap, in ms, between the ticks of a 1 ms ticker while `work` runs."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    await work()
    done.set()
    await task
    return max(gaps) * 1000


async def stalls(old: str, new: str) -> tuple[list[float], list[float]]:
    def off_loop() -> Awaitable[TextDiffPublic]:
        return compare_off_loop(old, new, old_name="old", new_name="new")

    def thread() -> Awaitable[TextDiffPublic]:
        return asyncio.to_thread(compare, old, new, old_name="old", new_name="new")

    off = [await longest_stall(off_loop) for _ in range(STALL_RUNS)]
    threaded = [await longest_stall(thread) for _ in range(STALL_RUNS)]
    return off, threaded


@dataclass(frozen=True)
class Comparison:
    size: str
    characters: int
    changes: str  # scattered or clustered
    runs: int
    median_ms: float
    max_ms: float
    words_added: int
    words_removed: int
    off_loop_stall_ms: list[float]  # median and maximum
    thread_stall_ms: list[float]

    def row(self) -> str:
        off, thread = self.off_loop_stall_ms, self.thread_stall_ms
        return (
            f"| {self.size} ({self.characters:,} chars) | {self.changes} | {self.runs} "
            f"| {self.median_ms:.1f} | {self.max_ms:.1f} "
            f"| +{self.words_added} -{self.words_removed} "
            f"| {off[0]:.1f} ({off[1]:.1f}) | {thread[0]:.1f} ({thread[1]:.1f}) |"
        )


HEADER = (
    "| size | changes | runs | median ms | max ms | words +/- "
    "| loop stall ms, off loop: median (max) | loop stall ms, thread: median (max) |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- |"
)


def measure(label: str, pattern: str, old: str, rng: random.Random) -> Comparison:
    """Time comparing `old` with an edited copy, and the loop's stalls meanwhile."""
    new = edited(old, pattern, rng)
    times = []
    for _ in range(RUNS[label]):
        start = time.perf_counter()
        result = compare(old, new, old_name="old", new_name="new")
        times.append((time.perf_counter() - start) * 1000)
    off_loop, thread = asyncio.run(stalls(old, new))
    return Comparison(
        size=label,
        characters=len(old),
        changes=pattern,
        runs=len(times),
        median_ms=statistics.median(times),
        max_ms=max(times),
        words_added=result.counts.words_added,
        words_removed=result.counts.words_removed,
        off_loop_stall_ms=[statistics.median(off_loop), max(off_loop)],
        thread_stall_ms=[statistics.median(thread), max(thread)],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=list(SIZES))
    rows.add_option(parser)
    args = parser.parse_args()
    rng = random.Random(7)
    # Start the worker process before timing, as a server would have it running.
    asyncio.run(compare_off_loop("a" * 30_000, "b" * 30_000, old_name="a", new_name="b"))
    results = []
    print(HEADER, flush=True)
    for label in args.sizes:
        old = statement(SIZES[label], rng)
        for pattern in ("scattered", "clustered"):
            result = measure(label, pattern, old, rng)
            print(result.row(), flush=True)
            results.append(result)
    close_pool()
    rows.write(args.json, results)


if __name__ == "__main__":
    main()
