"""Without an SMTP server configured, people are told in the app and nothing waits to be sent."""

import pytest
from sqlalchemy import Engine

from app.config import Settings
from tests.notifications.conftest import Clients, Group, outbox, told


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"smtp_url": ""})


def test_without_mail_the_app_still_tells(signed_in: Clients, group: Group, engine: Engine) -> None:
    rosa, ben = signed_in(group.rosa), signed_in(group.ben)
    assert ben.get("/api/account/notifications").json()["mail"] is False
    rosa.post(
        f"/api/statements/{group.sid}/threads",
        json={"start": 2, "end": 14, "rev": 1, "body": "@Ben Smith, look"},
    )
    assert [n["kind"] for n in told(ben)] == ["mention"]
    invited = signed_in(group.fatima).post(
        f"/api/statements/{group.sid}/invitations",
        json={"role": "viewer", "email": "a@example.org"},
    )
    assert invited.status_code == 201
    assert invited.json()["emailed_to"] is None
    assert outbox(engine) == []
