"""Run a comparison without stalling the event loop.

A comparison is pure Python, so a thread holds the GIL while it runs and the event loop gets
it back only at each switch interval (5 ms): small texts, whose whole comparison takes about
that long, run in a thread; larger ones in a process of their own, so that the loop keeps
its GIL. The process pool is made on first use, from a fork server (forking a process that
runs threads is unsafe), with this package already imported.
"""

import asyncio
import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any

from app.diff.compare import Run, compare
from app.models.diff import DiffCounts, DiffMove, DiffSegment, SideBySideRow, TextDiffPublic

# Code points, both texts together, up to which a thread is used (see docs/diff.md).
THREAD_LIMIT = 20_000
WORKERS = 1
CHUNK = 100  # segments rebuilt between two turns of the loop

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _process_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["app.diff"])
            _pool = ProcessPoolExecutor(max_workers=WORKERS, mp_context=context)
        return _pool


def close_pool() -> None:
    """Stop the worker process, if one was started (at shutdown, say)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown()
            _pool = None


def _compare_plain(
    old: str, new: str, old_name: str, new_name: str, new_authors: Sequence[Run] | None
) -> dict[str, Any]:
    """In the worker: the comparison as plain dicts and lists, which unpickle in a
    millisecond or two (a pickled model takes ten times as long, all of it holding the GIL)."""
    result = compare(old, new, old_name=old_name, new_name=new_name, new_authors=new_authors)
    return result.model_dump()


async def _rebuild(data: dict[str, Any]) -> TextDiffPublic:
    """The model again, built a slice at a time so that the loop runs in between."""
    segments: list[DiffSegment] = []
    for start in range(0, len(data["segments"]), CHUNK):
        segments += [
            DiffSegment.model_construct(**s) for s in data["segments"][start : start + CHUNK]
        ]
        await asyncio.sleep(0)
    rows: list[SideBySideRow] = []
    for start in range(0, len(data["rows"]), CHUNK // 4):
        rows += [_row(row) for row in data["rows"][start : start + CHUNK // 4]]
        await asyncio.sleep(0)
    moves = [
        DiffMove.model_construct(
            id=move["id"],
            identical=move["identical"],
            changes=[DiffSegment.model_construct(**change) for change in move["changes"]],
        )
        for move in data["moves"]
    ]
    counts = DiffCounts.model_construct(**data["counts"])
    fields = {**data, "segments": segments, "rows": rows, "moves": moves, "counts": counts}
    return TextDiffPublic.model_construct(**fields)


def _row(data: dict[str, Any]) -> SideBySideRow:
    return SideBySideRow.model_construct(**{**data, "rows": [_row(row) for row in data["rows"]]})


async def compare_off_loop(
    old: str,
    new: str,
    *,
    old_name: str,
    new_name: str,
    new_authors: Sequence[Run] | None = None,
) -> TextDiffPublic:
    """`compare`, run where it cannot stall the event loop."""
    if len(old) + len(new) <= THREAD_LIMIT:
        return await asyncio.to_thread(
            compare, old, new, old_name=old_name, new_name=new_name, new_authors=new_authors
        )
    loop = asyncio.get_running_loop()
    call = partial(_compare_plain, old, new, old_name, new_name, new_authors)
    return await _rebuild(await loop.run_in_executor(_process_pool(), call))
