"""A link to one thread (as notifications give) opens the Comments tab on that thread, under
the filter that lists it, with its passage marked."""

import pytest
from playwright.sync_api import expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

TEXT = "We value free knowledge. Partners need support."


def test_a_link_to_a_thread_shows_it(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement", TEXT)
    rev = accord_ui.api(page, "GET", f"/api/statements/{statement_id}/text")["rev"]
    threads = f"/api/statements/{statement_id}/threads"
    first = accord_ui.api(
        page, "POST", threads, {"start": 3, "end": 8, "rev": rev, "body": "Value?"}
    )
    second = accord_ui.api(
        page, "POST", threads, {"start": 25, "end": 33, "rev": rev, "body": "Which partners?"}
    )
    accord_ui.api(page, "POST", f"{threads}/{second['id']}/resolve")

    page.goto(f"/statements/{statement_id}#thread-{second['id']}")
    shown = page.locator(f'[data-thread="{second["id"]}"]')
    expect(shown).to_be_focused()
    expect(shown).to_contain_text("Which partners?")
    expect(page.get_by_role("button", name="Resolved")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f'[data-thread="{first["id"]}"]')).to_have_count(0)

    page.goto(f"/statements/{statement_id}#thread-{first['id']}")
    expect(page.locator(f'[data-thread="{first["id"]}"]')).to_be_focused()
    expect(page.get_by_role("button", name="Open", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
