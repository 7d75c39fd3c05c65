"""Every inbound frame type of the live protocol, for each role: what the policy allows is
applied and relayed, what it does not is refused with an `error` frame and changes nothing."""

from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.collab import protocol
from app.config import Settings
from app.models.membership import Role
from app.models.user import User
from app.services import sessions
from tests.collab.sockets import Connect, receive
from tests.factories import add_member, make_statement, make_user

ROLES = ["facilitator", "editor", "reviewer", "viewer"]
# What each role's frame of each type leads to.
POLICY: dict[str, dict[str, str]] = {
    "op": {"facilitator": "ack", "editor": "ack", "reviewer": "forbidden", "viewer": "forbidden"},
    "presence": dict.fromkeys(ROLES, "relayed"),
    "suggest": {
        "facilitator": "suggested",
        "editor": "suggested",
        "reviewer": "suggested",
        "viewer": "forbidden",
    },
}
FRAMES: dict[str, dict[str, Any]] = {
    "op": {"type": "op", "base_rev": 1, "seq": 1, "op": ["Yes. ", 5]},
    "presence": {"type": "presence", "rev": 1, "selection": {"anchor": 1, "head": 3}},
    "suggest": {"type": "suggest", "ref": 1, "base_rev": 1, "op": ["Yes. ", 5]},
}


def test_the_policy_covers_every_inbound_frame_type() -> None:
    union = get_args(get_args(protocol.Inbound)[0])
    kinds = {get_args(model.model_fields["type"].annotation)[0] for model in union}
    assert kinds == set(POLICY) == set(FRAMES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", sorted(POLICY))
def test_frame_types_follow_the_role_policy(
    connect: Connect,
    client: TestClient,
    session: Session,
    settings: Settings,
    role: str,
    kind: str,
) -> None:
    facilitator, sender, watcher = make_user(session), make_user(session), make_user(session)
    statement = make_statement(session, settings, facilitator=facilitator, text="Agree")
    add_member(session, statement, watcher, Role.viewer)
    if role != "facilitator":
        add_member(session, statement, sender, Role(role))
    person = facilitator if role == "facilitator" else sender
    with connect(watcher, statement) as (seen, _), connect(person, statement) as (socket, _):
        receive(seen, "presence")  # the sender came in
        socket.send_json(FRAMES[kind])
        outcome = POLICY[kind][role]
        if outcome == "ack":
            assert receive(socket, "ack")["rev"] == 2
            assert receive(seen, "op")["op"] == FRAMES[kind]["op"]
        elif outcome == "relayed":
            relayed = receive(seen, "presence")
            assert relayed["selection"] == FRAMES[kind]["selection"]
        elif outcome == "suggested":
            # Proposed, not made: the others hear of it, and the text stays as it was.
            assert receive(socket, "suggested")["suggestion"]["insert"] == "Yes. "
            heard = receive(seen, "event")
            assert (heard["name"], heard["suggestion"]["insert"]) == ("suggestion.created", "Yes. ")
        else:
            error = receive(socket, "error")
            assert error["code"] == outcome
            if kind == "suggest":
                assert error["ref"] == 1
    reader = client.get(
        f"/api/statements/{statement.id}/text",
        headers={"Authorization": "Bearer " + _token(session, facilitator)},
    )
    expected = "Yes. Agree" if outcome == "ack" else "Agree"
    assert reader.json()["text"] == expected


def _token(session: Session, user: User) -> str:
    _, secret = sessions.create_api_token(session=session, user=user, name="check")
    session.commit()
    return secret
