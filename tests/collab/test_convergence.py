"""Several editors typing at once converge on exactly the server's text."""

import random
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.collab import ops
from app.config import Settings
from app.models.membership import Role
from app.services.text import text_at
from tests.collab.client import OTClient
from tests.collab.sockets import Connect
from tests.factories import add_member, make_statement, make_user

PIECES = ["a", "b", " ", "\n", "😀", "é", "word ", "\r\n", "中文"]


def random_edit(rng: random.Random, text: str) -> ops.Operation:
    position = rng.randint(0, len(text))
    if text and rng.random() < 0.35:
        length = rng.randint(1, min(5, len(text) - min(position, len(text) - 1)))
        position = min(position, len(text) - length)
        return ops.normalise([position, -length, len(text) - position - length])
    return ops.normalise([position, rng.choice(PIECES), len(text) - position])


@pytest.mark.parametrize("seed", [2017, 2018, 11])
def test_concurrent_editors_converge(
    connect: Connect, client: TestClient, session: Session, settings: Settings, seed: int
) -> None:
    rng = random.Random(seed)
    facilitator = make_user(session)
    statement = make_statement(session, settings, facilitator=facilitator, text="Draft 😀\n")
    people = [facilitator]
    for _ in range(3):
        person = make_user(session)
        add_member(session, statement, person, Role.editor)
        people.append(person)
    with ExitStack() as stack:
        editors = []
        for person in people:
            socket, hello = stack.enter_context(connect(person, statement))
            editors.append(OTClient(socket, hello["rev"], hello["text"]))
        for _ in range(300):
            editor = rng.choice(editors)
            if rng.random() < 0.6:
                editor.edit(random_edit(rng, editor.text))
            busy = [e for e in editors if e.busy]
            if busy and rng.random() < 0.7:
                rng.choice(busy).receive()
        while any(e.busy for e in editors):
            next(e for e in editors if e.busy).receive()
        session.expire_all()
        head = text_at(session=session, statement_id=statement.id)
        for editor in editors:
            while editor.rev < head.rev:
                editor.receive()
    assert head.rev > 40  # many changes really were concurrent and sequenced
    assert {editor.text for editor in editors} == {head.text}
