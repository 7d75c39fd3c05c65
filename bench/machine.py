"""What the figures were measured on: the machine, and the versions that shape them."""

import os
import platform
import sqlite3
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bench.database import POSTGRES


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def postgres_version() -> str:
    """The PostgreSQL server's version, asked of the server the benchmarks use."""
    admin = make_url(POSTGRES).set(drivername="postgresql", database="postgres")
    try:
        with psycopg.connect(admin.render_as_string(hide_password=False)) as conn:
            found = conn.execute("SHOW server_version").fetchone()
    except psycopg.OperationalError:
        return "not reachable"
    return str(found[0]).split()[0] if found else "unknown"


def describe() -> dict[str, str | int | float]:
    return {
        "cores": len(os.sched_getaffinity(0)),
        "cpu": cpu_model(),
        "memory_gib": round(memory_gib(), 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(),
    }
