"""What the benchmarks aim at, each target a figure the report picks from the rows and checks.

A target names the rows it applies to by their fields (a set of values means any of them); the
figure checked is the worst of those rows, so a target over two databases is met only if both
meet it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.flood import accepted_per_second

Row = dict[str, Any]


def _field(name: str) -> Callable[[Row], float]:
    def value(row: Row) -> float:
        return float(row[name])

    return value


def _per_second(row: Row) -> float:
    return float(row["changes"]) / float(row["seconds"])


def _accepted_per_second(row: Row) -> float:
    return accepted_per_second(
        row["flood_accepted"], row["flooders"], row["limit"], row["flood_seconds"]
    )


def _left_behind(row: Row) -> float:
    return float(row["left_behind"][-1])


def _storm_p99(row: Row) -> float:
    """The p99 of those who got in; nobody getting in misses any target."""
    return float(row["p99_s"]) if row["got_in"] else float("inf")


@dataclass(frozen=True)
class Target:
    benchmark: str
    what: str  # what is measured, in words
    limit: float
    unit: str
    at_most: bool  # the figure must not exceed the limit (else: must reach it)
    where: dict[str, Any]
    value: Callable[[Row], float] = field(repr=False)
    decimals: int = 1  # of the figure, below 1,000

    def rows(self, rows: list[Row]) -> list[Row]:
        def matches(row: Row) -> bool:
            return all(
                row.get(key) in wanted if isinstance(wanted, frozenset) else row.get(key) == wanted
                for key, wanted in self.where.items()
            )

        return [row for row in rows if matches(row)]

    def worst(self, rows: list[Row]) -> Row | None:
        """The row with the worst figure among those the target applies to, if any."""
        found = self.rows(rows)
        if not found:
            return None
        return (max if self.at_most else min)(found, key=self.value)

    def measured(self, rows: list[Row]) -> float | None:
        """The worst figure among the rows the target applies to; None if none was measured."""
        row = self.worst(rows)
        return None if row is None else self.value(row)

    def met(self, figure: float) -> bool:
        return figure <= self.limit if self.at_most else figure >= self.limit

    @property
    def wanted(self) -> str:
        return f"{'at most' if self.at_most else 'at least'} {self.limit:,g} {self.unit}"


TARGETS = (
    Target(
        "storm",
        "p99 from signing in to the statement's live hello, 100 people at once, SQLite",
        5,
        "s",
        at_most=True,
        where={"people": 100},
        value=_storm_p99,
        decimals=2,
    ),
    Target(
        "storm",
        "answers other than 2xx to people signing in and opening one statement at once, "
        "13 to 100 of them, SQLite",
        0,
        "answers",
        at_most=True,
        where={},
        value=_field("not_2xx"),
        decimals=0,
    ),
    Target(
        "durable",
        "durable changes a second, end to end, 200 clients on 50 statements, SQLite",
        20_000,
        "a second",
        at_most=False,
        where={"database": "SQLite", "level": "server", "statements": 50, "clients": 200},
        value=_per_second,
    ),
    Target(
        "durable",
        "durable changes a second, end to end, 200 clients on 50 statements, "
        "PostgreSQL with 2 workers",
        10_000,
        "a second",
        at_most=False,
        where={
            "database": "PostgreSQL",
            "level": "server",
            "workers": 2,
            "statements": 50,
            "clients": 200,
        },
        value=_per_second,
    ),
    Target(
        "latency",
        "p99 edit-to-peer latency, 100 clients typing 5 changes a second, SQLite",
        50,
        "ms",
        at_most=True,
        where={"database": "SQLite", "workers": 1, "clients": 100, "rate": 5},
        value=_field("p99_ms"),
    ),
    Target(
        "latency",
        "p99 edit-to-peer latency, 200 clients typing 5 changes a second, SQLite",
        100,
        "ms",
        at_most=True,
        where={"database": "SQLite", "workers": 1, "clients": 200, "rate": 5},
        value=_field("p99_ms"),
    ),
    Target(
        "latency",
        "p99 edit-to-peer latency, 200 clients typing 5 changes a second, "
        "PostgreSQL with 2 workers",
        100,
        "ms",
        at_most=True,
        where={"database": "PostgreSQL", "workers": 2, "clients": 200, "rate": 5},
        value=_field("p99_ms"),
    ),
    Target(
        "suggestions",
        "p99 edit-to-peer with 300 open suggestions, within 20% of without: 100 clients "
        "typing 5 changes a second on a 100 KB statement, SQLite",
        1.2,
        "times the p99 without",
        at_most=True,
        where={"database": "SQLite", "workers": 1, "clients": 100, "suggestions": 300},
        value=_field("ratio"),
        decimals=2,
    ),
    Target(
        "suggestions",
        "the server's CPU time a change with 300 open suggestions, within 20% of without, "
        "in the same runs",
        1.2,
        "times the CPU time without",
        at_most=True,
        where={"database": "SQLite", "workers": 1, "clients": 100, "suggestions": 300},
        value=_field("cpu_ratio"),
        decimals=2,
    ),
    Target(
        "flood",
        "p99 edit-to-peer latency, 20 clients typing 5 changes a second beside 1 or 4 "
        "flooding clients, SQLite",
        50,
        "ms",
        at_most=True,
        where={"database": "SQLite", "clients": 20, "rate": 5, "flooders": frozenset({1, 4})},
        value=_field("p99_ms"),
    ),
    Target(
        "flood",
        "changes accepted from a flooding client a second, past the burst it may open with, SQLite",
        50,
        "a second",
        at_most=True,
        where={"database": "SQLite", "flooders": frozenset({1, 4})},
        value=_accepted_per_second,
    ),
    Target(
        "churn",
        "growth of the server's memory a round past the first 10, each round 200 sockets "
        "opening, editing and leaving (a third of them silent, a third without a close frame)",
        256,
        "KiB a round",
        at_most=True,
        where={"sockets": 200, "warm_up": 10},
        value=_field("growth_kib"),
    ),
    Target(
        "churn",
        "sockets the server still keeps in their statements once every socket of the last "
        "round has left, as a newcomer's hello lists them",
        0,
        "left behind",
        at_most=True,
        where={"sockets": 200, "warm_up": 10},
        value=_left_behind,
        decimals=0,
    ),
    Target(
        "diff",
        "comparing two versions of 500 KB, median",
        300,
        "ms",
        at_most=True,
        where={"size": "500 KB"},
        value=_field("median_ms"),
    ),
    Target(
        "diff",
        "comparing two versions of 50 KB, median",
        15,
        "ms",
        at_most=True,
        where={"size": "50 KB"},
        value=_field("median_ms"),
    ),
    Target(
        "join",
        "joining a statement with a 259,778-change history, median, room loading or open, "
        "SQLite and PostgreSQL",
        50,
        "ms",
        at_most=True,
        where={"request": frozenset({"join, first (room loads)", "join, later (room open)"})},
        value=_field("median_ms"),
    ),
    Target(
        "consent_map",
        "a stance shown in its cell of the consent map, from its live event reaching the page, "
        "p95, 40 people in 13 organisations and 12 sections, SQLite",
        100,
        "ms",
        at_most=True,
        where={"people": 40, "sections": 12},
        value=_field("p95_ms"),
    ),
)
