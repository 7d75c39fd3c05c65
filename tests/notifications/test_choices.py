"""People choose how they are told: marks read, preferences by kind, the daily digest in their
own time zone, and the one-click link at the foot of every email."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from app.models.notification import Unsubscribe
from app.security import hash_token
from app.services import digests
from tests.notifications.conftest import Clients, Group, outbox, told


def _mention(client: object, sid: int, body: str) -> None:
    made = client.post(  # type: ignore[attr-defined]
        f"/api/statements/{sid}/threads",
        json={"start": 2, "end": 14, "rev": 1, "body": body},
    )
    assert made.status_code == 201, made.text


def test_marking_read_one_or_all(signed_in: Clients, group: Group) -> None:
    rosa, ben = signed_in(group.rosa), signed_in(group.ben)
    for n in range(3):
        _mention(rosa, group.sid, f"@Ben Smith, point {n}")
    listed = ben.get("/api/notifications").json()
    assert listed["count"] == 3
    newest = listed["data"][0]["id"]
    assert ben.post("/api/notifications/read", json={"ids": [newest]}).json() == {"count": 2}
    unread = ben.get("/api/notifications?unread=true").json()
    assert [n["id"] for n in unread["data"]] == [n["id"] for n in listed["data"][1:]]
    # Someone else's notification cannot be marked by her.
    assert rosa.post("/api/notifications/read", json={"ids": [unread["data"][0]["id"]]}).json() == {
        "count": 0
    }
    assert ben.get("/api/notifications").json()["count"] == 2
    assert ben.post("/api/notifications/read", json={"all": True}).json() == {"count": 0}
    for bad in ({}, {"ids": [1], "all": True}, {"ids": ["x"]}, {"ids": [1], "other": 1}):
        refused = ben.post("/api/notifications/read", json=bad)
        assert refused.status_code == 422
        assert refused.json()["detail"]
    assert ben.get("/api/notifications?limit=0").status_code == 422
    paged = ben.get(f"/api/notifications?before={newest}&limit=1").json()["data"]
    assert [n["id"] for n in paged] == [listed["data"][1]["id"]]
    assert signed_in(group.vera).get("/api/notifications").json() == {"data": [], "count": 0}


def test_preferences_by_kind_and_when_the_digest_goes(signed_in: Clients, group: Group) -> None:
    ben = signed_in(group.ben)
    found = ben.get("/api/account/notifications").json()
    assert found["mail"] is True
    assert {k["kind"]: k["delivery"] for k in found["kinds"]}["mention"] == "now"
    assert (found["digest_hour"], found["time_zone"]) == (8, "UTC")
    assert all(k["label"] for k in found["kinds"])

    changed = ben.put(
        "/api/account/notifications",
        json={
            "kinds": {"mention": "digest", "reply": "off"},
            "digest_hour": 7,
            "time_zone": "Europe/Oslo",
        },
    ).json()
    chosen = {k["kind"]: k["delivery"] for k in changed["kinds"]}
    assert (chosen["mention"], chosen["reply"], chosen["round_opened"]) == ("digest", "off", "now")
    assert (changed["digest_hour"], changed["time_zone"]) == (7, "Europe/Oslo")
    for bad in (
        {"kinds": {"mention": "weekly"}},
        {"kinds": {"gossip": "now"}},
        {"digest_hour": 24},
        {"time_zone": "Mars/Olympus"},
        {"colour": "red"},
    ):
        refused = ben.put("/api/account/notifications", json=bad)
        assert refused.status_code == 422, bad
        assert refused.json()["detail"]
    assert ben.get("/api/account/notifications").json() == changed


def test_the_digest_gathers_the_day_at_the_chosen_hour_once(
    signed_in: Clients, group: Group, engine: Engine
) -> None:
    ben, rosa = signed_in(group.ben), signed_in(group.rosa)
    ben.put(
        "/api/account/notifications",
        json={
            "kinds": {"mention": "digest", "reply": "digest"},
            "digest_hour": 7,
            "time_zone": "Europe/Oslo",
        },
    )
    _mention(rosa, group.sid, "@Ben Smith, first")
    _mention(rosa, group.sid, "@Ben Smith, second")
    assert outbox(engine, group.ben.email) == []  # waiting for the digest
    assert len(told(ben)) == 2  # while the app shows them at once

    digests.send_due(engine, datetime(2026, 12, 8, 5, 59, tzinfo=UTC))  # 06:59 in Oslo
    assert outbox(engine, group.ben.email) == []
    digests.send_due(engine, datetime(2026, 12, 8, 6, 0, tzinfo=UTC))  # 07:00 in Oslo
    [digest] = outbox(engine, group.ben.email)
    assert digest.subject == "Accord: your daily digest (2 updates)"
    assert digest.text_body.index("first") < digest.text_body.index("second")
    assert "Statement on Partnerships: Rosa mentioned you" in digest.text_body
    assert digest.unsubscribe_url

    _mention(rosa, group.sid, "@Ben Smith, third")
    digests.send_due(engine, datetime(2026, 12, 8, 20, 0, tzinfo=UTC))
    assert len(outbox(engine, group.ben.email)) == 1  # one digest a day
    digests.send_due(engine, datetime(2026, 12, 9, 6, 30, tzinfo=UTC))
    later = outbox(engine, group.ben.email)
    assert len(later) == 2
    assert "third" in later[1].text_body
    assert "first" not in later[1].text_body


def test_unsubscribing_asks_on_opening_and_stops_on_posting(
    signed_in: Clients, group: Group, engine: Engine, client: object
) -> None:
    rosa, ben = signed_in(group.rosa), signed_in(group.ben)
    _mention(rosa, group.sid, "@Ben Smith, hello")
    [mail] = outbox(engine, group.ben.email)
    path = mail.unsubscribe_url.removeprefix("http://testserver")
    anonymous = client  # no session: the link works without signing in

    page = anonymous.get(path)  # type: ignore[attr-defined]
    assert page.status_code == 200
    assert '<form method="post">' in page.text
    assert "Someone mentions me" in page.text
    assert group.ben.email in page.text
    assert _delivery(ben, "mention") == "now"  # opening the link changed nothing

    done = anonymous.post(path, content="List-Unsubscribe=One-Click")  # type: ignore[attr-defined]
    assert done.status_code == 200
    assert "no longer gets" in done.text
    assert _delivery(ben, "mention") == "off"
    assert _delivery(ben, "reply") == "now"
    _mention(rosa, group.sid, "@Ben Smith, again")
    assert len(outbox(engine, group.ben.email)) == 1  # no more mention emails…
    assert len(told(ben)) == 2  # …while the app still tells him
    again = anonymous.post(path)  # type: ignore[attr-defined]
    assert again.status_code == 200


def test_a_changed_or_expired_unsubscribe_link_says_so_and_changes_nothing(
    signed_in: Clients, group: Group, engine: Engine, client: object
) -> None:
    rosa, ben = signed_in(group.rosa), signed_in(group.ben)
    _mention(rosa, group.sid, "@Ben Smith, hello")
    [mail] = outbox(engine, group.ben.email)
    path = mail.unsubscribe_url.removeprefix("http://testserver")
    changed = path[:-1] + ("A" if path[-1] != "A" else "B")
    for method in ("get", "post"):
        answer = getattr(client, method)(changed)
        assert answer.status_code == 404
        assert "not valid" in answer.text
        assert getattr(client, method)("/unsubscribe/x").status_code == 404
    with Session(engine) as session:
        link = session.get(Unsubscribe, hash_token(path.rsplit("/", 1)[1]))
        assert link is not None
        link.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(link)
        session.commit()
    expired = client.post(path)  # type: ignore[attr-defined]
    assert expired.status_code == 410
    assert "expired" in expired.text
    assert _delivery(ben, "mention") == "now"


def _delivery(client: object, kind: str) -> str:
    found = client.get("/api/account/notifications").json()  # type: ignore[attr-defined]
    return str({k["kind"]: k["delivery"] for k in found["kinds"]}[kind])
