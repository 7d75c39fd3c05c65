"""How a benchmark hands its figures to the suite: with `--json PATH` it writes each result
row as a JSON object, beside the Markdown table it prints, and the suite reads them back."""

import argparse
import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", type=Path, help="also write the rows to this file, as JSON")


def _rounded(value: Any) -> Any:
    """Floats to three decimals (a microsecond, in milliseconds): the rest is noise."""
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def write(path: Path | None, rows: Sequence["DataclassInstance"]) -> None:
    """Write the rows, if a path was given."""
    if path is not None:
        found = [
            {key: _rounded(value) for key, value in dataclasses.asdict(row).items()} for row in rows
        ]
        path.write_text(json.dumps(found, indent=1) + "\n")


def read(path: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(path.read_text())
    return found
