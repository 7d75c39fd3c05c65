"""Saving a whole text over HTTP: it becomes an operation, merged with concurrent edits."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.collab import ops
from app.collab.diffing import operation_between
from app.config import Settings
from app.middleware import SESSION_COOKIE
from app.models.membership import Role
from app.models.user import User
from app.services import sessions
from tests.collab.sockets import Connect, receive
from tests.factories import add_member, make_statement, make_user


def test_operation_between_turns_old_into_new() -> None:
    for old, new in [
        ("", "abc"),
        ("abc", ""),
        ("Hello world", "Hello, big 🌍!"),
        ("a\r\nb", "a\nb"),
        ("same", "same"),
    ]:
        assert ops.apply(old, operation_between(old, new)) == new


def test_save_text_merges_concurrent_edit(
    connect: Connect,
    client: TestClient,
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
) -> None:
    author, editor = make_user(session), make_user(session)
    statement = make_statement(
        session, settings, facilitator=author, text="We agree.\n\nWe publish."
    )
    add_member(session, statement, editor, Role.editor)
    with connect(editor, statement) as (socket, _):
        # Someone edits the end live while a script works on revision 1.
        socket.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [22, " In January."]})
        receive(socket, "ack")
        # Through the started client, so the save meets the socket's room on one event loop.
        token = sessions.start_session(session=session, settings=settings, user=author)
        session.commit()
        saved = client.post(
            f"/api/statements/{statement.id}/text",
            json={"base_rev": 1, "text": "We all agree.\n\nWe publish."},
            headers={"Cookie": f"{SESSION_COOKIE}={token}"},
        )
        assert saved.status_code == 200, saved.text
        assert saved.json() == {"rev": 3}
        assert receive(socket, "op")["rev"] == 3
    assert signed_in(author).get(f"/api/statements/{statement.id}/text").json() == {
        "rev": 3,
        "text": "We all agree.\n\nWe publish. In January.",
    }


def test_save_text_refusals(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    author = make_user(session)
    statement = make_statement(session, settings, facilitator=author, text="Draft")
    me = signed_in(author)
    path = f"/api/statements/{statement.id}/text"
    future = me.post(path, json={"base_rev": 5, "text": "x"})
    assert future.status_code == 404
    assert "at revision 1" in future.json()["detail"]
    too_big = me.post(path, json={"base_rev": 1, "text": "x" * (settings.max_text_bytes + 1)})
    assert too_big.status_code == 413
    assert me.post(path, json={"base_rev": 1, "text": "a\u0000"}).status_code == 422
    assert me.post(path, json={"base_rev": 1, "text": "x", "author": 9}).status_code == 422
    assert me.post(path, json={"base_rev": 2**63, "text": "x"}).status_code == 422
    assert me.get(path).json() == {"rev": 1, "text": "Draft"}


def test_a_change_through_the_api_is_marked_undoable_and_a_live_one_is_not(
    connect: Connect,
    client: TestClient,
    session: Session,
    settings: Settings,
) -> None:
    """The author's own editor may undo a text they saved or a version they restored, but
    not someone's typing: the `op` frame says which."""
    author, editor = make_user(session), make_user(session)
    statement = make_statement(session, settings, facilitator=author, text="We agree.")
    add_member(session, statement, editor, Role.editor)
    token = sessions.start_session(session=session, settings=settings, user=author)
    session.commit()
    with connect(author, statement) as (mine, _), connect(editor, statement) as (theirs, _):
        theirs.send_json({"type": "op", "base_rev": 1, "seq": 1, "op": [9, " All."]})
        typed = receive(mine, "op")
        assert (typed["author"]["id"], "undoable" in typed) == (editor.id, False)
        saved = client.post(
            f"/api/statements/{statement.id}/text",
            json={"base_rev": 2, "text": "We all agree. All."},
            headers={"Cookie": f"{SESSION_COOKIE}={token}"},
        )
        assert saved.status_code == 200, saved.text
        made = receive(mine, "op")
        assert (made["rev"], made["author"]["id"], made["undoable"]) == (3, author.id, True)
