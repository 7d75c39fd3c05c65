"""Admitting a socket to its room in order with every change to who may be there.

A socket's sign-in and membership are read before it joins its room, and reading takes a
while (a thread, a database round trip, maybe loading the room). Meanwhile the member may be
removed or given another role, the session ended, the account disabled; and such a change is
applied only to sockets already in a room (app/collab/hub.py), so the joining one would miss it
and keep what it was allowed before.

The hub therefore counts every such change it applies: its own, and the other workers' when
their notices arrive. A socket's admission holds the count taken before its read. The room
takes the socket in, and in the same step, with no await between, the count is compared: if
it has not moved, no change reached this process between the read and the entry, so every
change either was committed before the read (which saw it) or reaches this process after
the entry (and is applied to the socket like any other). If the count moved, the socket
leaves the room before it has received anything, and its sign-in and membership are read
again. This holds across workers because a change is committed before it is applied or its
notice sent: a read that misses it came before the commit, hence before the notice arrives.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.collab.connection import Connection


@dataclass(eq=False)
class Admission:
    """What a socket joins its room on: the hub's count of access changes before its sign-in
    and membership were read, and how to read them again (which updates the connection's
    role and profile, or raises SignedOut or NoLongerMember: app/collab/refusals.py)."""

    seen: int
    reread: Callable[[Connection], Awaitable[None]]
