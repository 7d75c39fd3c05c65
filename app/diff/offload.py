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
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from app.diff.compare import Run, compare
from app.models.diff import TextDiffPublic

# Code points, both texts together, up to which a thread is used (see docs/diff.md).
THREAD_LIMIT = 20_000
WORKERS = 1

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


def _compare_pickled(
    old: str, new: str, old_name: str, new_name: str, new_authors: list[Run] | None
) -> bytes:
    """In the worker: the comparison as JSON, which the loop's process turns back into a
    model in one fast step instead of unpickling many small objects."""
    result = compare(old, new, old_name=old_name, new_name=new_name, new_authors=new_authors)
    return result.model_dump_json().encode()


async def compare_off_loop(
    old: str,
    new: str,
    *,
    old_name: str,
    new_name: str,
    new_authors: list[Run] | None = None,
) -> TextDiffPublic:
    """`compare`, run where it cannot stall the event loop."""
    if len(old) + len(new) <= THREAD_LIMIT:
        return await asyncio.to_thread(
            compare, old, new, old_name=old_name, new_name=new_name, new_authors=new_authors
        )
    loop = asyncio.get_running_loop()
    call = partial(_compare_pickled, old, new, old_name, new_name, new_authors)
    raw = await loop.run_in_executor(_process_pool(), call)
    return TextDiffPublic.model_validate_json(raw)
