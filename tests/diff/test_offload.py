"""The comparison off the event loop gives the same answer, in a thread or a process."""

import asyncio

import pytest

from app.diff import compare, compare_off_loop, offload

OLD = "We agree on the plan.\n\nParks come next.\n"
NEW = "Parks come next.\n\nWe all agree on the plan.\n"


def test_compare_off_loop_in_thread_matches_compare() -> None:
    result = asyncio.run(compare_off_loop(OLD, NEW, old_name="a", new_name="b"))
    assert result == compare(OLD, NEW, old_name="a", new_name="b")


def test_compare_off_loop_in_process_matches_compare(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offload, "THREAD_LIMIT", 0)
    runs = [(len(NEW), 7)]
    try:
        result = asyncio.run(
            compare_off_loop(OLD, NEW, old_name="a", new_name="b", new_authors=runs)
        )
    finally:
        offload.close_pool()
    assert result == compare(OLD, NEW, old_name="a", new_name="b", new_authors=runs)
    assert (
        result.model_dump_json()
        == compare(OLD, NEW, old_name="a", new_name="b", new_authors=runs).model_dump_json()
    )
