"""The live editing protocol over real websockets: hello, op/ack/broadcast, resends, refusals."""

import json
import uuid
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.websockets import WebSocketDisconnect

from app.collab import document as document_module
from app.collab import log
from app.config import Settings
from app.models.operation import Snapshot
from app.models.statement import Statement
from app.models.user import User
from app.services import sessions
from app.services.text import text_at
from tests.collab.sockets import Connect, receive
from tests.factories import ORIGIN, make_user


def test_hello_gives_text_role_and_peers(
    connect: Connect,
    room: tuple[Statement, User, User, User],
) -> None:
    statement, facilitator, editor, _ = room
    with connect(facilitator, statement) as (_, first):
        assert (first["type"], first["rev"], first["text"]) == ("hello", 1, "Hello world")
        assert first["role"] == "facilitator"
        assert first["peers"] == []
        with connect(editor, statement) as (_, second):
            assert [p["user"]["id"] for p in second["peers"]] == [facilitator.id]
            assert second["you"]["id"] == editor.id


def test_op_acked_and_broadcast(
    connect: Connect,
    signed_in: Callable[[User], TestClient],
    room: tuple[Statement, User, User, User],
) -> None:
    statement, facilitator, editor, _ = room
    alice = signed_in(facilitator)
    with connect(facilitator, statement) as (a, _), connect(editor, statement) as (b, _):
        a.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [6, "big ", 5]})
        assert receive(a, "ack") == {"type": "ack", "seq": 1, "rev": 2}
        remote = receive(b, "op")
        assert (remote["rev"], remote["op"], remote["author"]["id"]) == (
            2,
            [6, "big ", 5],
            facilitator.id,
        )
    assert alice.get(f"/api/statements/{statement.id}/text").json() == {
        "rev": 2,
        "text": "Hello big world",
    }


def test_concurrent_ops_transformed(
    connect: Connect,
    signed_in: Callable[[User], TestClient],
    room: tuple[Statement, User, User, User],
) -> None:
    statement, facilitator, editor, _ = room
    alice = signed_in(facilitator)
    with connect(facilitator, statement) as (a, _), connect(editor, statement) as (b, _):
        a.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": ["¡", 11]})
        assert receive(a, "ack")["rev"] == 2
        # Bob had not seen Alice's change: his is made on revision 1 and still lands right.
        b.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [11, "! 😀"]})
        assert receive(b, "op")["rev"] == 2  # Alice's change reaches him meanwhile
        assert receive(b, "ack")["rev"] == 3
        assert receive(a, "op")["op"] == [12, "! 😀"]
    assert alice.get(f"/api/statements/{statement.id}/text").json()["text"] == "¡Hello world! 😀"


def test_resent_op_applied_once(
    connect: Connect,
    signed_in: Callable[[User], TestClient],
    room: tuple[Statement, User, User, User],
) -> None:
    statement, facilitator, _, _ = room
    alice = signed_in(facilitator)
    client_id = uuid.uuid4().hex
    frame = {"type": "op", "base_rev": 1, "seq": 1, "op": [11, "!"]}
    with connect(facilitator, statement, client_id) as (a, _):
        a.send_json(frame)
        assert receive(a, "ack")["rev"] == 2
    # The connection dropped before the client saw the ack; it reconnects and resends.
    with connect(facilitator, statement, client_id, since=1) as (a, hello):
        assert [o["rev"] for o in hello["ops"]] == [2]
        a.send_json(frame)
        assert receive(a, "ack") == {"type": "ack", "seq": 1, "rev": 2}
    assert alice.get(f"/api/statements/{statement.id}/text").json() == {
        "rev": 2,
        "text": "Hello world!",
    }


def test_anothers_client_id_is_refused(
    connect: Connect,
    signed_in: Callable[[User], TestClient],
    room: tuple[Statement, User, User, User],
) -> None:
    """Client ids are seen by every member (in `hello` and presence). Taking someone else's
    would make their next change look like a resend of yours, acknowledged and dropped."""
    statement, facilitator, editor, _ = room
    client_id = uuid.uuid4().hex
    with connect(facilitator, statement, client_id) as (alice, _):
        # While she is here, with nothing written yet.
        with pytest.raises(WebSocketDisconnect) as refused, connect(editor, statement, client_id):
            pass
        assert refused.value.code == 4422
        alice.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [11, "!"]})
        assert receive(alice, "ack")["rev"] == 2
    # And once she has gone, her changes still name her.
    with pytest.raises(WebSocketDisconnect) as refused, connect(editor, statement, client_id):
        pass
    assert refused.value.code == 4422
    with connect(facilitator, statement, client_id, since=2) as (alice, _):
        alice.send_json({"type": "op", "base_rev": 2, "seq": 2, "op": [12, "?"]})
        assert receive(alice, "ack") == {"type": "ack", "seq": 2, "rev": 3}
    text = signed_in(facilitator).get(f"/api/statements/{statement.id}/text").json()
    assert text == {"rev": 3, "text": "Hello world!?"}


def test_since_gives_missed_ops(
    connect: Connect,
    room: tuple[Statement, User, User, User],
) -> None:
    statement, facilitator, _, _ = room
    with connect(facilitator, statement) as (a, _):
        for seq, op in enumerate([[11, "!"], [12, "!"], ["> ", 13]], start=1):
            a.send_json({"type": "op", "base_rev": seq, "seq": seq, "op": op})
            receive(a, "ack")
    with connect(facilitator, statement, since=2) as (_, hello):
        assert "text" not in hello
        assert [(o["rev"], o["op"]) for o in hello["ops"]] == [(3, [12, "!"]), (4, ["> ", 13])]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "invalid_frame"),
        (json.dumps({"type": "dance"}), "invalid_frame"),
        (json.dumps({"type": "op", "base_rev": 1, "seq": 1, "op": [99]}), "invalid_operation"),
        (json.dumps({"type": "op", "base_rev": 9, "seq": 1, "op": [11]}), "future_revision"),
        (json.dumps({"type": "op", "base_rev": -1, "seq": 1, "op": [11]}), "invalid_frame"),
        (json.dumps({"type": "op", "base_rev": 1, "seq": 1, "op": [11, 0]}), "invalid_operation"),
        (json.dumps({"type": "op", "base_rev": 1, "seq": 1, "op": [11, "\u0000"]}), "invalid_text"),
        ('{"type": "op", "base_rev": 1, "seq": 1, "op": [11, "\\ud800"]}', "invalid_frame"),
        (json.dumps({"type": "op", "base_rev": 1, "seq": 1, "op": [True]}), "invalid_frame"),
        # Numbers no op log column keeps: refused, not acknowledged nor failing to be saved.
        (json.dumps({"type": "op", "base_rev": 1, "seq": 2**31, "op": [11, "!"]}), "invalid_frame"),
        (json.dumps({"type": "op", "base_rev": 1, "seq": 2**63, "op": [11, "!"]}), "invalid_frame"),
        (json.dumps({"type": "op", "base_rev": 2**63, "seq": 1, "op": [11]}), "invalid_frame"),
    ],
)
def test_bad_frame_refused_and_changes_nothing(
    connect: Connect,
    signed_in: Callable[[User], TestClient],
    room: tuple[Statement, User, User, User],
    frame: str,
    code: str,
) -> None:
    statement, facilitator, _, _ = room
    alice = signed_in(facilitator)
    with connect(facilitator, statement) as (a, _):
        a.send_text(frame)
        refusal = receive(a, "error")
        assert refusal["code"] == code
        assert refusal["message"]
    assert alice.get(f"/api/statements/{statement.id}/text").json() == {
        "rev": 1,
        "text": "Hello world",
    }


def test_oversized_frame_refused(
    connect: Connect,
    room: tuple[Statement, User, User, User],
    settings: Settings,
) -> None:
    statement, facilitator, _, _ = room
    with connect(facilitator, statement) as (a, _):
        a.send_json(
            {"type": "op", "base_rev": 1, "seq": 1, "op": [11, "x" * settings.max_frame_bytes]}
        )
        assert receive(a, "error")["code"] == "too_large"


def test_viewer_cannot_send_changes(
    connect: Connect,
    signed_in: Callable[[User], TestClient],
    room: tuple[Statement, User, User, User],
) -> None:
    statement, _, _, viewer = room
    reader = signed_in(viewer)
    with connect(viewer, statement) as (v, hello):
        assert hello["role"] == "viewer"
        v.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [11, "!"]})
        assert receive(v, "error")["code"] == "forbidden"
    assert reader.get(f"/api/statements/{statement.id}/text").json()["rev"] == 1


def test_presence_relayed_with_who(
    connect: Connect,
    room: tuple[Statement, User, User, User],
) -> None:
    statement, facilitator, editor, _ = room
    with connect(facilitator, statement) as (a, _):
        with connect(editor, statement) as (b, hello):
            assert [peer["user"]["id"] for peer in hello["peers"]] == [facilitator.id]
            arrived = a.receive_json()
            assert arrived["type"] == "presence"
            assert arrived["user"]["name"] == editor.name
            assert arrived["selection"] is None
            b.send_json({"type": "presence", "selection": {"anchor": 6, "head": 11}, "rev": 1})
            seen = a.receive_json()
            assert seen["type"] == "presence"
            assert seen["user"]["id"] == editor.id
            assert seen["selection"] == {"anchor": 6, "head": 11}
        gone = a.receive_json()
        assert gone["type"] == "presence"
        assert (gone["client_id"], gone["selection"], gone["left"]) == (
            arrived["client_id"],
            None,
            True,
        )


def test_handshake_refused(
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    room: tuple[Statement, User, User, User],
    session: Session,
) -> None:
    statement, facilitator, _, _ = room
    path = f"/ws/statements/{statement.id}?client_id=abc"
    cases = [
        (client, {"Origin": ORIGIN}, 4401),  # not signed in
        (signed_in(facilitator), {"Origin": "https://evil.example"}, 1008),
        (signed_in(make_user(session)), {"Origin": ORIGIN}, 4404),  # not a member
    ]
    for caller, headers, code in cases:
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            caller.websocket_connect(path, headers=headers) as socket,
        ):
            socket.receive_json()
        assert refused.value.code == code


def test_handshake_with_absurd_numbers_refused(
    signed_in: Callable[[User], TestClient], room: tuple[Statement, User, User, User]
) -> None:
    statement, facilitator, _, _ = room
    alice = signed_in(facilitator)
    cases = [
        (f"/ws/statements/{2**63}?client_id=abc", 4404),  # no statement has such an id
        (f"/ws/statements/{statement.id}?client_id=abc&since=²", 4422),  # a digit, not 0-9
        (f"/ws/statements/{statement.id}?client_id=abc&since={'9' * 5000}", 4422),
        # The server's own client ids, for changes made through the API, are not for sockets.
        (f"/ws/statements/{statement.id}?client_id=http-0123abcd", 4422),
    ]
    for path, code in cases:
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            alice.websocket_connect(path, headers={"Origin": ORIGIN}) as socket,
        ):
            socket.receive_json()
        assert refused.value.code == code, path


def test_snapshots_written_and_used(
    connect: Connect,
    room: tuple[Statement, User, User, User],
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(log, "SNAPSHOT_EVERY", 3)
    statement, facilitator, _, _ = room
    with connect(facilitator, statement) as (a, _):
        for seq in range(1, 6):
            a.send_json({"type": "op", "base_rev": seq, "seq": seq, "op": [10 + seq, "."]})
            receive(a, "ack")
    snapshots = session.exec(select(Snapshot).where(Snapshot.statement_id == statement.id)).all()
    assert [(s.rev, s.text) for s in snapshots] == [(3, "Hello world.."), (6, "Hello world.....")]
    # A fresh room loads from the snapshot plus the changes after it.
    with connect(facilitator, statement) as (_, hello):
        assert (hello["rev"], hello["text"]) == (6, "Hello world.....")
    assert text_at(session=session, statement_id=statement.id, rev=4).text == "Hello world..."


def test_room_closes_when_last_client_leaves(
    connect: Connect, app: FastAPI, room: tuple[Statement, User, User, User]
) -> None:
    statement, facilitator, editor, _ = room
    hub = app.state.hub
    with connect(facilitator, statement):
        with connect(editor, statement):
            assert list(hub.audiences) == [statement.id]
        assert list(hub.audiences) == [statement.id]
    assert hub.audiences == {}


def test_script_connects_with_bearer_token(
    client: TestClient, room: tuple[Statement, User, User, User], session: Session
) -> None:
    statement, facilitator, _, _ = room
    _, secret = sessions.create_api_token(session=session, user=facilitator, name="bot")
    session.commit()
    path = f"/ws/statements/{statement.id}?client_id=bot-1"
    with client.websocket_connect(path, headers={"Authorization": f"Bearer {secret}"}) as socket:
        hello = socket.receive_json()
        assert (hello["type"], hello["you"]["id"]) == ("hello", facilitator.id)
        socket.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [11, "!"]})
        assert receive(socket, "ack")["rev"] == 2


def test_late_change_transformed_against_history_on_disk(
    connect: Connect, room: tuple[Statement, User, User, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(document_module, "RECENT_LIMIT", 4)
    statement, facilitator, editor, _ = room
    with connect(facilitator, statement) as (a, _), connect(editor, statement) as (b, _):
        for seq in range(1, 8):
            a.send_json({"type": "op", "base_rev": seq, "seq": seq, "op": [10 + seq, "."]})
            receive(a, "ack")
        # Made on revision 1, older than anything the room still holds in memory.
        b.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": ["> ", 11]})
        while (frame := b.receive_json())["type"] != "ack":
            assert frame["type"] == "op"  # Alice's changes, passing by
        assert frame["rev"] == 9
    with connect(facilitator, statement) as (_, hello):
        assert hello["text"] == "> Hello world......."


def test_sockets_per_person_capped(
    connect: Connect,
    room: tuple[Statement, User, User, User],
    settings: Settings,
) -> None:
    statement, facilitator, editor, _ = room
    settings.max_sockets_per_user = 2
    with connect(facilitator, statement), connect(facilitator, statement):
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            connect(facilitator, statement),
        ):
            pass
        assert refused.value.code == 4429
        assert "2 open connections" in str(refused.value.reason)
        with connect(editor, statement) as (_, hello):  # others are not held back
            assert hello["type"] == "hello"
    with connect(facilitator, statement) as (_, hello):  # closing frees the places
        assert hello["type"] == "hello"


def test_binary_frame_refused(
    connect: Connect,
    room: tuple[Statement, User, User, User],
) -> None:
    statement, facilitator, _, _ = room
    with connect(facilitator, statement) as (a, _):
        a.send_bytes(b'{"type":"op","base_rev":1,"seq":1,"op":[11,"!"]}')
        assert receive(a, "error") == {
            "type": "error",
            "code": "invalid_frame",
            "message": "Frames are JSON text.",
        }
        a.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [11, "!"]})
        assert receive(a, "ack") == {"type": "ack", "seq": 1, "rev": 2}
