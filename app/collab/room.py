"""One room per open statement: an actor that sequences changes, makes them durable, then
answers their senders and tells its subscribers.

`await room.submit(...)` returns once the change is committed, or raises a refusal
(app/collab/refusals.py); `room.offer(...)` takes a function to answer with instead, for a
socket's changes. One worker task takes all that is queued at a moment, sequences it
(app/collab/document.py) and hands it to the writer as one batch (app/collab/writer.py: one
transaction shared with other rooms'). While a batch is committed the worker sequences what
arrives into the next: commits stay in revision order, one batch of a room at a time. Only
after a commit are its changes answered and published, in revision order.

On PostgreSQL other workers may hold a room of the same statement. Their changes come back
with a commit of this room's (the log's claim put the batch after them), or a notice says
the log has grown and the room, once no batch of its own is being committed, reads it.
Either way the room puts its own uncommitted changes after theirs and publishes theirs.
"""

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import Engine

from app.collab import intake, lockbook, log, ops
from app.collab.carets import Carets
from app.collab.change import Applied, Batch, Change, Sent, Snapshot
from app.collab.document import Document, within
from app.collab.members import Author, Left, Member, Moved, Selection
from app.collab.offers import Offer, Owed, Reply, State, Writing, into
from app.collab.refusals import ClientIdTaken, NotSaved, Refusal, StaleSeq
from app.collab.writer import writer

logger = logging.getLogger("accord.room")
Event = Applied | Moved | Left


class Room:
    def __init__(self, statement_id: int, engine: Engine, max_text_bytes: int) -> None:
        self.statement_id = statement_id
        self.engine = engine
        self.state = State.OPEN
        self.owed = Owed.NOTHING
        self.document = Document(0, "", max_text_bytes)
        # What is committed and published: a joining client starts from here, and every
        # change after it reaches that client as an event.
        self.durable_rev = 0
        self.durable_text = ""
        self.subscribers: list[Callable[[Event], None]] = []
        self.carets = Carets(self._publish)
        self.owners: dict[str, int] = {}  # whose each client id admitted here is
        self.last_seq: dict[str, tuple[int, int]] = {}  # each sender's newest (seq, rev)
        self.queue: list[Offer] = []
        self.pending: list[Offer] = []  # sequenced, not yet handed to the writer
        self.writing: Writing | None = None
        self.wake = asyncio.Event()
        self.worker: asyncio.Task[None] | None = None
        self.authors: dict[int, Author] = {}
        # Other workers may write this statement too (PostgreSQL): what they wrote, or were
        # told of, waits here until no commit of this room's is under way.
        self.foreign = intake.Foreign(shared=engine.dialect.name == "postgresql")

    @property
    def rev(self) -> int:
        """The revision sequenced last (committed or not)."""
        return self.document.rev

    async def load(self) -> None:
        """Read the head from the log and start the room's worker."""
        rev, text = await asyncio.to_thread(log.load_head, self.engine, self.statement_id)
        self.document = Document(rev, text, self.document.max_text_bytes)
        self.durable_rev, self.durable_text = rev, text
        await lockbook.renew(self.engine, self.statement_id, self.document)
        if self.worker is None:
            self.worker = asyncio.create_task(self._work())

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        """Call `listener` with every event, in order: changes made durable, carets, leaving."""
        self.subscribers.append(listener)

    def _publish(self, event: Event) -> None:
        for listener in self.subscribers:
            listener(event)

    async def enter(self, member: Member) -> None:
        """Admit a member, unless its client id is someone else's: their changes would be
        taken for its resends, and its for theirs."""
        client_id, user_id = member.client_id, member.author.id
        if self.owners.get(client_id, user_id) != user_id:
            raise ClientIdTaken(client_id)
        if client_id not in self.owners:
            # First seen here: maybe elsewhere, on another worker or in the log.
            users = {c.author_id for c in self.document.recent if c.client_id == client_id}
            if client_id in self.carets.elsewhere:
                users.add(self.carets.elsewhere[client_id].author.id)
            author, acknowledged = await asyncio.to_thread(
                log.client_record, self.engine, self.statement_id, client_id
            )
            if author is not None:
                users.add(author)
            if users - {user_id}:
                raise ClientIdTaken(client_id)
            self.owners[client_id] = user_id
            self.last_seq.setdefault(client_id, acknowledged)
        self.carets.add(member)
        self.authors[user_id] = member.author

    def leave(self, member: Member, *, quietly: bool = False) -> None:
        """A member goes; the others are told, unless it never showed itself."""
        if self.carets.remove(member) and not quietly:
            self._publish(Left(member))

    def place(self, member: Member, selection: Selection | None, rev: int) -> bool:
        """Keep a member's caret, made on revision `rev`, on the durable head, and tell
        everyone; False (and nothing kept) for a revision the room cannot bring up to date."""
        if selection is not None:
            brought = self.document.bring(selection, rev, self.durable_rev)
            if brought is None:
                return False
            selection = within(brought, len(self.durable_text))
        self.carets.place(member, selection, self.durable_rev)
        return True

    def peers(self, member: Member | None = None) -> list[Member]:
        """Everyone else with the statement open, each caret on the durable head."""
        return self.carets.others(member, self.document, self.durable_rev, len(self.durable_text))

    def offer(self, author: Author, client_id: str, seq: int, sent: Sent, reply: Reply) -> None:
        """Queue a change as sent; `reply` is called, from the room's worker, with the change
        once durable or with the refusal."""
        self.queue.append(Offer(author, client_id, seq, sent, reply))
        self.wake.set()

    async def submit(self, author: Author, client_id: str, seq: int, sent: Sent) -> Applied:
        """Apply a change as sent; return once it is durable, or raise why not."""
        answer: asyncio.Future[Applied] = asyncio.get_running_loop().create_future()
        self.offer(author, client_id, seq, sent, into(answer))
        return await answer

    async def changes_after(self, rev: int) -> list[Change]:
        held = self.document.held_after(rev)
        if held is not None:
            return held
        # Older ones come from the log; the ones held here may not be committed yet.
        older = await asyncio.to_thread(log.changes_after, self.engine, self.statement_id, rev)
        return [c for c in older if c.rev <= self.document.loaded_rev] + self.document.recent

    def overtaken(self, rev: int, changes: list[Change] | None = None) -> None:
        """Another worker wrote this statement up to `rev` (and these changes, if given)."""
        if self.foreign.told_of(rev, changes or [], self.durable_rev):
            self.wake.set()

    def reread(self) -> None:
        """Read the log for what other workers wrote, told of or not (notices were missed)."""
        self.owed |= Owed.READ
        self.wake.set()

    async def catch_up(self) -> None:
        """Return once the room has read what other workers wrote before this call."""
        if not self.foreign.shared or self.worker is None:
            return
        waiter = self.foreign.wait_for_head()
        self.reread()
        await waiter

    async def close(self) -> None:
        """Stop the worker once the batch in hand is written: nothing queued is dropped."""
        self.state = State.CLOSING
        self.wake.set()
        if self.worker is not None:
            await self.worker
        self.state = State.CLOSED

    async def _work(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            if self.writing is not None and self.writing.commit.done():
                await self._written(self.writing)
            behind = Owed.READ in self.owed or self.foreign.behind(self.durable_rev)
            if self.writing is None and behind:
                await self._take_foreign()
            if Owed.REFUSE in self.owed and self.writing is None:
                await self._refuse([])
            batch, self.queue = self.queue, []
            for offer in batch:
                change = await self._sequence(offer)
                if change is not None:
                    offer.change = change
                    self.pending.append(offer)
            if self.writing is None and self.pending:
                self._commit()
            if self.state is State.CLOSING and not self.queue and self.writing is None:
                return

    async def _written(self, done: Writing) -> None:
        """A commit is over: publish its batch, or refuse it if it failed."""
        self.writing = None
        problem = done.commit.exception()
        if problem is None:
            rebased = done.commit.result()
            if rebased is not None:
                await self._overtaken_by(rebased.foreign, done, rebased.changes)
            self._announce(done)
        else:
            logger.warning(
                "statement %s: a commit failed (%s); its changes are refused, to be sent again",
                self.statement_id,
                problem,
            )
            if isinstance(problem, log.LocksChanged):
                await lockbook.renew(self.engine, self.statement_id, self.document)
            await self._refuse(done.accepted)

    def _commit(self) -> None:
        """Hand what is sequenced to the writer; the worker wakes when it is committed."""
        accepted, self.pending = self.pending, []
        first, last = accepted[0].change.rev, self.document.rev
        snapshot = None
        if Owed.SNAPSHOT in self.owed and self.durable_rev > 0:
            # Owed since a batch was sequenced again: the durable text stays true whatever
            # other workers write next.
            snapshot = Snapshot(self.durable_rev, self.durable_text)
            self.owed &= ~Owed.SNAPSHOT
        elif last // log.SNAPSHOT_EVERY > (first - 1) // log.SNAPSHOT_EVERY:
            snapshot = Snapshot(last, self.document.text)
        # Shared with the other rooms' batches waiting at this moment: one commit for all.
        locked = frozenset(self.document.locks)  # whose words its changes were checked against
        batch = Batch(self.statement_id, [s.change for s in accepted], snapshot, locked)
        commit = writer(self.engine).submit(batch)
        commit.add_done_callback(lambda _: self.wake.set())
        self.writing = Writing(accepted, last, self.document.text, commit, snapshot is not None)

    async def _take_foreign(self) -> None:
        """Take in what other workers wrote after the durable head, from their notices if
        those carried all of it, else from the log; only with no commit of this room's
        under way."""
        must_read = Owed.READ in self.owed
        self.owed &= ~Owed.READ
        waiting = self.foreign.take_waiters()
        told = self.foreign.told_after(self.durable_rev)
        try:
            if told is not None and not must_read:
                foreign = told
            else:
                foreign = await asyncio.to_thread(
                    log.changes_after, self.engine, self.statement_id, self.durable_rev
                )
            if foreign:
                await self._overtaken_by(foreign, None, [])
        except Exception:
            # The next notice, or the listener's catching up when it is back, tries again.
            logger.exception("could not read statement %s's new changes", self.statement_id)
            self.foreign.give_up(self.durable_rev)
        self.foreign.forget(self.durable_rev)
        self.foreign.caught_up(waiting)

    async def _overtaken_by(
        self, foreign: list[Change], committed: Writing | None, written: list[Change]
    ) -> None:
        """Take in other workers' changes, which come right after the durable head: publish
        them, and sequence this room's own changes again after them. `committed` is the
        batch they overtook, which the writer already sequenced again and wrote as `written`."""
        await self._know_authors({change.author_id for change in foreign})
        if intake.resent_among(foreign, [s.change for s in self.pending]):
            # A sender moved to another worker and sent a change there that is also waiting
            # here: once the batch in hand is published, what waits is refused and resent.
            self.owed |= Owed.REFUSE
        base_rev, base_text = self.durable_rev, self.durable_text
        tail = list(foreign)
        if committed is not None:
            for offer, change in zip(committed.accepted, written, strict=True):
                offer.change = change
            tail += written
            if committed.snapshot:
                self.owed |= Owed.SNAPSHOT  # the writer left it out: it was of another text
        else:
            self.durable_rev += len(foreign)
        pending = [s.change for s in self.pending]
        low = self.document.oldest_base(pending)
        older = None
        if low is not None:
            older = [c for c in await self.changes_after(low) if c.rev <= base_rev]
        # What was sequenced since, not handed to the writer yet, is sequenced again after.
        again = self.document.rebase(base_rev, base_text, tail, pending, older)
        for offer, change in zip(self.pending, again, strict=True):
            offer.change = change
        for change in tail + again:
            if change.client_id in self.last_seq:
                self.last_seq[change.client_id] = (change.seq, change.rev)
        text = ops.apply_all(base_text, (change.op for change in tail))
        if committed is not None:
            committed.rev, committed.text = base_rev + len(tail), text
        else:
            self.durable_text = text
        self._deliver_foreign(foreign)

    async def _know_authors(self, user_ids: set[int]) -> None:
        unknown = user_ids - set(self.authors)
        if unknown:
            found = await asyncio.to_thread(intake.authors, self.engine, self.statement_id, unknown)
            self.authors.update(found)

    def _deliver_foreign(self, foreign: list[Change]) -> None:
        """Publish other workers' changes, as durable as this room's own."""
        for change in foreign:
            author = self.authors.get(change.author_id) or intake.nobody(change.author_id)
            self._published(Applied(change, author))

    def _published(self, applied: Applied) -> None:
        self.carets.move(applied.change.op, applied.change.rev)
        self._publish(applied)

    async def _refuse(self, failed: list[Offer]) -> None:
        """Not durable, so not acknowledged: the room rereads what the database holds, and
        the senders resend (their client id and seq make a resend safe). The changes
        sequenced behind a failed batch were made on it, so they are refused too."""
        refused, self.pending = failed + self.pending, []
        self.owed &= ~Owed.REFUSE
        # Back to the durable head, then on to the database's: other workers may have
        # written meanwhile, and their changes are published here in order.
        self.document.rewind(self.durable_rev, self.durable_text)
        if self.foreign.shared:
            self.owed |= Owed.READ
            await self._take_foreign()
        senders = {s.change.client_id for s in refused}
        reread = await intake.reread_senders(self.engine, self.statement_id, self.last_seq, senders)
        for offer in refused:
            change = offer.change
            seq, rev = self.last_seq.get(change.client_id, (0, 0))
            if reread and seq >= change.seq:
                # Written by another worker, and published as such.
                written = Change(rev, change.op, change.author_id, change.client_id, seq)
                offer.settle(Applied(written, offer.author))
                continue
            offer.refuse(NotSaved("The change could not be saved; it will be sent again."))

    async def _sequence(self, offer: Offer) -> Change | None:
        """Transform and apply one change in memory, or answer it at once."""
        if offer.client_id not in self.last_seq:
            try:
                self.last_seq[offer.client_id] = await asyncio.to_thread(
                    log.last_seq, self.engine, self.statement_id, offer.client_id
                )
            except Exception:
                offer.refuse(NotSaved("The database is unreachable."))
                return None
        last_seq, last_rev = self.last_seq[offer.client_id]
        if offer.seq <= last_seq:
            self._again(offer, last_seq, last_rev)
            return None
        base_rev = offer.sent.base_rev
        missed = None
        if base_rev <= self.document.rev and not self.document.holds(base_rev):
            missed = await self.changes_after(base_rev)
        try:
            change = self.document.receive(
                base_rev,
                offer.sent.op,
                author_id=offer.author.id,
                client_id=offer.client_id,
                seq=offer.seq,
                missed=missed,
                keeps=offer.sent.keeps,
            )
        except Refusal as refusal:
            offer.refuse(refusal)
            return None
        self.last_seq[offer.client_id] = (offer.seq, change.rev)
        return change

    def _again(self, offer: Offer, last_seq: int, last_rev: int) -> None:
        """A resend of a change already sequenced: answer it as the first was, apply nothing."""
        if offer.seq < last_seq:
            offer.refuse(StaleSeq("This change was already handled."))
        elif last_rev <= self.durable_rev:
            done = Change(last_rev, [], offer.author.id, offer.client_id, offer.seq)
            offer.settle(Applied(done, offer.author, again=True))
        else:
            # Its first sending is not committed yet: this one is answered with it.
            first = self._in_hand(offer.client_id, offer.seq)
            if first is not None:
                first.follow(offer)

    def _in_hand(self, client_id: str, seq: int) -> Offer | None:
        held = self.pending + (self.writing.accepted if self.writing else [])
        return next((o for o in held if (o.client_id, o.seq) == (client_id, seq)), None)

    def _announce(self, committed: Writing) -> None:
        """Answer each change of a committed batch, and publish it."""
        self.durable_rev, self.durable_text = committed.rev, committed.text
        self.foreign.forget(self.durable_rev)
        for offer in committed.accepted:
            applied = Applied(offer.change, offer.author)
            self._published(applied)
            offer.settle(applied)
