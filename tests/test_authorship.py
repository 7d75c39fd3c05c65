"""Authorship: who wrote each character of the text, kept exactly through every change."""

import random
from collections.abc import Callable
from itertools import pairwise

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, delete, select

from app.collab import ops
from app.config import Settings
from app.models.authorship import AuthorshipSnapshot
from app.models.membership import Role
from app.models.operation import Operation
from app.models.user import User
from app.services import authorship
from app.services.authorship import Run, apply_to_runs
from tests.factories import add_member, make_statement, make_user


def _random_op(rng: random.Random, length: int) -> ops.Operation:
    op: ops.Operation = []
    position = 0
    while position < length:
        step = rng.randint(1, max(1, (length - position) // 2))
        kind = rng.random()
        if kind < 0.25:
            op.append(-step)
        elif kind < 0.5:
            op.append(rng.choice(["a", "🌍", "e\u0301", "\r\n", "word "]))
            op.append(step)
        else:
            op.append(step)
        position += step
    if rng.random() < 0.5:
        op.append("end")
    return ops.normalise(op)


def test_runs_follow_every_change_character_by_character() -> None:
    rng = random.Random(7)
    text = ""
    runs: list[Run] = []
    writers: list[int | None] = []  # the brute force: one writer per character
    for step in range(400):
        author = step % 3
        op = _random_op(rng, len(text))
        if not op:
            continue
        position = 0
        next_writers: list[int | None] = []
        for component in op:
            if isinstance(component, str):
                next_writers.extend([author] * len(component))
            elif component > 0:
                next_writers.extend(writers[position : position + component])
                position += component
            else:
                position -= component
        text, writers = ops.apply(text, op), next_writers
        runs = apply_to_runs(runs, op, author)
        expanded = [writer for length, writer in runs for _ in range(length)]
        assert expanded == writers
        assert all(a[1] != b[1] for a, b in pairwise(runs))  # merged


def test_interleaved_writers_credited_exactly(
    signed_in: Callable[[User], TestClient], session: Session, settings: Settings
) -> None:
    alice = make_user(session, name="Alice", organisation="Wikimedia Norway")
    ben = make_user(session, name="Ben", organisation="Wikimedia UK")
    chen = make_user(session, name="Chen", organisation="Creative Commons")
    statement = make_statement(session, settings, facilitator=alice, text="We agree.")
    add_member(session, statement, ben, Role.editor)
    add_member(session, statement, chen, Role.editor)
    changes: list[tuple[User, list[int | str]]] = [
        (ben, [2, " all", 7]),  # We all agree.
        (chen, [13, " 🌍"]),  # We all agree. 🌍
        (alice, [3, -3, "both", 9]),  # We both agree. 🌍
        (ben, [14, -2]),  # We both agree.
    ]
    for rev, (author, op) in enumerate(changes, start=2):
        session.add(Operation(statement_id=statement.id, rev=rev, op=op, author_id=author.id))
    session.commit()
    me = signed_in(chen)
    url = f"/api/statements/{statement.id}/authorship"

    now = me.get(url).json()
    assert now["rev"] == 5
    # "We both agree.": Ben's space survived Alice replacing his "all" with "both".
    assert now["runs"] == [[2, alice.id], [1, ben.id], [11, alice.id]]
    assert [writer["name"] for writer in now["writers"]] == ["Alice", "Ben"]
    assert now["writers"][1]["organisation"] == "Wikimedia UK"
    assert now["writers"][1]["colour"].startswith("hsl(")

    earlier = me.get(url, params={"rev": 3}).json()  # "We all agree. 🌍"
    assert earlier["runs"] == [[2, alice.id], [4, ben.id], [7, alice.id], [2, chen.id]]
    assert {writer["name"] for writer in earlier["writers"]} == {"Alice", "Ben", "Chen"}
    assert me.get(url, params={"rev": 6}).status_code == 404
    assert me.get(url, params={"rev": -1}).status_code == 422


def test_long_replays_kept_and_reused(
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(authorship, "KEEP_AFTER", 3)
    alice = make_user(session, name="Alice")
    ben = make_user(session, name="Ben")
    statement = make_statement(session, settings, facilitator=alice, text="a")
    add_member(session, statement, ben, Role.editor)
    for rev in range(2, 8):
        author = alice if rev % 2 else ben
        session.add(
            Operation(statement_id=statement.id, rev=rev, op=[rev - 1, "b"], author_id=author.id)
        )
    session.commit()
    me = signed_in(alice)
    url = f"/api/statements/{statement.id}/authorship"

    first = me.get(url, params={"rev": 5}).json()
    kept = session.exec(select(AuthorshipSnapshot)).all()
    assert [(k.statement_id, k.rev) for k in kept] == [(statement.id, 5)]
    # From the kept runs, two more changes: too few to keep again, and the same answer as a
    # replay from the start would give.
    later = me.get(url).json()
    assert len(session.exec(select(AuthorshipSnapshot)).all()) == 1
    # Alice wrote "a", then Ben and Alice took turns adding a letter each.
    assert first["runs"] == [[1, alice.id], [1, ben.id], [1, alice.id], [1, ben.id], [1, alice.id]]
    assert later["runs"] == first["runs"] + [[1, ben.id], [1, alice.id]]
    monkeypatch.setattr(authorship, "KEEP_AFTER", 10_000)
    session.exec(delete(AuthorshipSnapshot))
    session.commit()
    assert me.get(url).json()["runs"] == later["runs"]


def _keystroke_op(rng: random.Random, length: int) -> ops.Operation:
    position = rng.randint(0, length)
    deleted = rng.randint(0, min(3, length - position)) if rng.random() < 0.3 else 0
    inserted = rng.choice(["", "a", "🌍", "word "]) if deleted else rng.choice(["a", "xy"])
    return ops.normalise([position, inserted, -deleted, length - position - deleted])


def test_replay_in_place_matches_runs_change_by_change() -> None:
    rng = random.Random(11)
    text = ""
    runs: list[Run] = []
    replay = authorship.Replay()
    for step in range(3_000):
        author = None if step % 97 == 0 else step // rng.choice([1, 5, 20]) % 3
        # Mostly keystrokes near each other or anywhere, now and then any other shape.
        op = _random_op(rng, len(text)) if step % 10 == 0 else _keystroke_op(rng, len(text))
        text = ops.apply(text, op)
        runs = apply_to_runs(runs, op, author)
        replay.apply(op, author)
        assert replay.runs() == runs
    assert sum(length for length, _ in runs) == len(text)


def test_long_replay_keeps_the_runs_it_passes(
    signed_in: Callable[[User], TestClient],
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(authorship, "KEEP_AFTER", 5)
    monkeypatch.setattr(authorship, "KEEP_EVERY", 4)
    alice = make_user(session, name="Alice")
    ben = make_user(session, name="Ben")
    statement = make_statement(session, settings, facilitator=alice, text="a")
    add_member(session, statement, ben, Role.editor)
    for rev in range(2, 12):
        author = alice if rev % 2 else ben
        session.add(
            Operation(statement_id=statement.id, rev=rev, op=[rev - 1, "b"], author_id=author.id)
        )
    session.commit()
    me = signed_in(alice)
    url = f"/api/statements/{statement.id}/authorship"

    head = me.get(url).json()
    kept = session.exec(select(AuthorshipSnapshot).order_by(col(AuthorshipSnapshot.rev))).all()
    assert [k.rev for k in kept] == [4, 8, 11]
    # An earlier revision now starts from the runs kept at 4 and agrees with a full replay.
    at_six = me.get(url, params={"rev": 6}).json()
    assert at_six["runs"] == [[1, writer] for writer in [alice.id, ben.id] * 3]
    assert head["runs"][:6] == at_six["runs"]
    session.exec(delete(AuthorshipSnapshot))
    session.commit()
    monkeypatch.setattr(authorship, "KEEP_AFTER", 10_000)
    assert me.get(url, params={"rev": 6}).json()["runs"] == at_six["runs"]
