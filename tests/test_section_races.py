"""Sections under requests sent at the same moment: one lock wins; readers naming a new
text's sections at once all give the same ids; one person's stances on one section supersede
each other in turn, one current."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.config import Settings
from app.models.membership import Role
from app.models.review import Stance
from app.models.section import SectionLock
from app.models.user import User
from tests.factories import add_member, make_statement, make_user, save_text
from tests.test_races import AT_ONCE, at_once, audited, statuses

TEXT = "Preamble.\n\n## Trust\nWe trust.\n\n## Resources\nMoney.\n"
SignedIn = Callable[[User], TestClient]


def test_lock_one_section_at_once(
    session: Session, settings: Settings, signed_in: SignedIn
) -> None:
    fatima = make_user(session, name="Fatima")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    clients = [signed_in(fatima) for _ in range(AT_ONCE)]
    url = f"/api/statements/{statement.id}/sections/trust/lock"

    locked = at_once(clients, lambda c, _: c.post(url))

    assert statuses(locked) == [200] + [409] * (AT_ONCE - 1), [r.text for r in locked]
    rows = session.exec(select(SectionLock).where(SectionLock.statement_id == statement.id)).all()
    assert [(row.section, row.unlocked_at) for row in rows] == [("trust", None)]
    assert len(audited(clients[0], statement.id, "section.locked")) == 1


def test_name_a_new_texts_sections_at_once(
    session: Session, settings: Settings, signed_in: SignedIn
) -> None:
    fatima = make_user(session, name="Fatima")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    clients = [signed_in(fatima) for _ in range(AT_ONCE)]
    url = f"/api/statements/{statement.id}/sections"
    clients[0].get(url).raise_for_status()
    save_text(clients[0], statement.id, TEXT + "\n## Trust\nAgain.\n\n## Culture\nPeople.\n")

    read = at_once(clients, lambda c, _: c.get(url))

    assert statuses(read) == [200] * AT_ONCE
    ids = {tuple(item["id"] for item in r.json()["data"]) for r in read}
    assert ids == {("preamble", "trust", "resources", "trust-2", "culture")}


def test_stances_on_one_section_by_one_person_at_once(
    session: Session, settings: Settings, signed_in: SignedIn
) -> None:
    fatima = make_user(session, name="Fatima")
    rosa = make_user(session, name="Rosa")
    statement = make_statement(session, settings, facilitator=fatima, text=TEXT)
    add_member(session, statement, rosa, Role.reviewer)
    me = signed_in(fatima)
    me.post(f"/api/statements/{statement.id}/versions", json={"name": "1"}).raise_for_status()
    rid = me.post(f"/api/statements/{statement.id}/rounds", json={"version": 1}).json()["id"]
    clients = [signed_in(rosa) for _ in range(AT_ONCE)]
    url = f"/api/statements/{statement.id}/rounds/{rid}/stances"

    recorded = at_once(
        clients,
        lambda c, i: c.post(
            url, json={"kind": "request_changes", "reason": f"Reason {i}", "section": "trust"}
        ),
    )

    assert statuses(recorded) == [201] * AT_ONCE
    current = session.exec(
        select(Stance).where(
            Stance.round_id == rid, Stance.user_id == rosa.id, col(Stance.superseded_at).is_(None)
        )
    ).all()
    assert [stance.section for stance in current] == ["trust"]
