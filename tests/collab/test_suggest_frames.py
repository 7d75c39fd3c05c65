"""Suggestions from the editor's socket: made, extended and refused with the frame's `ref`;
everyone hears of them at once, and of one the moment a change outdates it."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.statement import Statement
from app.models.user import User
from tests.collab.sockets import Connect, Socket, browser_headers, receive


def _answer(socket: Socket, kind: str) -> dict[str, Any]:
    """The next frame of a kind, passing over presence and live events."""
    while True:
        frame: dict[str, Any] = socket.receive_json()
        if frame["type"] == kind:
            return frame
        assert frame["type"] in ("presence", "event"), frame


def _event(socket: Socket, name: str) -> dict[str, Any]:
    """The next live event of that name, passing over changes and other events."""
    while True:
        frame: dict[str, Any] = socket.receive_json()
        if frame["type"] == "event" and frame["name"] == name:
            return frame
        assert frame["type"] in ("presence", "op", "ack", "event"), frame


def test_a_suggestion_made_from_the_editor_reaches_everyone(
    connect: Connect, room: tuple[Statement, User, User, User]
) -> None:
    statement, facilitator, editor, _ = room
    with (
        connect(facilitator, statement) as (watching, _),
        connect(editor, statement) as (
            typing,
            _,
        ),
    ):
        typing.send_json(
            {"type": "suggest", "ref": 7, "base_rev": 1, "op": [6, "wide ", 5], "reason": "Wider"}
        )
        answer = _answer(typing, "suggested")
        suggestion = answer["suggestion"]
        assert answer["ref"] == 7
        assert (suggestion["status"], suggestion["insert"], suggestion["reason"]) == (
            "open",
            "wide ",
            "Wider",
        )
        heard = _event(watching, "suggestion.created")
        assert heard["suggestion"] == suggestion

        # Typing on extends the same suggestion: one suggestion, now longer; the reason stays.
        typing.send_json(
            {
                "type": "suggest",
                "ref": 8,
                "base_rev": 1,
                "op": [6, "wide wide ", 5],
                "replaces": suggestion["id"],
            }
        )
        extended = _answer(typing, "suggested")["suggestion"]
        assert (extended["id"], extended["insert"], extended["reason"]) == (
            suggestion["id"],
            "wide wide ",
            "Wider",
        )
        assert _event(watching, "suggestion.updated")["suggestion"]["insert"] == "wide wide "


def test_a_refused_suggestion_is_answered_with_its_ref_and_nothing_is_made(
    connect: Connect,
    client: TestClient,
    room: tuple[Statement, User, User, User],
    session: Session,
    settings: Settings,
) -> None:
    statement, facilitator, editor, viewer = room
    with connect(viewer, statement) as (reading, _), connect(editor, statement) as (typing, _):
        reading.send_json({"type": "suggest", "ref": 1, "base_rev": 1, "op": ["Oh ", 11]})
        refused = receive(reading, "error")
        assert (refused["code"], refused["ref"]) == ("forbidden", 1)
        typing.send_json({"type": "suggest", "ref": 2, "base_rev": 1, "op": ["x", 1, "y", 10]})
        refused = _answer(typing, "error")
        assert (refused["code"], refused["ref"]) == ("invalid_change", 2)
        typing.send_json({"type": "suggest", "ref": 3, "base_rev": 1, "op": [12, "!"]})
        assert _answer(typing, "error")["ref"] == 3
        typing.send_json(
            {"type": "suggest", "ref": 4, "base_rev": 1, "op": ["A", 11], "replaces": 99999}
        )
        assert _answer(typing, "error")["code"] == "not_found"
    listed = client.get(
        f"/api/statements/{statement.id}/suggestions",
        headers=browser_headers(session, settings, facilitator),
    )
    assert listed.json()["count"] == 0


def test_the_room_tells_everyone_when_a_change_outdates_a_suggestion(
    connect: Connect, room: tuple[Statement, User, User, User]
) -> None:
    statement, facilitator, editor, _ = room
    with (
        connect(facilitator, statement) as (watching, _),
        connect(editor, statement) as (
            typing,
            _,
        ),
    ):
        # "world" → "everyone", then someone else types before it and inside it.
        typing.send_json({"type": "suggest", "ref": 1, "base_rev": 1, "op": [6, "everyone", -5]})
        made = _answer(typing, "suggested")["suggestion"]
        watching.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": ["Oh, ", 11]})
        assert _answer(watching, "ack")["rev"] == 2
        watching.send_json({"type": "op", "base_rev": 2, "seq": 2, "op": [12, "o", 3]})
        assert _answer(watching, "ack")["rev"] == 3
        updated = _event(typing, "suggestion.updated")["suggestion"]
        assert (updated["id"], updated["status"], updated["delete"]) == (
            made["id"],
            "outdated",
            "world",
        )
