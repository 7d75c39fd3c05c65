"""The editing history: the op log grouped into sessions of work, with who did how much."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.collab import ops
from app.config import Settings
from app.models.membership import Role
from app.models.operation import Operation
from app.models.user import User
from tests.factories import add_member, make_statement, make_user

MORNING = datetime(2017, 11, 20, 9, 0, tzinfo=UTC)


def _log(
    session: Session, statement_id: int, changes: list[tuple[User, int, list[object]]]
) -> None:
    """Write changes after revision 1 as the room would, each `minutes` after nine; the
    statement's first text was written the day before."""
    start = session.get(Operation, (statement_id, 1))
    if start is not None:
        start.created_at = MORNING - timedelta(days=1)
        session.add(start)
    for rev, (author, minutes, op) in enumerate(changes, start=2):
        session.add(
            Operation(
                statement_id=statement_id,
                rev=rev,
                op=op,
                author_id=author.id,
                created_at=MORNING + timedelta(minutes=minutes),
            )
        )
    session.commit()


def test_history_groups_revisions_into_sessions(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    alice = make_user(session, name="Alice", organisation="Wikimedia Norway")
    ben = make_user(session, name="Ben", organisation="Wikimedia UK")
    statement = make_statement(session, settings, facilitator=alice, text="Hi")
    add_member(session, statement, ben, Role.editor)
    _log(
        session,
        statement.id,
        [
            (alice, 0, [2, " all"]),  # "Hi all"
            (ben, 3, [6, " 🌍"]),  # "Hi all 🌍"
            (alice, 9, [-2, "Hello", 6]),  # "Hello all 🌍"
            (ben, 18, [9, -2]),  # "Hello all"; quiet for two hours after this
            (ben, 140, ["# ", 9]),
        ],
    )
    me = signed_in(ben)

    response = me.get(f"/api/statements/{statement.id}/history")

    assert response.status_code == 200
    sessions = response.json()["data"]
    assert [(s["first_rev"], s["last_rev"], s["revisions"]) for s in sessions] == [
        (6, 6, 1),
        (2, 5, 4),
        (1, 1, 1),
    ]
    morning = sessions[1]
    assert morning["started_at"].startswith("2017-11-20T09:00:00")
    assert morning["ended_at"].startswith("2017-11-20T09:18:00")
    assert (morning["inserted"], morning["deleted"]) == (4 + 2 + 5, 2 + 2)
    assert morning["authors"] == [
        {
            "id": alice.id,
            "name": "Alice",
            "organisation": "Wikimedia Norway",
            "revisions": 2,
            "inserted": 9,
            "deleted": 2,
        },
        {
            "id": ben.id,
            "name": "Ben",
            "organisation": "Wikimedia UK",
            "revisions": 2,
            "inserted": 2,
            "deleted": 2,
        },
    ]
    assert [a["name"] for a in sessions[0]["authors"]] == ["Ben"]


def test_history_pages_and_gap(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    alice = make_user(session, name="Alice")
    statement = make_statement(session, settings, facilitator=alice, text="a")
    _log(session, statement.id, [(alice, minute * 7, [minute, "b"]) for minute in range(1, 6)])
    me = signed_in(alice)
    url = f"/api/statements/{statement.id}/history"

    # Seven minutes apart: one session with a ten-minute gap, one per revision with five.
    assert me.get(url, params={"gap": 10}).json()["data"][0]["revisions"] == 5
    first_page = me.get(url, params={"gap": 5, "limit": 2}).json()["data"]
    assert [s["first_rev"] for s in first_page] == [6, 5]
    next_page = me.get(url, params={"gap": 5, "limit": 2, "before": 5}).json()["data"]
    assert [s["first_rev"] for s in next_page] == [4, 3]
    assert me.get(url, params={"gap": 0}).status_code == 422
    assert me.get(url, params={"before": 0}).status_code == 422


def test_history_of_an_empty_statement(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    alice = make_user(session)
    statement = make_statement(session, settings, facilitator=alice)
    me = signed_in(alice)
    assert me.get(f"/api/statements/{statement.id}/history").json() == {"data": [], "count": 0}


def test_changes_replay_to_the_text_page_by_page(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    alice = make_user(session, name="Alice")
    statement = make_statement(session, settings, facilitator=alice, text="a")
    _log(
        session,
        statement.id,
        [(alice, minute, [minute, "é🌍"[minute % 2]]) for minute in range(1, 6)],
    )
    me = signed_in(alice)
    url = f"/api/statements/{statement.id}/changes"

    first = me.get(url, params={"limit": 4}).json()["data"]
    rest = me.get(url, params={"after": first[-1]["rev"]}).json()["data"]

    assert [c["rev"] for c in first + rest] == [1, 2, 3, 4, 5, 6]
    assert first[1]["author_id"] == alice.id
    assert first[1]["created_at"].startswith("2017-11-20T09:01:00")
    text = ""
    for change in first + rest:
        text = ops.apply(text, change["op"])
    assert text == me.get(f"/api/statements/{statement.id}/text").json()["text"]
    assert me.get(url, params={"limit": 0}).status_code == 422
