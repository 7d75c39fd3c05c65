"""The figures the report is rendered from: bench/results.json, each benchmark's last run.

A run of some benchmarks replaces their sections and leaves the others as they were, so the
page always shows every benchmark, each with the date and machine it was measured on.
"""

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results.json"


@dataclass(frozen=True)
class Section:
    """One benchmark's last run: when, on what, how busy the machine was, and its rows."""

    measured: str  # ISO 8601, UTC, when the run ended
    seconds: float  # how long the run took
    quick: bool  # a smoke run's short durations, not for comparison
    machine: dict[str, Any]
    busy_cores: float  # the machine's cores in use on average while it ran
    own_cores: float  # of which the benchmark's processes (client and server)
    commands: list[str]
    rows: list[dict[str, Any]]


def load(path: Path) -> dict[str, Section]:
    if not path.exists():
        return {}
    found = json.loads(path.read_text())
    return {name: Section(**section) for name, section in found["sections"].items()}


def save(path: Path, sections: dict[str, Section]) -> None:
    data = {"sections": {name: dataclasses.asdict(s) for name, s in sorted(sections.items())}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
