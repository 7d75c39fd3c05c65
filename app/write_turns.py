"""On SQLite, this process's writers take turns in the order they asked.

SQLite lets one transaction write at a time. Left to itself, a writer that finds the lock taken
sleeps and polls (its busy handler); under a crowd the pollers win in no particular order, so
some wait far longer than the rest, and past the busy timeout they fail. Here each connection
waits its turn, first come first served, just before the first write of a transaction (the
statement before which the driver opens it), and gives the turn up when the transaction ends.
A transaction therefore never reads before it holds its turn, so SQLite never refuses it for
having read an older snapshot. SQLite's busy handler still arbitrates with other processes
(a backup, a command run beside the server).

A wait is bounded: past it the write fails as SQLite's own "database is locked" does, which
the API answers with 503 and Retry-After, and the live protocol with `not_saved`.
"""

import sqlite3
import threading
from collections import deque
from typing import Any

# The statements before which the driver opens a transaction, and SAVEPOINT, which opens one
# itself when none is open (a write follows it).
WRITES = ("insert", "update", "delete", "replace", "savepoint")


class WriteTurns:
    """A lock that hands itself to its waiters in the order they came."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        """Wait at most `timeout` seconds for the turn; whether it came."""
        with self._guard:
            if not self._held:
                self._held = True
                return True
            baton = threading.Lock()
            baton.acquire()
            self._waiting.append(baton)
        if baton.acquire(timeout=timeout):
            return True
        with self._guard:
            if baton in self._waiting:
                self._waiting.remove(baton)
                return False
        return True  # handed over just as the wait ran out

    def release(self) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().release()  # the turn passes on; still held
            else:
                self._held = False


class TurnTakingConnection(sqlite3.Connection):
    """A SQLite connection that holds its engine's turn from its first write to the end of
    the transaction. Each engine makes a subclass with its own `turns` and `wait_seconds`."""

    turns: WriteTurns
    wait_seconds: float
    holds_turn = False

    def take_turn(self) -> None:
        if self.holds_turn or self.in_transaction:
            return
        if not self.turns.acquire(self.wait_seconds):
            raise sqlite3.OperationalError(
                f"database is locked: no turn to write within {self.wait_seconds:g} s"
            )
        self.holds_turn = True

    def give_up_turn(self) -> None:
        if self.holds_turn:
            self.holds_turn = False
            self.turns.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_up_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_up_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_up_turn()


def connection_class(wait_seconds: float) -> type[TurnTakingConnection]:
    """A connection class whose connections share one queue of turns."""
    return type(
        "EngineConnection",
        (TurnTakingConnection,),
        {"turns": WriteTurns(), "wait_seconds": wait_seconds},
    )


def before_execute(
    _connection: Any,
    cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    """Wait for the turn before a statement that writes (SQLAlchemy's before_cursor_execute)."""
    dbapi_connection = cursor.connection
    if isinstance(dbapi_connection, TurnTakingConnection) and is_write(statement):
        opens = not dbapi_connection.in_transaction
        dbapi_connection.take_turn()
        if opens and statement.lstrip()[:9].lower() == "savepoint":
            # The driver opens a transaction before a write but not before a SAVEPOINT, which
            # would then be the outermost one and commit on its RELEASE, alone. Open it here,
            # so that what follows the savepoint commits or rolls back with it.
            dbapi_connection.execute("BEGIN")


def is_write(statement: str) -> bool:
    return statement.lstrip()[:9].lower().startswith(WRITES)
