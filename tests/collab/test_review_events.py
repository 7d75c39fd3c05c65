"""Review and publishing reach open pages as live events, so that their panels keep up."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.statement import Statement
from app.models.user import User
from tests.collab.sockets import Connect, browser_headers, receive


def test_round_and_publication_reach_open_pages(
    connect: Connect,
    client: TestClient,
    room: tuple[Statement, User, User, User],
    session: Session,
    settings: Settings,
) -> None:
    statement, facilitator, editor, _ = room
    as_facilitator = browser_headers(session, settings, facilitator)
    base = f"/api/statements/{statement.id}"
    client.post(f"{base}/versions", json={"name": "Final"}, headers=as_facilitator)
    # Under the majority rule the facilitator's approval alone carries the round.
    rule = {"approval_rule": "majority"}
    client.patch(base, json=rule, headers=as_facilitator).raise_for_status()
    with connect(editor, statement) as (socket, _):
        opened = client.post(f"{base}/rounds", json={"version": 1}, headers=as_facilitator)
        round_id = opened.json()["id"]
        assert receive(socket, "event") == {
            "type": "event",
            "name": "round.opened",
            "round": round_id,
        }
        stance = {"kind": "approve"}
        stances = f"{base}/rounds/{round_id}/stances"
        client.post(stances, json=stance, headers=as_facilitator).raise_for_status()
        assert receive(socket, "event") == {
            "type": "event",
            "name": "stance.recorded",
            "round": round_id,
        }
        client.post(f"{base}/rounds/{round_id}/close", headers=as_facilitator).raise_for_status()
        assert receive(socket, "event") == {
            "type": "event",
            "name": "round.closed",
            "round": round_id,
        }
        published = client.post(f"{base}/publications", json={"version": 1}, headers=as_facilitator)
        assert published.status_code == 201
        assert receive(socket, "event") == {
            "type": "event",
            "name": "statement.published",
            "publication": 1,
        }
