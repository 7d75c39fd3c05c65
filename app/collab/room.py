"""One room per open statement: it sequences changes, persists them, then acks and broadcasts.

Changes are queued and handled by one worker task per room, so they are serialised. The
worker takes everything queued at that moment and sequences it: each change is transformed
against the changes after its base revision and applied in memory. What is sequenced is
written in one transaction (group commit, shared with the batches other rooms have ready at
that moment: app/collab/writer.py). While one batch is being committed the worker goes on
sequencing what arrives into the next, which is committed as soon as the first commit is
done: commits stay in revision order, one batch of a room at a time. Only after a batch's
commit is each of its changes acknowledged to its sender and sent to everyone else, each
frame encoded once.

On PostgreSQL other workers may hold a room of the same statement. Their changes reach this
one in two ways: a commit of this room's comes back with the changes that overtook it (the
batch was put after them: app/collab/sequencer.py), or a notice says the log has grown and
the room, once no batch of its own is being committed, reads what it has not seen. Either
way the room puts its own uncommitted changes after theirs, sends theirs on to its sockets,
and goes on.
"""

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from app.collab import log as oplog
from app.collab import ops, protocol
from app.collab.batching import Shared
from app.collab.change import Change, Sent
from app.collab.connection import Connection
from app.collab.protocol import OpFrame, Selection
from app.collab.sequencer import Rebased
from app.collab.writer import writer
from app.services.members import colour_of, profiles

log = logging.getLogger("accord.room")
RECENT_LIMIT = 10_000  # changes a room keeps in memory for transforming late ones


class ClientIdTaken(Exception):
    """A socket came with a client id that another person's changes carry."""


class Room:
    def __init__(self, statement_id: int, engine: Engine, max_text_bytes: int) -> None:
        self.statement_id = statement_id
        self.engine = engine
        self.max_text_bytes = max_text_bytes
        self.rev = 0
        self.text = ""
        self.text_bytes = 0
        # What is committed and announced: a joining client starts from here, and every
        # change after it reaches that client as a broadcast.
        self.durable_rev = 0
        self.durable_text = ""
        self.loaded_rev = 0
        self.recent: list[Change] = []  # the changes after loaded_rev, in order
        self.connections: set[Connection] = set()
        self.by_client: dict[str, list[Connection]] = {}  # the connections of each client id
        self.last_seq: dict[str, tuple[int, int]] = {}
        self.owners: dict[str, int] = {}  # whose each client id admitted here is
        self.queue: list[tuple[Connection, OpFrame]] = []
        # Sequenced, not yet handed to the writer; and the batch being committed, if any.
        self.pending: list[tuple[Connection, Change]] = []
        self.committing: Committing | None = None
        self.wake = asyncio.Event()
        self.closing = False
        self.worker: asyncio.Task[None] | None = None
        # Other workers may write this statement too (PostgreSQL). They say up to which
        # revision they wrote, usually with the changes themselves; what a notice did not
        # carry the room reads from the log. Those waiting for that are told when it has.
        self.shared = engine.dialect.name == "postgresql"
        self.heard_rev = 0
        self.heard: dict[int, Change] = {}  # changes told of and not taken in yet, by rev
        self.must_read = False
        self.resent_elsewhere = False
        self.snapshot_owed = False
        self.waiting_for_head: list[asyncio.Future[None]] = []
        self.authors: dict[int, dict[str, Any]] = {}  # how writers appear in op frames
        # client id: (worker, peer, the revision its selection was made on)
        self.remote: dict[str, tuple[str, dict[str, Any], int]] = {}

    async def load(self) -> None:
        """Read the head from the database and start the room's worker."""
        self.rev, self.text = await asyncio.to_thread(
            oplog.load_head, self.engine, self.statement_id
        )
        self.text_bytes = _utf8_size(self.text)
        self.durable_rev, self.durable_text = self.rev, self.text
        self.loaded_rev = self.rev
        self.recent = []
        if self.worker is None:
            self.worker = asyncio.create_task(self._work())

    async def join(self, connection: Connection) -> None:
        """Admit a socket, unless its client id is someone else's: their changes would be
        taken for its resends, and its for theirs."""
        client_id, user_id = connection.client_id, connection.user["id"]
        if self.owners.get(client_id, user_id) != user_id:
            raise ClientIdTaken(client_id)
        if client_id not in self.owners:
            # First seen here: maybe elsewhere, on another worker or in the log.
            users: set[int | None] = {c.author_id for c in self.recent if c.client_id == client_id}
            if client_id in self.remote:
                users.add(self.remote[client_id][1].get("user", {}).get("id"))
            author, acknowledged = await asyncio.to_thread(
                oplog.client_record, self.engine, self.statement_id, client_id
            )
            users.add(author)
            if users - {None, user_id}:
                raise ClientIdTaken(client_id)
            self.owners[client_id] = user_id
            self.last_seq.setdefault(client_id, acknowledged)
        if connection.client_id not in self.last_seq:
            self.last_seq[connection.client_id] = await asyncio.to_thread(
                oplog.last_seq, self.engine, self.statement_id, connection.client_id
            )
        self.connections.add(connection)
        self.by_client.setdefault(connection.client_id, []).append(connection)
        self.authors[connection.user["id"]] = connection.user

    def leave(self, connection: Connection) -> None:
        if connection not in self.connections:
            return
        self.connections.discard(connection)
        same = self.by_client[connection.client_id]
        same.remove(connection)
        if not same:
            del self.by_client[connection.client_id]

    async def close(self) -> None:
        """Stop the worker once the batch in hand is written: nothing queued is dropped."""
        self.closing = True
        self.wake.set()
        if self.worker is not None:
            await self.worker

    async def changes_after(self, rev: int) -> list[Change]:
        if rev >= self.loaded_rev:
            return self.recent[rev - self.loaded_rev :]
        # Older ones come from the log; the ones held here may not be committed yet.
        older = await asyncio.to_thread(oplog.changes_after, self.engine, self.statement_id, rev)
        return [c for c in older if c.rev <= self.loaded_rev] + self.recent

    def overtaken(self, rev: int, changes: list[Change] | None = None) -> None:
        """Another worker wrote this statement up to `rev` (and these changes, if given):
        take them in when no commit of this room's is under way."""
        if rev > self.durable_rev:
            self.heard_rev = max(self.heard_rev, rev)
            for change in changes or ():
                self.heard[change.rev] = change
            self.wake.set()

    def reread(self) -> None:
        """Read the log for what other workers wrote, told of or not (notices were missed)."""
        self.must_read = True
        self.wake.set()

    async def catch_up(self) -> None:
        """Return once the room has read what other workers wrote before this call."""
        if not self.shared or self.worker is None:
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiting_for_head.append(waiter)
        self.must_read = True
        self.wake.set()
        await waiter

    def _caught_up(self) -> None:
        waiting, self.waiting_for_head = self.waiting_for_head, []
        for waiter in waiting:
            if not waiter.done():
                waiter.set_result(None)

    def remote_presence(self, worker: str, frame: dict[str, Any]) -> None:
        """A presence frame of another worker's socket: remember it and pass it on."""
        client_id = str(frame.get("client_id"))
        if frame.get("left"):
            self.remote.pop(client_id, None)
        else:
            peer = {key: frame.get(key) for key in ("user", "client_id", "selection")}
            rev = frame.get("rev")
            self.remote[client_id] = (worker, peer, rev if isinstance(rev, int) else self.rev)
        self.broadcast(protocol.encode(frame))

    def worker_gone(self, worker: str) -> None:
        """Another worker stopped: its sockets left."""
        for client_id, (owner, peer, _) in list(self.remote.items()):
            if owner == worker:
                del self.remote[client_id]
                self.broadcast(
                    protocol.encode({"type": "presence", **peer, "selection": None, "left": True})
                )

    def peers(self, connection: Connection) -> list[dict[str, Any]]:
        """Everyone else with the statement open, on this worker or another, each with their
        selection on the durable head (None until they place one)."""
        here = [c.peer() for c in self.connections if c is not connection]
        there = []
        for _, peer, rev in self.remote.values():
            selection = peer.get("selection")
            if isinstance(selection, dict):
                moved = self.at_head(Selection.model_validate(selection), rev, lenient=True)
                peer = {**peer, "selection": moved.model_dump() if moved else None}
            there.append(peer)
        return here + there

    def place(self, connection: Connection, selection: Selection | None, rev: int) -> bool:
        """Keep a socket's selection, made on revision `rev`, on the durable head, where
        every committed change moves it; False (and nothing kept) for a revision this room
        cannot bring up to date."""
        if selection is not None:
            selection = self.at_head(selection, rev)
            if selection is None:
                return False
        connection.selection = selection
        return True

    def at_head(self, selection: Selection, rev: int, lenient: bool = False) -> Selection | None:
        """A selection made on revision `rev`, moved through the committed changes since.
        None if they are no longer held here or `rev` is ahead; `lenient` keeps it as it is
        then, within the text (another worker's caret, which a later frame corrects)."""
        anchor, head = selection.anchor, selection.head
        if self.loaded_rev <= rev <= self.rev:
            for change in self.recent[rev - self.loaded_rev : self.durable_rev - self.loaded_rev]:
                anchor = ops.transform_position(anchor, change.op)
                head = ops.transform_position(head, change.op)
        elif not lenient:
            return None
        limit = len(self.durable_text)
        return Selection(anchor=min(anchor, limit), head=min(head, limit))

    def submit(self, connection: Connection, frame: OpFrame) -> None:
        self.queue.append((connection, frame))
        self.wake.set()

    def broadcast(self, text: str, *, skip: Connection | None = None) -> None:
        text = Shared(text)
        for connection in self.connections:
            if connection is not skip:
                connection.send(text)

    def _senders(self, connection: Connection) -> list[Connection]:
        """The connection that sent a change, and any that reconnected with its client id
        while it was being written: for them it is their own change, acknowledged, not an op."""
        again = self.by_client.get(connection.client_id, ())
        return [connection, *(c for c in again if c is not connection)]

    async def _work(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            if self.committing is not None and self.committing.commit.done():
                done, self.committing = self.committing, None
                if done.commit.exception() is None:
                    rebased = done.commit.result()
                    if rebased is not None:
                        await self._overtaken_by(rebased.foreign, done, rebased.changes)
                    self._announce(done)
                else:
                    log.warning(
                        "statement %s: a commit failed (%s); its changes are refused, to be "
                        "sent again",
                        self.statement_id,
                        done.commit.exception(),
                    )
                    await self._refuse(done.accepted)
            if self.committing is None and (self.must_read or self.heard_rev > self.durable_rev):
                await self._take_foreign()
            if self.resent_elsewhere and self.committing is None:
                await self._refuse([])
            batch, self.queue = self.queue, []
            for connection, frame in batch:
                change = await self._sequence(connection, frame)
                if change is not None:
                    self.pending.append((connection, change))
            if self.committing is None and self.pending:
                self._commit()
            if self.closing and not self.queue and self.committing is None:
                return

    def _commit(self) -> None:
        """Hand what is sequenced to the writer; the worker wakes when it is committed."""
        accepted, self.pending = self.pending, []
        first, last = accepted[0][1].rev, self.rev
        snapshot = None
        if self.snapshot_owed and self.durable_rev > 0:
            # Owed since a batch was sequenced again: the durable text stays true whatever
            # other workers write next.
            snapshot, self.snapshot_owed = (self.durable_rev, self.durable_text), False
        elif last // oplog.SNAPSHOT_EVERY > (first - 1) // oplog.SNAPSHOT_EVERY:
            snapshot = (self.rev, self.text)
        # Shared with the other rooms' batches waiting at this moment: one commit for all.
        batch = (self.statement_id, [c for _, c in accepted], snapshot)
        commit = writer(self.engine).submit(batch)
        commit.add_done_callback(lambda _: self.wake.set())
        self.committing = Committing(accepted, self.rev, self.text, commit, snapshot is not None)

    async def _take_foreign(self) -> None:
        """Take in what other workers wrote after the durable head, from their notices if
        those carried all of it, else from the log; only with no commit of this room's
        under way."""
        must_read, self.must_read = self.must_read, False
        waiting, self.waiting_for_head = self.waiting_for_head, []
        told: list[Change] = []
        while self.durable_rev + len(told) + 1 in self.heard:
            told.append(self.heard[self.durable_rev + len(told) + 1])
        try:
            if told and told[-1].rev >= self.heard_rev and not must_read:
                foreign = told
            else:
                foreign = await asyncio.to_thread(
                    oplog.changes_after, self.engine, self.statement_id, self.durable_rev
                )
            if foreign:
                await self._overtaken_by(foreign, None, [])
        except Exception:
            # The next notice, or the listener's catching up when it is back, tries again.
            log.exception("could not read statement %s's new changes", self.statement_id)
            self.heard_rev = self.durable_rev
        self._forget_heard()
        self.waiting_for_head.extend(waiting)
        self._caught_up()

    def _forget_heard(self) -> None:
        """Drop what notices told of that the room has taken in by now."""
        if self.heard:
            self.heard = {rev: c for rev, c in self.heard.items() if rev > self.durable_rev}

    async def _overtaken_by(
        self, foreign: list[Change], committed: "Committing | None", written: list[Change]
    ) -> None:
        """Take in other workers' changes, which come right after the durable head: send
        them on, and sequence this room's own changes again after them. `committed` is the
        batch they overtook, which the writer already sequenced again and wrote as `written`."""
        await self._know_authors({change.author_id for change in foreign})
        latest: dict[str, int] = {}
        for change in foreign:
            latest[change.client_id] = change.seq
        if any(c.seq <= latest.get(c.client_id, 0) for _, c in self.pending):
            # A sender moved to another worker and sent a change there that is also waiting
            # here: once the batch in hand is announced, what waits is refused and resent.
            self.resent_elsewhere = True
        base = self.durable_rev
        self._deliver_foreign(foreign)
        tail = list(foreign)
        if committed is not None:
            committed.accepted = [
                (connection, change)
                for (connection, _), change in zip(committed.accepted, written, strict=True)
            ]
            tail += written
            committed.rev = base + len(tail)
            committed.text = ops.apply_all(self.durable_text, (c.op for c in tail))
            if committed.snapshot:
                self.snapshot_owed = True  # the writer left it out: it was of another text
            text = committed.text
        else:
            self.durable_rev += len(foreign)
            self.durable_text = ops.apply_all(self.durable_text, (c.op for c in foreign))
            text = self.durable_text
        if base >= self.loaded_rev:
            del self.recent[base - self.loaded_rev :]
            self.recent.extend(tail)
        else:
            self.recent, self.loaded_rev = tail, base
        self.rev, self.text = base + len(tail), text
        for change in tail:
            if change.client_id in self.last_seq:
                self.last_seq[change.client_id] = (change.seq, change.rev)
        # What was sequenced since, not handed to the writer yet, is sequenced again after.
        pending, self.pending = self.pending, []
        for connection, change in pending:
            self.pending.append((connection, await self._sequence_again(change)))
        self.text_bytes = _utf8_size(self.text)

    async def _sequence_again(self, change: Change) -> Change:
        """Sequence a change again from what its sender sent, after the room's history."""
        sent = change.sent
        assert sent is not None  # every change a room sequences remembers how it was sent
        if sent.base_rev >= self.loaded_rev:
            later = self.recent[sent.base_rev - self.loaded_rev :]
        else:
            later = await self.changes_after(sent.base_rev)
        op = ops.normalise(ops.transform_over(sent.op, (c.op for c in later)))
        self.text = ops.apply(self.text, op)
        self.rev += 1
        again = replace(change, rev=self.rev, op=op)
        self.recent.append(again)
        self.last_seq[change.client_id] = (change.seq, self.rev)
        return again

    async def _know_authors(self, user_ids: set[int]) -> None:
        unknown = user_ids - set(self.authors)
        if unknown:
            found = await asyncio.to_thread(_profiles, self.engine, self.statement_id, unknown)
            self.authors.update(found)

    def _deliver_foreign(self, foreign: list[Change]) -> None:
        """Send other workers' changes on: to a sender that moved here, as acknowledgements."""
        selected = [c for c in self.connections if c.selection is not None]
        for change in foreign:
            senders = self.by_client.get(change.client_id, [])
            for sender in senders:
                sender.send(protocol.ack(change.seq, change.rev))
            author = self.authors.get(change.author_id) or _nobody(change.author_id)
            self._deliver(change, author, senders, selected)

    def _deliver(
        self,
        change: Change,
        author: dict[str, Any],
        senders: list[Connection],
        selected: list[Connection],
    ) -> None:
        """Send a committed change to all but its senders; move everyone's selection."""
        op = Shared(
            protocol.encode(
                {
                    "type": "op",
                    "rev": change.rev,
                    "op": change.op,
                    "author": author,
                    "client_id": change.client_id,
                    "seq": change.seq,
                }
            )
        )
        if len(senders) == 1:
            only = senders[0]
            for other in self.connections:
                if other is not only:
                    other.send(op)
        else:
            for other in self.connections:
                if other not in senders:
                    other.send(op)
        for other in selected:
            if other.selection is not None:
                anchor = ops.transform_position(other.selection.anchor, change.op)
                head = ops.transform_position(other.selection.head, change.op)
                other.selection = Selection(anchor=anchor, head=head)

    async def _refuse(self, failed: list[tuple[Connection, Change]]) -> None:
        """Not durable, so not acknowledged: the room rereads what the database holds, and
        the senders resend (their client id and seq make a resend safe). The changes
        sequenced behind a failed batch were made on it, so they are refused too."""
        refused, self.pending = failed + self.pending, []
        self.resent_elsewhere = False
        # Back to the durable head, then on to the database's: other workers may have
        # written meanwhile, and their changes go out to the sockets here in order.
        self.rev, self.text = self.durable_rev, self.durable_text
        self.text_bytes = _utf8_size(self.text)
        if self.durable_rev >= self.loaded_rev:
            del self.recent[self.durable_rev - self.loaded_rev :]
        else:
            self.recent, self.loaded_rev = [], self.durable_rev
        if self.shared:
            self.must_read = True
            await self._take_foreign()
        reread = True
        try:
            for client_id in list(self.last_seq):
                self.last_seq[client_id] = await asyncio.to_thread(
                    oplog.last_seq, self.engine, self.statement_id, client_id
                )
        except Exception:
            # Unreachable still: the senders' next changes read it again (see _sequence).
            log.exception("could not read statement %s's senders", self.statement_id)
            reread = False
            for _, change in refused:
                self.last_seq.pop(change.client_id, None)
        for connection, change in refused:
            if reread and self.last_seq.get(change.client_id, (0, 0))[0] >= change.seq:
                continue  # written by another worker, and acknowledged as such
            refusal = protocol.error(
                "not_saved", "The change could not be saved; it will be sent again.", change.seq
            )
            for sender in self._senders(connection):
                sender.send(refusal)

    async def _sequence(self, connection: Connection, frame: OpFrame) -> Change | None:
        """Transform and apply one change in memory, or refuse it with an error frame."""
        if connection.client_id not in self.last_seq:
            try:
                self.last_seq[connection.client_id] = await asyncio.to_thread(
                    oplog.last_seq, self.engine, self.statement_id, connection.client_id
                )
            except Exception:
                connection.send(
                    protocol.error("not_saved", "The database is unreachable.", frame.seq)
                )
                return None
        last_seq, last_rev = self.last_seq[connection.client_id]
        if frame.seq <= last_seq:
            # A resend of a change already sequenced: acknowledge it again, apply nothing. If
            # the original is not committed yet, its commit acknowledges it to every
            # connection of its client id, this one included.
            if frame.seq == last_seq and last_rev <= self.durable_rev:
                connection.send(protocol.ack(frame.seq, last_rev))
            elif frame.seq < last_seq:
                connection.send(
                    protocol.error("stale_seq", "This change was already handled.", frame.seq)
                )
            return None
        if frame.base_rev > self.rev:
            connection.send(
                protocol.error(
                    "future_revision",
                    f"Revision {frame.base_rev} does not exist yet; the statement "
                    f"is at revision {self.rev}.",
                    frame.seq,
                )
            )
            return None
        try:
            op = sent = ops.parse(frame.op)
            if frame.base_rev >= self.loaded_rev:
                # The usual case, no await: the client is at most a few changes behind.
                later = self.recent[frame.base_rev - self.loaded_rev :]
            else:
                later = await self.changes_after(frame.base_rev)
            op = ops.transform_over(op, (change.op for change in later))
            new_text = ops.inserted(op)
            # Check only what changes, so a long text costs nothing extra per keystroke.
            size = self.text_bytes + _utf8_size(new_text) - _utf8_size(ops.deleted(op, self.text))
            text = ops.apply(self.text, op)
        except ops.InvalidOperation as problem:
            connection.send(protocol.error("invalid_operation", str(problem), frame.seq))
            return None
        # Frames with lone surrogates never parse, and whole-text saves are checked first.
        if "\x00" in new_text:
            connection.send(
                protocol.error("invalid_text", "The change holds a NUL character.", frame.seq)
            )
            return None
        if size > self.max_text_bytes:
            connection.send(
                protocol.error(
                    "too_large", f"The text would exceed {self.max_text_bytes} bytes.", frame.seq
                )
            )
            return None
        self.rev += 1
        self.text = text
        self.text_bytes = size
        change = Change(
            self.rev,
            ops.normalise(op),
            connection.user["id"],
            connection.client_id,
            frame.seq,
            Sent(frame.base_rev, sent),
        )
        self.recent.append(change)
        if len(self.recent) > RECENT_LIMIT:
            # Older changes stay in the database; a client that far behind reads them there.
            drop = len(self.recent) - RECENT_LIMIT // 2
            del self.recent[:drop]
            self.loaded_rev += drop
        self.last_seq[connection.client_id] = (frame.seq, self.rev)
        return change

    def _announce(self, committed: "Committing") -> None:
        """Acknowledge each change of a committed batch and send it to everyone else."""
        self.durable_rev, self.durable_text = committed.rev, committed.text
        self._forget_heard()
        # Most connections have no selection (none is sent until an editor has focus).
        selected = [c for c in self.connections if c.selection is not None]
        for connection, change in committed.accepted:
            ack = protocol.ack(change.seq, change.rev)
            senders = self._senders(connection)
            for sender in senders:
                sender.send(ack)
            self._deliver(change, connection.user, senders, selected)


@dataclass(eq=False)
class Committing:
    """A batch handed to the writer: its changes, the head after them, and the commit."""

    accepted: list[tuple[Connection, Change]]
    rev: int
    text: str
    commit: "asyncio.Future[Rebased | None]"
    snapshot: bool  # whether the batch carried a snapshot


def _nobody(user_id: int) -> dict[str, Any]:
    """How a writer whose account is gone appears."""
    return {"id": user_id, "name": "", "organisation": "", "colour": colour_of(user_id)}


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _profiles(engine: Engine, statement_id: int, user_ids: set[int]) -> dict[int, dict[str, Any]]:
    """How these people appear live here (run in a thread: it reads the database)."""
    with Session(engine) as session:
        return profiles(session=session, statement_id=statement_id, user_ids=user_ids)
