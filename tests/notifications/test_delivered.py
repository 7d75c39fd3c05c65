"""What arrives at a real SMTP server (aiosmtpd, in the test process) from a running Accord:
each kind of notification once, as multipart text and HTML with the statement's title in the
subject, a link straight to what it is about and a one-click unsubscribe; the daily digest;
an invitation; and the unsubscribe link in a message's headers, used as a mail program would."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.config import Settings
from app.models.base import utcnow
from app.services import digests, notifications
from tests.mail.conftest import SmtpServer, eventually, rows
from tests.notifications.conftest import Clients, Group, told

SITE = "http://testserver"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return settings.model_copy(
        update={"smtp_url": smtp.url, "mail_from": "Accord <accord@accord.test>"}
    )


def _all_sent(engine: Engine) -> None:
    eventually(lambda: all(row.sent_at is not None for row in rows(engine)), "the outbox sent")


def _to(smtp: SmtpServer, address: str) -> list[EmailMessage]:
    return [m for m in smtp.inbox.received() if m["To"] == address]


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def test_each_kind_arrives_once_as_text_and_html_with_its_link(
    signed_in: Clients, group: Group, engine: Engine, smtp: SmtpServer, client: TestClient
) -> None:
    fatima, ben, rosa = signed_in(group.fatima), signed_in(group.ben), signed_in(group.rosa)
    sid = group.sid
    # A mention, then a reply to whoever took part.
    thread = rosa.post(
        f"/api/statements/{sid}/threads",
        json={"start": 2, "end": 14, "rev": 1, "body": "@Ben Smith, a title?"},
    ).json()["id"]
    ben.post(f"/api/statements/{sid}/threads/{thread}/comments", json={"body": "Yes."})
    # A suggestion on Fatima's words, and its rejection.
    text = ben.get(f"/api/statements/{sid}/text").json()
    at = text["text"].index("support")
    made = rosa.post(
        f"/api/statements/{sid}/suggestions",
        json={"base_rev": text["rev"], "op": [at, "help", -7, len(text["text"]) - at - 7]},
    ).json()
    fatima.post(f"/api/statements/{sid}/suggestions/{made['id']}/reject", json={"reason": "No."})
    # A round opened, a reminder, the round closed, the version published.
    fatima.post(f"/api/statements/{sid}/versions", json={"name": "Final"})
    closes = (utcnow() + timedelta(days=3)).date().isoformat()
    rid = fatima.post(
        f"/api/statements/{sid}/rounds", json={"version": 1, "closes_on": closes}
    ).json()["id"]
    assert fatima.post(f"/api/statements/{sid}/rounds/{rid}/remind").status_code == 200
    for person in (group.fatima, group.ben, group.rosa):
        signed_in(person).post(
            f"/api/statements/{sid}/rounds/{rid}/stances", json={"kind": "approve"}
        )
    fatima.post(f"/api/statements/{sid}/rounds/{rid}/close")
    fatima.post(f"/api/statements/{sid}/publications", json={"version": 1})
    # An invitation to someone without an account.
    fatima.post(
        f"/api/statements/{sid}/invitations", json={"role": "reviewer", "email": "new@example.org"}
    )
    _all_sent(engine)

    def subjects(address: str) -> list[str]:
        # (Python's parser keeps two spaces where a long subject was folded.)
        found = [" ".join(str(m["Subject"]).split()) for m in _to(smtp, address)]
        return [subject.removeprefix("Statement on Partnerships: ") for subject in found]

    assert subjects(group.ben.email) == [
        "Rosa mentioned you",
        "Review round opened on version 1",
        "Your stance on version 1 is awaited",
        "Version 1 is approved",
        "Version 1 is published",
    ]
    assert subjects(group.rosa.email) == [
        "Ben Smith replied in a thread on “Partnerships”",
        "Your suggestion was rejected",
        "Review round opened on version 1",
        "Your stance on version 1 is awaited",
        "Version 1 is approved",
        "Version 1 is published",
    ]
    # Fatima opened, closed and published the round herself: she is told of none of it.
    assert subjects(group.fatima.email) == ["Rosa suggested a change to text you wrote"]
    assert subjects(group.vera.email) == ["Version 1 is approved", "Version 1 is published"]
    [invitation] = _to(smtp, "new@example.org")
    assert "List-Unsubscribe" not in invitation

    [mention] = _to(smtp, group.ben.email)[:1]
    plain, html = _parts(mention)
    link = f"{SITE}/statements/{sid}#thread-{thread}"
    assert link in plain
    assert f'href="{link}"' in html
    assert "@Ben Smith, a title?" in plain
    assert mention["From"] == "Accord <accord@accord.test>"
    assert str(mention["List-Unsubscribe"]).strip().startswith(f"<{SITE}/unsubscribe/")
    assert mention["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Every message once: as many arrived as were written.
    assert len(smtp.inbox.received()) == len(rows(engine))


def test_unsubscribing_from_the_headers_stops_that_kind(
    signed_in: Clients, group: Group, engine: Engine, smtp: SmtpServer, client: TestClient
) -> None:
    rosa, ben = signed_in(group.rosa), signed_in(group.ben)
    path = f"/api/statements/{group.sid}/threads"
    rosa.post(path, json={"start": 2, "end": 14, "rev": 1, "body": "@Ben Smith, one"})
    [first] = smtp.inbox.wait_for(1)
    url = str(first["List-Unsubscribe"]).strip().strip("<>")
    # What a mail program does on one click (RFC 8058): a POST, without any sign-in.
    anonymous = TestClient(client.app, base_url=SITE)
    answer = anonymous.post(
        url.removeprefix(SITE),
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    rosa.post(path, json={"start": 2, "end": 14, "rev": 1, "body": "@Ben Smith, two"})
    ben_told = told(ben)
    assert len(ben_told) == 2  # the app still tells him
    rosa.post(path, json={"start": 2, "end": 14, "rev": 1, "body": "Not for Ben."})
    _all_sent(engine)
    assert len(_to(smtp, group.ben.email)) == 1


def test_the_digest_arrives_with_the_day_in_it(
    signed_in: Clients, group: Group, engine: Engine, smtp: SmtpServer, client: TestClient
) -> None:
    rosa, ben = signed_in(group.rosa), signed_in(group.ben)
    ben.put("/api/account/notifications", json={"kinds": {"mention": "digest"}, "digest_hour": 0})
    path = f"/api/statements/{group.sid}/threads"
    for n in ("first", "second"):
        rosa.post(path, json={"start": 2, "end": 14, "rev": 1, "body": f"@Ben Smith, {n}"})
    notifications.configure(engine, site=SITE, mail=True)
    digests.send_due(engine, datetime.now(UTC))
    [digest] = smtp.inbox.wait_for(1)
    assert digest["To"] == group.ben.email
    assert digest["Subject"] == "Accord: your daily digest (2 updates)"
    plain, html = _parts(digest)
    assert plain.index("first") < plain.index("second")
    assert f"{SITE}/statements/{group.sid}#thread-" in html
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
