"""Email notifications on the Account page: each kind at once, in a daily digest or off, and the
digest's hour and time zone, kept across a reload and the same through the API; this device's
own time zone is offered first; a refused choice is said and changes nothing."""

import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import AccordUI, Person

pytestmark = pytest.mark.browser


def _account_in(accord_ui: AccordUI, person: Person, time_zone: str) -> Page:
    """The Account page of `person`, in a browser whose clock is set to `time_zone`."""
    context = accord_ui.browser.new_context(
        base_url=accord_ui.server.url,
        viewport={"width": 1280, "height": 900},
        timezone_id=time_zone,
    )
    context.set_default_timeout(10_000)
    accord_ui.contexts.append(context)
    page = context.new_page()
    page.on("pageerror", lambda error: accord_ui.page_errors.append(str(error)))
    accord_ui.api(
        page, "POST", "/api/session", {"email": person.email, "password": person.password}
    )
    page.goto("/account")
    return page


def _label(accord_ui: AccordUI, page: Page, kind: str) -> str:
    """What the Account page calls `kind`, as the API names it."""
    settings = accord_ui.api(page, "GET", "/api/account/notifications")
    return str(next(entry["label"] for entry in settings["kinds"] if entry["kind"] == kind))


def test_digest_hour_and_time_zone_persist_across_reload_and_in_the_api(
    accord_ui: AccordUI,
) -> None:
    ada = accord_ui.person("Ada Lovelace", "Wikimedia UK")
    page = accord_ui.signed_in(ada)
    page.goto("/account")
    section = page.get_by_role("region", name="Email notifications")
    mention = section.get_by_label(_label(accord_ui, page, "mention"))
    reply = section.get_by_label(_label(accord_ui, page, "reply"))
    expect(mention).to_have_value("now")  # at once, until one chooses otherwise
    # The test server has no mail server: the page says where notifications go instead.
    expect(section).to_contain_text("This server does not send email yet")

    mention.select_option(label="Daily digest")
    reply.select_option(label="Off")
    section.get_by_label("Daily digest at").select_option(label="07:00")
    section.get_by_label("Time zone").select_option("Europe/Oslo")
    section.get_by_role("button", name="Update email settings").click()
    expect(page.get_by_text("Your email settings are saved.")).to_be_visible()

    page.reload()
    expect(mention).to_have_value("digest")
    expect(reply).to_have_value("off")
    expect(section.get_by_label("Daily digest at")).to_have_value("7")
    expect(section.get_by_label("Time zone")).to_have_value("Europe/Oslo")

    settings = accord_ui.api(page, "GET", "/api/account/notifications")
    deliveries = {entry["kind"]: entry["delivery"] for entry in settings["kinds"]}
    assert deliveries["mention"] == "digest"
    assert deliveries["reply"] == "off"
    assert {deliveries[kind] for kind in deliveries if kind not in ("mention", "reply")} == {"now"}
    assert (settings["digest_hour"], settings["time_zone"]) == (7, "Europe/Oslo")


def test_time_zone_offers_this_devices_own_first(accord_ui: AccordUI) -> None:
    ada = accord_ui.person("Ada Lovelace")
    page = _account_in(accord_ui, ada, "America/Sao_Paulo")
    zone = page.get_by_label("Time zone")
    expect(zone.locator("option").first).to_have_text("America/Sao_Paulo (this device)")
    expect(zone.locator("option", has_text="Pacific/Auckland")).to_have_count(1)

    zone.select_option(label="America/Sao_Paulo (this device)")
    page.get_by_role("button", name="Update email settings").click()
    expect(page.get_by_text("Your email settings are saved.")).to_be_visible()
    settings = accord_ui.api(page, "GET", "/api/account/notifications")
    assert settings["time_zone"] == "America/Sao_Paulo"


def test_refused_time_zone_is_said_and_changes_nothing(accord_ui: AccordUI) -> None:
    ada = accord_ui.person("Ada Lovelace")
    page = accord_ui.signed_in(ada)
    page.goto("/account")
    section = page.get_by_role("region", name="Email notifications")
    before = accord_ui.api(page, "GET", "/api/account/notifications")
    # A zone no server knows, as an out-of-date browser might offer.
    section.get_by_label("Time zone").evaluate(
        """zone => {
            zone.append(new Option("Atlantis/Poseidonia", "Atlantis/Poseidonia"));
            zone.value = "Atlantis/Poseidonia";
        }"""
    )
    section.get_by_label(_label(accord_ui, page, "mention")).select_option(label="Off")
    section.get_by_role("button", name="Update email settings").click()

    expect(section.get_by_role("alert")).to_contain_text(re.compile("time zone", re.IGNORECASE))
    assert accord_ui.api(page, "GET", "/api/account/notifications") == before
