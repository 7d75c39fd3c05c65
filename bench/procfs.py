"""What the benchmarks read from /proc: a server's processes, their CPU time, resident memory,
open files and the connections each holds, and how busy the whole machine is.

Linux only, as the benchmarks are: /proc answers without asking the server anything, so a
measure costs the server nothing.
"""

import os
from pathlib import Path

PROC = Path("/proc")
ESTABLISHED = "01"  # the state column of /proc/net/tcp


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (which may hold spaces)."""
    return (PROC / str(pid) / "stat").read_text().rpartition(")")[2].split()


def children(pid: int) -> list[int]:
    """The live processes whose parent is `pid`, in the order they started."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat(int(entry.name))
        except (FileNotFoundError, ProcessLookupError):
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append((int(fields[19]), int(entry.name)))  # start time, pid
    return [child for _, child in sorted(found)]


def spawned(pid: int) -> list[int]:
    """The children of `pid` that multiprocessing spawned: uvicorn's workers under its
    supervisor. (Its resource tracker is a child too, but runs no worker.)"""
    found = []
    for child in children(pid):
        try:
            command = (PROC / str(child) / "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if b"spawn_main" in command:
            found.append(child)
    return found


def descendants(pid: int) -> list[int]:
    """Every live process below `pid`."""
    below = []
    for child in children(pid):
        below += [child, *descendants(child)]
    return below


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far (0 once it is gone)."""
    try:
        fields = _stat(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    """The process's resident memory (0 once it is gone)."""
    try:
        status = (PROC / str(pid) / "status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def open_files(pid: int) -> int:
    """How many file descriptors the process holds open (0 once it is gone)."""
    try:
        return len(list((PROC / str(pid) / "fd").iterdir()))
    except (FileNotFoundError, ProcessLookupError):
        return 0


def _established(port: int) -> set[str]:
    """The socket inodes of established TCP connections whose local port is `port`."""
    inodes = set()
    for table in ("tcp", "tcp6"):
        path = PROC / "net" / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rpartition(":")[2], 16)
            if local_port == port and fields[3] == ESTABLISHED:
                inodes.add(fields[9])
    return inodes


def connections(pid: int, port: int) -> int:
    """How many established connections to `port` the process `pid` holds open."""
    inodes = _established(port)
    count = 0
    try:
        descriptors = list((PROC / str(pid) / "fd").iterdir())
    except (FileNotFoundError, ProcessLookupError):
        return 0
    for descriptor in descriptors:
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            count += 1
    return count


def machine_busy_seconds() -> float:
    """CPU time all cores have spent on anything but idling, since boot (/proc/stat)."""
    fields = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
