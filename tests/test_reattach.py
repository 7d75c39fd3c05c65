"""A thread whose passage was deleted takes it again when its words come back where they were
(a deletion undone), and the API says so: the thread is no longer outdated and spans them."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models.membership import Role
from app.models.user import User
from app.services.anchors import carry, reattach
from tests.factories import add_member, make_statement, make_user, save_text

TEXT = "We value free knowledge. Partners need support."
WITHOUT = "We value . Partners need support."


def _thread(client: TestClient, sid: int) -> tuple[bool, str]:
    """Whether the only thread is outdated, and the words its passage spans now."""
    (thread,) = client.get(f"/api/statements/{sid}/threads").json()["data"]
    text = client.get(f"/api/statements/{sid}/text").json()["text"]
    return thread["outdated"], text[thread["start"] : thread["end"]]


def _commented(
    session: Session, settings: Settings, signed_in: Callable[[User], TestClient]
) -> tuple[int, TestClient]:
    """A statement whose editor comments on "free knowledge"; its id and the editor's client."""
    facilitator, editor = make_user(session, name="Fatima"), make_user(session, name="Ben")
    statement = make_statement(session, settings, facilitator=facilitator, text=TEXT)
    add_member(session, statement, editor, Role.editor)
    ben = signed_in(editor)
    start = TEXT.index("free knowledge")
    made = ben.post(
        f"/api/statements/{statement.id}/threads",
        json={"start": start, "end": start + 14, "rev": 1, "body": "Whose knowledge?"},
    )
    assert made.status_code == 201, made.text
    return statement.id, ben


def test_thread_reattaches_when_its_deletion_is_undone(
    session: Session, settings: Settings, signed_in: Callable[[User], TestClient]
) -> None:
    sid, ben = _commented(session, settings, signed_in)
    save_text(ben, sid, WITHOUT)
    assert _thread(ben, sid) == (True, "")  # listed, and saved, as outdated

    save_text(ben, sid, TEXT)  # the deletion undone
    assert _thread(ben, sid) == (False, "free knowledge")

    # It follows its words again from there.
    save_text(ben, sid, "Together we value free knowledge. Partners need support.")
    assert _thread(ben, sid) == (False, "free knowledge")


def test_thread_reattaches_even_if_nobody_listed_it_while_deleted(
    session: Session, settings: Settings, signed_in: Callable[[User], TestClient]
) -> None:
    sid, ben = _commented(session, settings, signed_in)
    save_text(ben, sid, WITHOUT)
    save_text(ben, sid, "Today: " + WITHOUT)  # the empty passage moves with the text, as a caret
    save_text(ben, sid, "Today: " + TEXT)
    assert _thread(ben, sid) == (False, "free knowledge")


def test_thread_stays_outdated_when_its_words_come_back_elsewhere(
    session: Session, settings: Settings, signed_in: Callable[[User], TestClient]
) -> None:
    sid, ben = _commented(session, settings, signed_in)
    save_text(ben, sid, WITHOUT)
    save_text(ben, sid, WITHOUT + " We value free knowledge.")
    assert _thread(ben, sid) == (True, "")


def test_thread_reattaches_when_the_deleted_sentence_around_it_comes_back(
    session: Session, settings: Settings, signed_in: Callable[[User], TestClient]
) -> None:
    sid, ben = _commented(session, settings, signed_in)
    save_text(ben, sid, "Partners need support.")
    assert _thread(ben, sid) == (True, "")
    save_text(ben, sid, TEXT)
    assert _thread(ben, sid) == (False, "free knowledge")


def test_reattach_takes_the_quote_only_where_the_passage_was() -> None:
    text = "We value free knowledge"
    assert reattach(9, 9, "free", text) == (9, 13)  # typed back, caret before it
    assert reattach(13, 13, "free", text) == (9, 13)  # typed back, caret after it
    assert reattach(3, 23, "free", text) == (9, 13)  # inside what came back
    assert reattach(3, 3, "free", text) == (3, 3)
    assert reattach(0, 0, "a🌍", "a🌍a🌍") == (0, 2)


def test_carry_reads_the_text_only_once_the_passage_is_empty() -> None:
    asked: list[str] = []

    def text() -> str:
        asked.append("asked")
        return "We value free knowledge."

    assert carry(9, 23, [[3, "do ", 21]], quote="free knowledge", text=text) == (12, 26)
    assert asked == []
    deleted_and_undone: list[list[int | str]] = [[9, -14, 1], [9, "free knowledge", 1]]
    assert carry(9, 23, deleted_and_undone, quote="free knowledge", text=text) == (9, 23)
    assert asked == ["asked"]
