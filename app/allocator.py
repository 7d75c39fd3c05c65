"""How many malloc arenas the process keeps, on glibc.

glibc gives threads arenas of their own, up to eight for each core, and keeps freed memory in
each for reuse. The threads that run the database work touch many of them, so a server whose
sockets come and go all day holds a little more after each round: about 280 KiB a round of
200 sockets in the churn benchmark (docs/benchmarks.md), against about 80 KiB and levelling
off with two arenas. An operator's MALLOC_ARENA_MAX still decides where it is set. Elsewhere
(musl, macOS) there is nothing to set and nothing is done.
"""

import ctypes
import os

ARENAS = 2
_M_ARENA_MAX = -8  # from glibc's malloc.h


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Hold glibc to `arenas` arenas from now on, unless MALLOC_ARENA_MAX says otherwise;
    whether it was done."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        # The symbols the process already has, the C library's among them: no lookup on disk.
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_ARENA_MAX, arenas))
