"""What the real-socket tests of suggestions share: a cast with every role on a live server,
and a tab that keeps each frame it hears while it edits as ot.js's client does."""

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from app.collab import ops
from tests.collab.live import (
    RESEND_AFTER,
    LiveEditor,
    ProtocolViolation,
    ServerProcess,
    bearer,
    make_team,
    server_text,
)

WAIT = 15.0  # seconds a frame or a state may take to arrive before the test fails
Frame = dict[str, Any]


@dataclass(frozen=True)
class Person:
    name: str
    token: str
    id: int


@dataclass(frozen=True)
class Cast:
    """Fatima facilitates, Ben edits, Rosa reviews (so she may suggest but not edit), Vera
    only reads."""

    fatima: Person
    ben: Person
    rosa: Person
    vera: Person

    @property
    def members(self) -> list[tuple[Person, str]]:
        return [(self.ben, "editor"), (self.rosa, "reviewer"), (self.vera, "viewer")]


def _ok(response: httpx.Response) -> Any:
    assert response.is_success, (
        f"{response.request.method} {response.request.url} answered "
        f"{response.status_code}: {response.text}"
    )
    return response.json()


def _person(server: ServerProcess, name: str, token: str) -> Person:
    with bearer(server, token) as client:
        return Person(name, token, int(_ok(client.get("/api/me"))["id"]))


def make_cast(server: ServerProcess) -> Cast:
    team = make_team(server, editors=3)
    ben, rosa, vera = team.editor_tokens
    return Cast(
        fatima=_person(server, "Fatima", team.facilitator_token),
        ben=_person(server, "Ben", ben),
        rosa=_person(server, "Rosa", rosa),
        vera=_person(server, "Vera", vera),
    )


def start_statement(server: ServerProcess, cast: Cast, text: str) -> int:
    """Fatima starts a statement with `text`; Ben joins it as an editor, Rosa as a reviewer,
    Vera as a viewer."""
    with bearer(server, cast.fatima.token) as fatima:
        made = _ok(fatima.post("/api/statements", json={"title": "Suggested", "text": text}))
        statement_id = int(made["id"])
        for person, role in cast.members:
            invited = fatima.post(
                f"/api/statements/{statement_id}/invitations", json={"role": role}
            )
            with bearer(server, person.token) as joining:
                joined = joining.post(f"/api/invitations/{_ok(invited)['token']}/accept", json={})
                assert _ok(joined)["role"] == role
    return statement_id


def call(
    server: ServerProcess, person: Person, method: str, path: str, body: Any = None
) -> httpx.Response:
    """One REST request of `person`'s; `path` is under /api/statements/."""
    with bearer(server, person.token) as client:
        return client.request(method, f"/api/statements/{path}", json=body)


async def acall(
    server: ServerProcess, person: Person, method: str, path: str, body: Any = None
) -> httpx.Response:
    """`call`, made in a thread so that the tabs go on hearing their frames meanwhile."""
    return await asyncio.to_thread(call, server, person, method, path, body)


def listed(server: ServerProcess, person: Person, statement_id: int) -> list[Frame]:
    """The statement's suggestions where they stand now, oldest first."""
    found: list[Frame] = _ok(call(server, person, "GET", f"{statement_id}/suggestions"))["data"]
    return found


def head(server: ServerProcess, person: Person, statement_id: int) -> tuple[int, str]:
    return server_text(server, person.token, statement_id)


def replace(text: str, old: str, new: str) -> ops.Operation:
    """The operation on `text` that puts `new` in place of the first `old`."""
    at = text.index(old)
    return ops.normalise([at, new, -len(old), len(text) - at - len(old)])


@dataclass
class Tab(LiveEditor):
    """An open statement page: an editor that also keeps every frame it hears, in order, so
    that a test can wait for events, answers and refusals."""

    frames: list[Frame] = field(default_factory=list)

    async def _read(self, socket: ClientConnection) -> None:
        try:
            async for raw in socket:
                frame = json.loads(raw)
                self.frames.append(frame)
                kind = frame["type"]
                if kind == "ack":
                    self._acknowledged(int(frame["seq"]), int(frame["rev"]), "ack")
                elif kind == "op":
                    self._change(frame, "op")
                elif kind == "error" and frame["code"] == "not_saved" and "seq" in frame:
                    asyncio.get_running_loop().call_later(
                        RESEND_AFTER, self._resend, int(frame["seq"])
                    )
                elif kind == "error" and "seq" in frame:
                    raise self._fail(f"the server refused a change: {frame}")
        except ConnectionClosed:
            pass
        except ProtocolViolation as violation:
            self.problem = violation
            await socket.close()

    async def suggest(
        self,
        ref: int,
        op: ops.Operation,
        *,
        base_rev: int | None = None,
        reason: str | None = None,
        replaces: int | None = None,
    ) -> None:
        """Send a `suggest` frame made on `base_rev` (by default the revision the tab is at)."""
        assert self.socket is not None
        frame: Frame = {"type": "suggest", "ref": ref, "op": op}
        frame["base_rev"] = self.rev if base_rev is None else base_rev
        if reason is not None:
            frame["reason"] = reason
        if replaces is not None:
            frame["replaces"] = replaces
        await self.socket.send(json.dumps(frame))

    async def heard(self, test: Callable[[Frame], bool], what: str, within: float = WAIT) -> Frame:
        """The first frame so far, or to come, that passes `test`."""
        deadline, seen = time.monotonic() + within, 0
        while True:
            self.check()
            for frame in self.frames[seen:]:
                if test(frame):
                    return frame
            seen = len(self.frames)
            if time.monotonic() > deadline:
                recent = "\n  ".join(json.dumps(f)[:200] for f in self.frames[-10:])
                raise AssertionError(f"{self.name} did not hear {what}; last frames:\n  {recent}")
            await asyncio.sleep(0.02)

    async def answer(self, ref: int) -> Frame:
        """The `suggested` or `error` frame answering the suggest frame `ref`."""
        return await self.heard(
            lambda f: f["type"] in ("suggested", "error") and f.get("ref") == ref,
            f"an answer to suggest frame {ref}",
        )

    async def event(self, name: str, suggestion_id: int, status: str | None = None) -> Frame:
        """The live event `name` about a suggestion (in `status`, if given)."""

        def test(frame: Frame) -> bool:
            if frame["type"] != "event" or frame["name"] != name:
                return False
            about = frame.get("suggestion") or {}
            return about.get("id") == suggestion_id and status in (None, about.get("status"))

        return await self.heard(test, f"{name} for suggestion {suggestion_id} ({status})")

    def events(self) -> list[Frame]:
        return [f for f in self.frames if f["type"] == "event" and "suggestion" in f]

    async def op_from(self, client_id: str) -> Frame:
        """The change another client made, as this tab heard it."""
        return await self.heard(
            lambda f: f["type"] == "op" and f["client_id"] == client_id,
            f"a change of {client_id}'s",
        )


async def at_head(tabs: list[Tab], server: ServerProcess, person: Person, sid: int) -> str:
    """Wait until no tab has a change unacknowledged and each stands at the server's head
    with the server's text; return that text."""
    deadline = time.monotonic() + WAIT
    while True:
        rev, text = await asyncio.to_thread(head, server, person, sid)
        for tab in tabs:
            tab.check()
        if all(tab.quiet and (tab.rev, tab.text) == (rev, text) for tab in tabs):
            return text
        if time.monotonic() > deadline:
            states = [f"{t.name}: rev={t.rev} quiet={t.quiet} text={t.text!r}" for t in tabs]
            raise AssertionError(f"the tabs are not at {rev} {text!r}:\n" + "\n".join(states))
        await asyncio.sleep(0.02)
