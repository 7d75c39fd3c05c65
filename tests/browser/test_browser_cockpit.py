"""The facilitator's cockpit in the browser: reached from the Review tab, it shows who has not
responded by organisation, a block with its reason, an unresolved thread under its section,
and reminds those who have not responded, saying whom it reminded and who already was."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from .a11y import axe_source, axe_violations, small_targets
from .helpers import AccordUI

pytestmark = pytest.mark.browser

TEXT = """We, the affiliates gathered in Kraków, agree on what follows.

## Resources

Each affiliate shares its budget every year.

## Partners

We name every partner on our pages.
"""
REASON = "Naming every partner puts the small ones at risk."


def test_cockpit_shows_what_stands_in_the_way_and_reminds(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Partners", TEXT)
    rosa = accord_ui.add_member(
        page, statement_id, accord_ui.person("Rosa Reviewer", "Creative Commons"), "reviewer"
    )
    chen = accord_ui.add_member(
        page, statement_id, accord_ui.person("Chen Contributor", "Creative Commons"), "reviewer"
    )
    dmitri = accord_ui.add_member(
        page, statement_id, accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine"), "editor"
    )
    base = f"/api/statements/{statement_id}"
    accord_ui.api(page, "POST", f"{base}/versions", {"name": "Day one"})
    closes_on = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    opened = accord_ui.api(page, "POST", f"{base}/rounds", {"version": 1, "closes_on": closes_on})
    stances = f"{base}/rounds/{opened['id']}/stances"
    accord_ui.api(rosa, "POST", stances, {"kind": "block", "reason": REASON})
    start = TEXT.index("every partner")
    thread = {"start": start, "end": start + len("every partner"), "body": "Which ones?"}
    accord_ui.api(chen, "POST", f"{base}/threads", thread)
    rev = accord_ui.api(dmitri, "GET", f"{base}/text")["rev"]
    shorter = TEXT.replace("our pages", "our wiki")
    suggestion = {"base_rev": rev, "text": shorter, "reason": "Pages change."}
    accord_ui.api(dmitri, "POST", f"{base}/suggestions", suggestion)

    page.goto(f"/statements/{statement_id}#review")
    page.get_by_role("link", name="The facilitator's cockpit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Facilitator's cockpit")
    expect(page.locator(".cockpit-live")).to_contain_text("Live")
    expect(page.locator(".cockpit-left")).to_contain_text("3 days")

    waiting = page.get_by_role("region", name="Not responded yet")
    expect(waiting).to_contain_text("3 of 4 people with a say have not responded")
    expect(waiting.get_by_role("heading", level=3)).to_have_text(
        ["Creative Commons", "Wikimedia Norway", "Wikimedia Ukraine"]
    )
    expect(waiting.get_by_role("listitem").filter(has_text="Creative Commons")).to_contain_text(
        "Chen Contributor"
    )
    expect(waiting).not_to_contain_text("Rosa Reviewer")
    expect(waiting).to_contain_text("Dmitri Delegate")
    expect(waiting).to_contain_text("not reminded yet")

    concerns = page.get_by_role("region", name="Blocks and requests for changes")
    expect(concerns).to_contain_text("Rosa Reviewer (Creative Commons) Block the whole version")
    expect(concerns).to_contain_text(REASON)

    threads = page.get_by_role("region", name="Unresolved threads")
    expect(threads).to_contain_text("1 thread is unresolved.")
    partners = threads.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Partners")
    )
    expect(partners).to_contain_text("every partner")
    expect(partners).to_contain_text("Started by Chen Contributor")

    suggested = page.get_by_role("region", name="Open suggestions")
    expect(suggested).to_contain_text("Dmitri Delegate (Wikimedia Ukraine) made today")
    expect(suggested.locator("del")).to_have_text("pages")
    expect(suggested.locator("ins")).to_have_text("wiki")

    remind = waiting.get_by_role("button", name="Remind everyone who has not responded")
    remind.click()
    told = waiting.get_by_role("status")
    expect(told).to_have_text(
        "Reminded Chen Contributor (Creative Commons) and Dmitri Delegate (Wikimedia Ukraine)."
    )
    dmitri_line = waiting.locator(".cockpit-people > li").filter(has_text="Dmitri Delegate")
    expect(dmitri_line).to_contain_text("· reminded ")
    remind.click()
    expect(told).to_have_text(
        "Already reminded today: Chen Contributor (Creative Commons) and "
        "Dmitri Delegate (Wikimedia Ukraine)."
    )

    # Dmitri approves meanwhile: the cockpit follows, and he is no longer waited for.
    accord_ui.api(dmitri, "POST", stances, {"kind": "approve"})
    expect(waiting).to_contain_text("2 of 4 people with a say have not responded")
    expect(waiting.get_by_role("heading", level=3)).to_have_text(
        ["Creative Commons", "Wikimedia Norway"]
    )
    expect(waiting.locator(".cockpit-organisations")).not_to_contain_text("Dmitri Delegate")
    expect(told).to_contain_text("Already reminded today")

    source = axe_source()
    if source is not None:  # axe-core comes with the test extras
        assert not axe_violations(page, source)
    assert not small_targets(page)


def test_cockpit_is_refused_to_others(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Partners", TEXT)
    rosa = accord_ui.add_member(
        page, statement_id, accord_ui.person("Rosa Reviewer", "Creative Commons"), "reviewer"
    )
    rosa.goto(f"/statements/{statement_id}#review")
    expect(rosa.get_by_role("region", name="Review")).to_be_visible()
    expect(rosa.get_by_role("link", name="The facilitator's cockpit")).to_have_count(0)
    rosa.goto(f"/statements/{statement_id}/cockpit")
    expect(rosa.get_by_role("alert")).to_contain_text(
        "Only a facilitator of this statement may do this."
    )
