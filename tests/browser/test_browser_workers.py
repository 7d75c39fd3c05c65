"""Two people write one statement through two Accord servers sharing a PostgreSQL database,
as they would behind a load balancer: each sees the other's words, caret and comments."""

from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from .conftest import free_port, serving
from .helpers import AccordUI, LiveServer, open_statement

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]

START = "Partnerships serve free knowledge."


@pytest.fixture
def two_servers(workers_database: str, tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    servers = []
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        settings = {"ACCORD_DATABASE_URL": workers_database}
        servers.append(LiveServer(f"http://127.0.0.1:{free_port()}", folder, settings))
    with serving(servers[0]), serving(servers[1]):
        yield servers[0], servers[1]


def test_two_people_on_two_servers_write_together(
    browser: Browser, two_servers: tuple[LiveServer, LiveServer]
) -> None:
    first, second = two_servers
    fatima_ui, dmitri_ui = AccordUI(browser, first), AccordUI(browser, second)
    try:
        fatima = fatima_ui.signed_in(fatima_ui.person("Fatima Facilitator", "Wikimedia Norway"))
        statement_id = fatima_ui.create_statement(fatima, "Statement on Partnerships", START)
        invitation = fatima_ui.invite(fatima, statement_id, "editor")
        dmitri = dmitri_ui.signed_in(dmitri_ui.person("Dmitri Delegate", "Wikimedia Ukraine"))
        dmitri_ui.api(dmitri, "POST", f"/api/invitations/{invitation['token']}/accept", {})
        open_statement(fatima, statement_id)
        open_statement(dmitri, statement_id)

        mine, theirs = fatima.get_by_label("Statement text"), dmitri.get_by_label("Statement text")
        mine.click()
        fatima.keyboard.press("End")
        theirs.click()
        dmitri.keyboard.press("Home")
        for a, b in zip_longest(" We agree 🌍.", "🎉 Yes! ", fillvalue=""):
            fatima.keyboard.type(a)
            dmitri.keyboard.type(b)
        expected = "🎉 Yes! " + START + " We agree 🌍."
        expect(mine).to_have_value(expected)
        expect(theirs).to_have_value(expected)
        for page in (fatima, dmitri):
            expect(page.locator(".sync-status")).to_have_text("Saved")

        # Her caret, on the other server, is drawn on his page with her name.
        caret = dmitri.locator(".remote-caret")
        expect(caret).to_have_count(1)
        expect(caret).to_contain_text("Fatima Facilitator")

        # A comment she starts appears on his page without a reload.
        rev = fatima_ui.api(fatima, "GET", f"/api/statements/{statement_id}/text")["rev"]
        body = {"start": 8, "end": 20, "rev": rev, "body": "Which partnerships do we mean?"}
        fatima_ui.api(fatima, "POST", f"/api/statements/{statement_id}/threads", body)
        dmitri.get_by_role("tab", name="Comments").click()
        expect(dmitri.get_by_text("Which partnerships do we mean?")).to_be_visible()
    finally:
        fatima_ui.close()
        dmitri_ui.close()
    assert not fatima_ui.page_errors + dmitri_ui.page_errors
