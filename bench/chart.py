"""The latency chart on the benchmarks page: p99 and p50 edit-to-peer latency against the
number of clients, one line per database and number of workers, with the target marked."""

from collections import defaultdict
from pathlib import Path
from typing import Any

from matplotlib import colormaps
from matplotlib.figure import Figure  # a figure of its own, no pyplot state or display
from matplotlib.ticker import FixedLocator, NullLocator

TARGET_MS, TARGET_CLIENTS = 100.0, 200
TICKS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]


def label(database: str, workers: int) -> str:
    return f"{database}, {workers} worker{'s' if workers > 1 else ''}"


def _order(line: tuple[str, int]) -> tuple[bool, int]:
    database, workers = line
    return database != "SQLite", workers  # SQLite first, then by workers


def draw(rows: list[dict[str, Any]], path: Path) -> None:
    """Write the chart of the latency rows to `path` (PNG)."""
    lines: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        lines[(row["database"], row["workers"])].append(row)
    figure = Figure(figsize=(8, 5.5), dpi=120)
    axes = figure.subplots()
    colours = colormaps["tab10"]
    for n, line in enumerate(sorted(lines, key=_order)):
        found = sorted(lines[line], key=lambda row: row["clients"])
        clients = [row["clients"] for row in found]
        colour = colours(n)
        axes.plot(
            clients, [row["p99_ms"] for row in found], marker="o", color=colour, label=label(*line)
        )
        axes.plot(
            clients,
            [row["p50_ms"] for row in found],
            linestyle="--",
            linewidth=1,
            color=colour,
            alpha=0.7,
        )
    axes.axhline(TARGET_MS, color="crimson", linestyle=":", linewidth=1.2)
    axes.plot(
        [TARGET_CLIENTS],
        [TARGET_MS],
        marker="*",
        markersize=18,
        markerfacecolor="none",  # hollow, so that a point at the target shows through
        markeredgewidth=1.5,
        color="crimson",
        linestyle="none",
        label=f"target: p99 ≤ {TARGET_MS:g} ms at {TARGET_CLIENTS} clients",
    )
    axes.set_yscale("log")
    axes.yaxis.set_major_locator(FixedLocator(TICKS_MS))
    axes.yaxis.set_minor_locator(NullLocator())
    axes.yaxis.set_major_formatter(lambda value, _: f"{value:g}")
    top = max([TARGET_MS, *(row["p99_ms"] for row in rows)]) * 2
    bottom = min([TARGET_MS, *(row["p50_ms"] for row in rows if row["p50_ms"] > 0)]) / 1.5
    axes.set_ylim(bottom, top)
    axes.set_xticks(sorted({TARGET_CLIENTS, *(row["clients"] for row in rows)}))
    axes.set_xlim(0, max([TARGET_CLIENTS, *(row["clients"] for row in rows)]) + 10)
    axes.set_xlabel("clients in one statement, each typing 5 changes a second")
    axes.set_ylabel("edit-to-peer latency, ms (log scale)")
    axes.set_title("Edit-to-peer latency: p99 (solid, dots) and p50 (dashed)")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
