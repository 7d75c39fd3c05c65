"""The benchmarks page: bench/templates/benchmarks.md filled in from the stored results.

The template holds the prose (how each benchmark measures, what limits it, what came
before); this module fills in what a run decides: the commands, the tables, the targets and
whether each is met, the machine and how busy it was. A benchmark never measured says so.
"""

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from string import Template
from typing import Any, Protocol

from bench import (
    churn,
    consent_map,
    diff,
    durable,
    flood,
    join,
    latency,
    memory,
    pipeline,
    requests,
    storm,
    suggestions,
)
from bench.chart import draw
from bench.store import Section
from bench.suite import NAMES
from bench.targets import TARGETS, Target

TEMPLATE = Path(__file__).parent / "templates" / "benchmarks.md"


class Row(Protocol):
    def row(self) -> str: ...


# Each benchmark's table: its header, and the class whose `row()` renders one stored row.
TABLES: dict[str, tuple[str, Callable[..., Row]]] = {
    "requests": (requests.HEADER, requests.Timing),
    "storm": (storm.HEADER, storm.Storm),
    "pipeline": (pipeline.HEADER, pipeline.Replay),
    "sequencing": (pipeline.HEADER, pipeline.Replay),
    "durable": (durable.HEADER, durable.Throughput),
    "latency": (latency.HEADER, latency.Latency),
    "suggestions": (suggestions.HEADER, suggestions.Carried),
    "flood": (flood.HEADER, flood.Flooded),
    "memory": (memory.HEADER, memory.Memory),
    "churn": (churn.HEADER, churn.Churn),
    "diff": (diff.HEADER, diff.Comparison),
    "join": (join.HEADER, join.Timing),
    "consent_map": (consent_map.HEADER, consent_map.Shown),
}


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _date(section: Section) -> str:
    return datetime.fromisoformat(section.measured).strftime("%Y-%m-%d %H:%M UTC")


def describe_machine(found: dict[str, Any]) -> str:
    return (
        f"{found['cores']} cores ({found['cpu']}), {found['memory_gib']:g} GiB of memory; "
        f"Python {found['python']}, SQLite {found['sqlite']}, "
        f"PostgreSQL {found['postgresql']}"
    )


def machine(sections: dict[str, Section]) -> str:
    if not sections:
        return "Nothing has been measured yet."
    machines = {describe_machine(s.machine) for s in sections.values()}
    days = sorted(section.measured[:10] for section in sections.values())
    when = days[0] if days[0] == days[-1] else f"between {days[0]} and {days[-1]}"
    if len(machines) == 1:
        return f"Measured {when} on {machines.pop()}."
    return f"Measured {when} on more than one machine; each section names its own."


def run_line(section: Section, one_machine: bool) -> str:
    cores = section.machine["cores"]
    line = (
        f"Last run {_date(section)}, taking {_duration(section.seconds)}. On average "
        f"{section.busy_cores:.1f} of the machine's {cores} cores were busy, "
        f"{section.own_cores:.1f} with the benchmark's own processes."
    )
    if not one_machine:
        line += f" Measured on {describe_machine(section.machine)}."
    if section.quick:
        line += (
            "\n\n**A quick run** (short durations, fewer clients): these figures show that "
            "the suite works, and are not for comparison."
        )
    return line


def table(name: str, section: Section) -> str:
    header, make = TABLES[name]
    try:
        lines = [make(**row).row() for row in section.rows]
    except TypeError:  # fields added or removed since
        return (
            "The stored figures do not fit this version of the benchmark's table: "
            f"`.venv/bin/python -m bench --only {name}` measures them again."
        )
    return "\n".join([header, *lines])


def figure(target: Target, value: float) -> str:
    decimals = 0 if value >= 1000 else target.decimals
    return f"{value:,.{decimals}f} {target.unit}"


def verdict(target: Target, section: Section | None) -> tuple[str, str]:
    """The measured figure, in words, with how busy the machine was if the row says, and
    whether the target is met."""
    row = None if section is None else target.worst(section.rows)
    if row is None:
        return "not measured", ""
    value = target.value(row)
    measured = figure(target, value)
    if "machine_cpu" in row:
        server, client = row.get("server_cpu", 0.0), row.get("client_cpu", 0.0)
        rest = max(0.0, row["machine_cpu"] - server - client)
        measured += f" (server {server:.0%}, clients {client:.0%}, rest {rest:.0%})"
    return measured, "met" if target.met(value) else "**missed**"


def targets_summary(sections: dict[str, Section]) -> str:
    lines = [
        "In brackets, for the websocket benchmarks, the shares of a core that the server, the "
        "load generator and the rest of the machine (PostgreSQL, other jobs) used while that "
        "row was measured.",
        "",
        "| benchmark | target | wanted | measured | |",
        "| --- | --- | --- | --- | --- |",
    ]
    for target in TARGETS:
        measured, met = verdict(target, sections.get(target.benchmark))
        lines.append(
            f"| {target.benchmark} | {target.what} | {target.wanted} | {measured} | {met} |"
        )
    return "\n".join(lines)


def targets_here(name: str, section: Section | None) -> str:
    lines = []
    for target in TARGETS:
        if target.benchmark == name:
            measured, met = verdict(target, section)
            lines.append(f"- Target: {target.what}, {target.wanted}. Measured {measured}: {met}.")
    return "\n".join(lines)


def commands(name: str, section: Section | None) -> str:
    if section is None:
        return f"Not measured yet: `.venv/bin/python -m bench --only {name}`."
    return "```sh\n" + "\n".join(section.commands) + "\n```"


def render(sections: dict[str, Section], chart: str) -> str:
    """The page, from the stored sections; `chart` is the chart's path relative to the page."""
    one_machine = len({describe_machine(s.machine) for s in sections.values()}) <= 1
    fill = {"machine": machine(sections), "targets": targets_summary(sections)}
    for name in NAMES:
        section = sections.get(name)
        fill[f"{name}_commands"] = commands(name, section)
        fill[f"{name}_run"] = "" if section is None else run_line(section, one_machine)
        fill[f"{name}_table"] = "" if section is None else table(name, section)
        fill[f"{name}_targets"] = targets_here(name, section)
    fill["latency_chart"] = (
        f"![p99 and p50 edit-to-peer latency against clients, per database and workers]({chart})"
        if "latency" in sections
        else ""
    )
    page = Template(TEMPLATE.read_text()).substitute(fill)
    while "\n\n\n" in page:  # the gaps of what was left empty
        page = page.replace("\n\n\n", "\n\n")
    return page


def chart_link(doc: Path, chart: Path) -> str:
    return Path(os.path.relpath(chart, doc.parent)).as_posix()


def write(sections: dict[str, Section], doc: Path, chart: Path) -> None:
    """Write the page and, if latency was measured, its chart."""
    if "latency" in sections:
        draw(sections["latency"].rows, chart)
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(render(sections, chart_link(doc, chart)))
