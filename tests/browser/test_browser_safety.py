"""What users type is shown as text, never run as markup."""

import pytest
from playwright.sync_api import Dialog, expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_NAME = "<script>alert(2)</script> Mallory"
HOSTILE_ORGANISATION = "<b onmouseover=alert(3)>Org</b>"
HOSTILE_LABEL = "<i onclick=alert(5)>label</i>"


def test_hostile_text_shows_literally(accord_ui: AccordUI) -> None:
    facilitator = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    mallory = accord_ui.person(HOSTILE_NAME, HOSTILE_ORGANISATION)
    page = accord_ui.signed_in(facilitator)
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    page.goto("/")
    page.get_by_label("Title").fill(HOSTILE_TITLE)
    page.get_by_label("Context").fill("<i>context</i>")
    page.get_by_label("First draft").fill("<script>alert(4)</script>")
    page.get_by_role("button", name="Create statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE_TITLE)
    statement_id = int(page.url.rsplit("/", 1)[1])
    accord_ui.add_member(page, statement_id, mallory, "editor")
    accord_ui.api(
        page,
        "POST",
        f"/api/statements/{statement_id}/invitations",
        {"role": "viewer", "label": HOSTILE_LABEL},
    )

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE_TITLE)
    expect(page.get_by_label("Statement text")).to_have_value("<script>alert(4)</script>")
    page.get_by_role("tab", name="People").click()
    members = page.get_by_role("region", name="People")
    expect(members.get_by_text(HOSTILE_NAME)).to_be_visible()
    expect(members.get_by_text(HOSTILE_ORGANISATION)).to_be_visible()
    page.get_by_role("tab", name="About").click()
    expect(page.get_by_text("<i>context</i>")).to_be_visible()
    page.get_by_role("tab", name="Activity").click()
    activity = page.get_by_role("region", name="Activity")
    expect(activity).to_contain_text(f"{HOSTILE_NAME} joined as editor.")
    expect(activity).to_contain_text(f"invitation link for “{HOSTILE_LABEL}”.")

    page.goto("/")
    expect(page.get_by_role("link", name=HOSTILE_TITLE)).to_be_visible()

    page.goto(f"/statements/{statement_id}/settings")
    row = page.get_by_role("row", name=HOSTILE_NAME)
    expect(row).to_contain_text(HOSTILE_ORGANISATION)
    expect(page.get_by_role("link", name=HOSTILE_TITLE)).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(HOSTILE_TITLE)

    mallory_page = accord_ui.signed_in(mallory)
    mallory_page.on("dialog", record)
    mallory_page.goto(f"/statements/{statement_id}")
    expect(mallory_page.get_by_role("navigation", name="Main")).to_contain_text(HOSTILE_NAME)
    expect(mallory_page.get_by_role("heading", level=1)).to_have_text(HOSTILE_TITLE)

    for shown in (page, mallory_page):
        assert shown.locator("main img, main script, main b, main i").count() == 0
    assert dialogs == []
