"""What is told to whom: each kind of news reaches the people it concerns, in the app and by
email, and never the person who did it."""

from datetime import timedelta

from sqlalchemy import Engine

from app.models.base import utcnow
from tests.factories import save_text
from tests.notifications.conftest import TEXT, Clients, Group, outbox, told


def _thread(client: object, sid: int, body: str) -> int:
    at = TEXT.index("free knowledge")
    made = client.post(  # type: ignore[attr-defined]
        f"/api/statements/{sid}/threads",
        json={"start": at, "end": at + 14, "rev": 1, "body": body},
    )
    assert made.status_code == 201, made.text
    thread_id: int = made.json()["id"]
    return thread_id


def test_a_mention_tells_the_one_mentioned_in_the_app_and_by_email(
    signed_in: Clients, group: Group, engine: Engine
) -> None:
    rosa, ben = signed_in(group.rosa), signed_in(group.ben)
    thread = _thread(rosa, group.sid, "@Ben Smith, whose knowledge do we mean?")

    [mention] = told(ben)
    assert mention["kind"] == "mention"
    assert mention["title"] == "Rosa mentioned you"
    assert mention["body"] == "@Ben Smith, whose knowledge do we mean?"
    assert mention["path"] == f"/statements/{group.sid}#thread-{thread}"
    assert mention["statement_title"] == "Statement on Partnerships"
    assert mention["actor"] == "Rosa"
    assert mention["read_at"] is None
    assert told(rosa) == []  # not told of what she did herself
    assert told(signed_in(group.fatima)) == []

    [mail] = outbox(engine, group.ben.email)
    assert mail.subject == "Statement on Partnerships: Rosa mentioned you"
    assert f"http://testserver/statements/{group.sid}#thread-{thread}" in mail.text_body
    assert "whose knowledge do we mean?" in mail.text_body
    assert mail.unsubscribe_url.startswith("http://testserver/unsubscribe/")
    assert mail.unsubscribe_url in mail.html_body
    assert outbox(engine, group.rosa.email) == []


def test_a_reply_tells_who_took_part_and_a_mention_is_not_told_twice(
    signed_in: Clients, group: Group, engine: Engine
) -> None:
    rosa, ben, fatima = signed_in(group.rosa), signed_in(group.ben), signed_in(group.fatima)
    thread = _thread(rosa, group.sid, "Whose knowledge?")
    path = f"/api/statements/{group.sid}/threads/{thread}/comments"
    assert ben.post(path, json={"body": "Everyone's."}).status_code == 201
    assert [n["kind"] for n in told(rosa)] == ["reply"]
    assert "Ben Smith replied in a thread" in str(told(rosa)[0]["title"])
    assert told(fatima) == []  # she has not taken part

    assert fatima.post(path, json={"body": "@Rosa and @Ben Smith: agreed?"}).status_code == 201
    assert [n["kind"] for n in told(rosa)] == ["mention", "reply"]
    assert [n["kind"] for n in told(ben)] == ["mention"]
    assert len(outbox(engine, group.rosa.email)) == 2


def test_editing_a_comment_tells_only_whom_it_newly_mentions(
    signed_in: Clients, group: Group
) -> None:
    rosa, ben = signed_in(group.rosa), signed_in(group.ben)
    thread = rosa.post(
        f"/api/statements/{group.sid}/threads",
        json={"start": 2, "end": 14, "rev": 1, "body": "@Ben Smith: a title?"},
    ).json()
    comment_id = thread["comments"][0]["id"]
    edited = rosa.patch(
        f"/api/statements/{group.sid}/comments/{comment_id}",
        json={"body": "@Ben Smith and @Fatima: a title?"},
    )
    assert edited.status_code == 200, edited.text
    assert len(told(ben)) == 1
    assert [n["kind"] for n in told(signed_in(group.fatima))] == ["mention"]


def test_a_suggestion_tells_whoever_wrote_the_words_and_its_decision_tells_its_author(
    signed_in: Clients, group: Group
) -> None:
    ben, rosa, fatima = signed_in(group.ben), signed_in(group.rosa), signed_in(group.fatima)
    rev = save_text(ben, group.sid, TEXT.replace("Partners need support.", "Chapters lead."))
    text = ben.get(f"/api/statements/{group.sid}/text").json()["text"]
    at = text.index("lead")
    made = rosa.post(
        f"/api/statements/{group.sid}/suggestions",
        json={"base_rev": rev, "op": [at, "guide", -4, len(text) - at - 4], "reason": "Softer."},
    )
    assert made.status_code == 201, made.text
    [news] = told(ben)  # Ben wrote "lead"; Fatima wrote the rest
    assert (news["kind"], news["title"]) == (
        "suggestion",
        "Rosa suggested a change to text you wrote",
    )
    assert news["body"] == "Replace “lead” with “guide”\nSofter."
    assert told(fatima) == []

    rejected = ben.post(
        f"/api/statements/{group.sid}/suggestions/{made.json()['id']}/reject",
        json={"reason": "Chapters do lead."},
    )
    assert rejected.status_code == 200, rejected.text
    [decision] = told(rosa)
    assert decision["title"] == "Your suggestion was rejected"
    assert "Chapters do lead." in str(decision["body"])


def test_rounds_and_publication_tell_the_group(
    signed_in: Clients, group: Group, engine: Engine
) -> None:
    fatima, ben, vera = signed_in(group.fatima), signed_in(group.ben), signed_in(group.vera)
    sid = group.sid
    fatima.post(f"/api/statements/{sid}/versions", json={"name": "Final"})
    closes = (utcnow() + timedelta(days=10)).date()
    rid = fatima.post(
        f"/api/statements/{sid}/rounds", json={"version": 1, "closes_on": closes.isoformat()}
    ).json()["id"]
    [opened] = told(ben)
    assert opened["title"] == "Review round opened on version 1"
    assert f"{closes:%d %B %Y}" in str(opened["body"])
    assert opened["path"] == f"/statements/{sid}/versions/1"
    assert told(vera) == []  # viewers follow along; they have no stance to record

    stances = f"/api/statements/{sid}/rounds/{rid}/stances"
    for person in (group.fatima, group.ben, group.rosa):
        assert signed_in(person).post(stances, json={"kind": "approve"}).status_code == 201
    assert fatima.post(f"/api/statements/{sid}/rounds/{rid}/close").json()["approved"]
    assert told(vera)[0]["title"] == "Version 1 is approved"
    published = fatima.post(f"/api/statements/{sid}/publications", json={"version": 1})
    assert published.status_code == 201, published.text
    newest = told(ben)[0]
    assert newest["kind"] == "publication"
    assert newest["path"] == f"/s/{group.statement.slug}"
    assert [m.subject for m in outbox(engine, group.vera.email)] == [
        "Statement on Partnerships: Version 1 is approved",
        "Statement on Partnerships: Version 1 is published",
    ]
    assert told(fatima) == []


def test_someone_no_longer_a_member_is_not_told(signed_in: Clients, group: Group) -> None:
    fatima, rosa = signed_in(group.fatima), signed_in(group.rosa)
    removed = fatima.delete(f"/api/statements/{group.sid}/members/{group.ben.id}")
    assert removed.status_code == 204, removed.text
    _thread(rosa, group.sid, "@Ben Smith, still there?")
    assert told(signed_in(group.ben)) == []


def test_a_reply_in_a_suggestions_discussion_links_to_the_suggestions(
    signed_in: Clients, group: Group
) -> None:
    rosa, ben = signed_in(group.rosa), signed_in(group.ben)
    at = TEXT.index("support")
    made = rosa.post(
        f"/api/statements/{group.sid}/suggestions",
        json={"base_rev": 1, "op": [at, "help", -7, len(TEXT) - at - 7]},
    ).json()
    path = f"/api/statements/{group.sid}/suggestions/{made['id']}/comments"
    assert rosa.post(path, json={"body": "Shorter."}).status_code == 201
    assert ben.post(path, json={"body": "Why?"}).status_code == 201
    [reply] = [n for n in told(rosa) if n["kind"] == "reply"]
    assert reply["title"] == "Ben Smith replied in the discussion of a suggestion"
    assert reply["path"] == f"/statements/{group.sid}#suggestions"
