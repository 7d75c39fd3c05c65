"""The sockets of one room on this worker: the room's events become frames here.

A committed change is acknowledged to every socket of its client id (its sender, and any
that reconnected with that client id while it was being written) and sent to every other
as one `op` frame, encoded once and framed once (app/collab/batching.py). Carets arriving,
moving and leaving become `presence` frames for everyone but the socket they are about.
"""

from functools import partial
from typing import Any

from app.collab import protocol
from app.collab.batching import Shared
from app.collab.change import Applied, Sent
from app.collab.connection import Connection
from app.collab.members import Left, Member, Moved
from app.collab.offers import Offer
from app.collab.refusals import NotPermitted, Refusal
from app.collab.room import Event, Room


def peer(member: Member) -> dict[str, Any]:
    """A member as the hello and presence frames show it."""
    selection = member.selection.public() if member.selection else None
    return {"user": member.author.public(), "client_id": member.client_id, "selection": selection}


def presence(member: Member, *, left: bool = False) -> dict[str, Any]:
    """The presence frame of a member that moved its caret, arrived, or left."""
    if left:
        return {"type": "presence", **peer(member), "selection": None, "left": True}
    return {"type": "presence", **peer(member), "rev": member.rev}


class Audience:
    def __init__(self, room: Room) -> None:
        self.room = room
        self.connections: set[Connection] = set()
        self.by_client: dict[str, list[Connection]] = {}  # the connections of each client id
        self.by_member: dict[Member, Connection] = {}
        self.api_calls = 0  # whole-text saves and restores using the room now
        room.subscribe(self.hear)

    def add(self, connection: Connection) -> None:
        self.connections.add(connection)
        self.by_client.setdefault(connection.client_id, []).append(connection)
        self.by_member[connection.member] = connection

    def remove(self, connection: Connection) -> None:
        if connection not in self.connections:
            return
        self.connections.discard(connection)
        del self.by_member[connection.member]
        same = self.by_client[connection.client_id]
        same.remove(connection)
        if not same:
            del self.by_client[connection.client_id]

    def empty(self) -> bool:
        return not self.connections and not self.api_calls

    def broadcast(self, text: str, *, skip: Connection | None = None) -> None:
        text = Shared(text)
        for connection in self.connections:
            if connection is not skip:
                connection.send(text)

    def offer(self, connection: Connection, base_rev: int, seq: int, op: list[int | str]) -> None:
        """Hand a socket's change to the room; its answer comes back as a frame."""
        if not connection.can_edit:
            refusal = NotPermitted("Your role may read this statement but not change it.")
            connection.send(protocol.error(refusal.code, str(refusal), seq))
            return
        member = connection.member
        reply = connection.reply
        if reply is None:  # one for all its changes: nothing is made per keystroke
            reply = connection.reply = partial(_answered, connection)
        self.room.offer(member.author, member.client_id, seq, Sent(base_rev, op), reply)

    def hear(self, event: Event) -> None:
        if type(event) is Applied:
            self._deliver(event)
        elif type(event) is Moved:
            frame = presence(event.member)
            self.broadcast(protocol.encode(frame), skip=self.by_member.get(event.member))
        elif type(event) is Left:
            self.broadcast(protocol.encode(presence(event.member, left=True)))

    def _deliver(self, applied: Applied) -> None:
        """Acknowledge a committed change to its senders, and send it to everyone else."""
        change = applied.change
        senders = self.by_client.get(change.client_id, ())
        if senders:
            ack = protocol.ack(change.seq, change.rev)
            for sender in senders:
                sender.send(ack)
        frame = {
            "type": "op",
            "rev": change.rev,
            "op": change.op,
            "author": applied.author.public(),
            "client_id": change.client_id,
            "seq": change.seq,
        }
        if change.through_api:
            frame["undoable"] = True  # its author may undo it, unlike a change typed live
        op = Shared(protocol.encode(frame))
        if len(senders) == 1:
            only = senders[0]
            for other in self.connections:
                if other is not only:
                    other.send(op)
        else:
            for other in self.connections:
                if other not in senders:
                    other.send(op)


def _answered(connection: Connection, offer: Offer, answer: Applied | Refusal) -> None:
    """Tell a socket what became of its change, where the room's events did not."""
    if type(answer) is Applied:
        if answer.again:  # a resend of a durable change: no event acknowledged it
            connection.send(protocol.ack(offer.seq, answer.change.rev))
    elif isinstance(answer, Refusal):
        connection.send(protocol.error(answer.code, str(answer), offer.seq))
