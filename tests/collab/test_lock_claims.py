"""On PostgreSQL the database holds locks too: a batch sequenced by a room that did not hold
a section locked since is not written, whatever that room's notices told it."""

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.collab import log
from app.collab.change import Batch, Change, Sent
from app.config import Settings
from app.services import section_locks, sections
from tests.factories import make_statement, make_user

TEXT = "We agree.\n\n## Trust\nWe trust each other.\n"


def test_a_batch_from_a_room_that_missed_a_lock_is_not_written(
    session: Session, settings: Settings
) -> None:
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    if engine.dialect.name != "postgresql":
        pytest.skip("on SQLite one process writes: its rooms hold every lock themselves")
    fatima = make_user(session, name="Fatima")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    _, text, found = sections.draft(session=session, statement_id=statement.id)
    trust = sections.find(found, "trust")
    section_locks.lock(
        session=session,
        statement_id=statement.id,
        section=trust,
        words=trust.text(text),
        actor=fatima,
    )
    session.commit()
    op = [len(TEXT), "\n## Culture\n"]
    change = Change(2, op, fatima.id, "a-tab", 1, Sent(1, op))

    with pytest.raises(log.LocksChanged):
        log.append_many(engine, [Batch(statement.id, [change])])
    assert log.head_revision(session=session, statement_id=statement.id) == 1

    log.append_many(engine, [Batch(statement.id, [change], locked=frozenset({"trust"}))])
    assert log.head_revision(session=session, statement_id=statement.id) == 2
