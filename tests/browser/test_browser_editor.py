"""Writing together in the browser: live text, carets, offline typing, undo, read-only roles."""

import re
from itertools import zip_longest

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from .helpers import AccordUI, open_statement

pytestmark = pytest.mark.browser

TITLE = "Statement on Partnerships"
START = "Partnerships serve free knowledge."


def _server_text(accord_ui: AccordUI, page: Page, statement_id: int) -> str:
    text: str = accord_ui.api(page, "GET", f"/api/statements/{statement_id}/text")["text"]
    return text


def _pair(accord_ui: AccordUI, second_role: str = "editor") -> tuple[Page, Page, int]:
    """Fatima (facilitator) and Dmitri in `second_role`, both on the statement's page."""
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, TITLE, START)
    other = accord_ui.add_member(page, statement_id, dmitri, second_role)
    open_statement(page, statement_id)
    open_statement(other, statement_id)
    return page, other, statement_id


def test_two_people_type_in_one_paragraph_at_once(accord_ui: AccordUI) -> None:
    page, other, statement_id = _pair(accord_ui)
    mine, theirs = page.get_by_label("Statement text"), other.get_by_label("Statement text")
    mine.click()
    page.keyboard.press("End")
    theirs.click()
    other.keyboard.press("Home")

    # Interleaved keystrokes in one paragraph, emoji among them, with no waiting between.
    for a, b in zip_longest(" We agree 🌍.", "🎉 Yes! ", fillvalue=""):
        page.keyboard.type(a)
        other.keyboard.type(b)

    expected = "🎉 Yes! " + START + " We agree 🌍."
    expect(mine).to_have_value(expected)
    expect(theirs).to_have_value(expected)
    expect(page.locator(".sync-status")).to_have_text("Saved")
    expect(other.locator(".sync-status")).to_have_text("Saved")
    assert _server_text(accord_ui, page, statement_id) == expected


def test_remote_caret_drawn_where_the_other_person_is(accord_ui: AccordUI) -> None:
    page, other, _ = _pair(accord_ui)
    theirs = other.get_by_label("Statement text")
    theirs.click()
    other.keyboard.press("Home")
    for _ in range(len("Partnerships")):
        other.keyboard.press("ArrowRight")

    caret = page.locator(".remote-caret")
    expect(caret).to_have_count(1)
    expect(caret).to_contain_text("Dmitri Delegate")
    # The caret follows each presence frame: wait until it has come to rest after the word.
    page.wait_for_function(
        """() => {
            const range = document.createRange();
            const overlay = document.querySelector('.editor-overlay');
            range.setStart(overlay, 0);
            range.setEndBefore(document.querySelector('.remote-caret'));
            return range.toString() === "Partnerships";
        }"""
    )
    # It sits on the first line of the text, inside the writing surface.
    box, area = caret.bounding_box(), page.get_by_label("Statement text").bounding_box()
    assert box is not None
    assert area is not None
    assert area["x"] < box["x"] < area["x"] + area["width"] / 2
    assert area["y"] < box["y"] < area["y"] + 60

    # Text typed before the caret moves it along.
    mine = page.get_by_label("Statement text")
    mine.click()
    page.keyboard.press("Control+Home")
    page.keyboard.type("Open ")
    expect(theirs).to_have_value("Open " + START)
    expect(page.locator(".editor-overlay")).to_contain_text("Open Partnerships")
    before = page.evaluate(
        """() => {
            const range = document.createRange();
            range.setStart(document.querySelector('.editor-overlay'), 0);
            range.setEndBefore(document.querySelector('.remote-caret'));
            return range.toString();
        }"""
    )
    assert before == "Open Partnerships"
    page.get_by_role("tab", name="People").click()
    expect(page.get_by_role("region", name="People").locator(".presence-dot")).to_have_count(2)

    # A selection shows as a shaded passage in the other person's colour.
    for _ in range(len(" serve")):
        other.keyboard.press("Shift+ArrowRight")
    expect(page.locator(".remote-selection")).to_have_text(" serve")


def test_offline_typing_arrives_once_when_back(accord_ui: AccordUI) -> None:
    page, other, statement_id = _pair(accord_ui)
    mine = page.get_by_label("Statement text")
    mine.click()
    page.keyboard.press("End")

    page.context.set_offline(True)
    expect(page.locator(".sync-status")).to_contain_text("Offline")
    page.keyboard.type(" Still writing.")
    expect(page.locator(".sync-status")).to_have_text(
        re.compile(r"Offline · \d+ unsynced changes?")
    )
    assert _server_text(accord_ui, other, statement_id) == START

    page.context.set_offline(False)
    expect(page.locator(".sync-status")).to_have_text("Saved")
    expect(other.get_by_label("Statement text")).to_have_value(START + " Still writing.")
    assert _server_text(accord_ui, other, statement_id) == START + " Still writing."


def test_reloaded_page_delivers_its_journal(accord_ui: AccordUI) -> None:
    page, other, statement_id = _pair(accord_ui)
    blocked = True

    def socket(route: WebSocketRoute) -> None:
        # While blocked, the server seems down: every attempt closes at once.
        if blocked:
            route.close()
        else:
            route.connect_to_server()

    page.route_web_socket(re.compile(r"/ws/statements/"), socket)
    page.reload()
    expect(page.locator(".sync-status")).to_contain_text("Reconnecting")
    mine = page.get_by_label("Statement text")
    expect(mine).to_have_value(START)
    mine.click()
    page.keyboard.press("End")
    page.keyboard.type(" Kept.")
    expect(page.locator(".sync-status")).to_contain_text("unsynced")

    page.reload()  # the journal in localStorage outlives the page
    expect(mine).to_have_value(START + " Kept.")
    expect(page.locator(".sync-status")).to_contain_text("unsynced")
    assert _server_text(accord_ui, other, statement_id) == START

    blocked = False
    expect(page.locator(".sync-status")).to_have_text("Saved", timeout=20_000)
    expect(other.get_by_label("Statement text")).to_have_value(START + " Kept.")
    assert _server_text(accord_ui, other, statement_id) == START + " Kept."


def test_undo_takes_back_only_my_own_changes(accord_ui: AccordUI) -> None:
    page, other, statement_id = _pair(accord_ui)
    mine, theirs = page.get_by_label("Statement text"), other.get_by_label("Statement text")
    mine.click()
    page.keyboard.press("End")
    page.keyboard.type(" Mine.")
    expect(theirs).to_have_value(START + " Mine.")
    theirs.click()
    other.keyboard.press("Home")
    other.keyboard.type("Theirs. ")
    expect(mine).to_have_value("Theirs. " + START + " Mine.")

    mine.click()
    page.keyboard.press("Control+z")
    expect(mine).to_have_value("Theirs. " + START)
    expect(theirs).to_have_value("Theirs. " + START)
    page.keyboard.press("Control+Shift+z")
    expect(theirs).to_have_value("Theirs. " + START + " Mine.")
    page.keyboard.press("Control+s")  # no browser dialog: a word on saving instead
    expect(page.get_by_text("Accord saves every change as you type")).to_be_visible()
    expect(page.locator(".sync-status")).to_have_text("Saved")
    assert _server_text(accord_ui, page, statement_id) == "Theirs. " + START + " Mine."


def test_viewer_reads_live_but_cannot_type(accord_ui: AccordUI) -> None:
    page, viewer, statement_id = _pair(accord_ui, "viewer")
    seen = viewer.get_by_label("Statement text")
    expect(seen).to_have_attribute("readonly", "")
    seen.click()
    viewer.keyboard.type("Not mine to write.")
    expect(seen).to_have_value(START)

    mine = page.get_by_label("Statement text")
    mine.click()
    page.keyboard.press("End")
    page.keyboard.type(" Live.")
    expect(seen).to_have_value(START + " Live.")
    expect(viewer.locator(".remote-caret")).to_contain_text("Fatima Facilitator")
    assert _server_text(accord_ui, page, statement_id) == START + " Live."


def test_authorship_shows_who_wrote_what_as_it_changes(accord_ui: AccordUI) -> None:
    page, other, _ = _pair(accord_ui)
    theirs = other.get_by_label("Statement text")
    theirs.click()
    other.keyboard.press("End")
    other.keyboard.type(" Dmitri adds this.")
    expect(page.get_by_label("Statement text")).to_have_value(START + " Dmitri adds this.")

    page.get_by_label("Show who wrote what").check()
    legend = page.get_by_role("list", name="Who wrote what")
    expect(legend.get_by_role("listitem")).to_have_text(
        ["Fatima Facilitator · Wikimedia Norway", "Dmitri Delegate · Wikimedia Ukraine"]
    )
    passages = page.locator(".editor-overlay .authored")
    expect(passages).to_have_text([START, " Dmitri adds this."])

    # Changes made while it is on are credited as they arrive.
    other.keyboard.type(" And more.")
    mine = page.get_by_label("Statement text")
    mine.click()
    page.keyboard.press("Control+Home")
    page.keyboard.type("Fatima: ")
    expect(passages).to_have_text(["Fatima: " + START, " Dmitri adds this. And more."])
    colours = passages.evaluate_all(
        "nodes => nodes.map(node => node.style.getPropertyValue('--peer'))"
    )
    assert colours[0] != colours[1]

    page.get_by_label("Show who wrote what").uncheck()
    expect(passages).to_have_count(0)
    expect(legend).to_be_hidden()


def test_preview_renders_markdown_safely_and_live(accord_ui: AccordUI) -> None:
    page, other, _ = _pair(accord_ui)
    theirs = other.get_by_label("Statement text")
    theirs.click()
    other.keyboard.press("Control+Home")
    other.keyboard.type("# Our statement\n\n")
    other.keyboard.press("Control+End")
    other.keyboard.type(
        "\n\n- **Trust** first\n- [see](https://wikimedia.org) and [no](javascript:alert(1))"
    )
    expect(page.get_by_label("Statement text")).to_have_value(re.compile(r"alert\(1\)\)$"))

    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview.get_by_role("heading", level=1)).to_have_text("Our statement")
    expect(preview.get_by_role("listitem")).to_have_text(
        ["Trust first", "see and [no](javascript:alert(1))"]
    )
    expect(preview.get_by_role("link")).to_have_attribute("href", "https://wikimedia.org")
    expect(page.get_by_label("Statement text")).to_be_hidden()

    other.keyboard.type("\n\nLive.")
    expect(preview.locator("p").last).to_have_text("Live.")
    page.get_by_role("button", name="Back to writing").click()
    expect(page.get_by_label("Statement text")).to_be_visible()


def test_input_method_composition_survives_others_typing(accord_ui: AccordUI) -> None:
    page, other, statement_id = _pair(accord_ui)
    mine, theirs = page.get_by_label("Statement text"), other.get_by_label("Statement text")
    mine.click()
    page.keyboard.press("End")
    ime = page.context.new_cdp_session(page)
    ime.send("Input.imeSetComposition", {"text": "にほ", "selectionStart": 2, "selectionEnd": 2})
    expect(mine).to_have_value(START + "にほ")

    # Someone else types while the composition is open: it must not break or be sent early.
    theirs.click()
    other.keyboard.press("Home")
    other.keyboard.type("Yes. ")
    expect(theirs).to_have_value("Yes. " + START)
    expect(other.locator(".sync-status")).to_have_text("Saved")
    assert _server_text(accord_ui, other, statement_id) == "Yes. " + START
    page.wait_for_timeout(300)
    expect(mine).to_have_value(START + "にほ")  # held back until the composition ends

    ime.send("Input.imeSetComposition", {"text": "日本", "selectionStart": 2, "selectionEnd": 2})
    ime.send("Input.insertText", {"text": "日本"})
    expected = "Yes. " + START + "日本"
    expect(mine).to_have_value(expected)
    expect(theirs).to_have_value(expected)
    expect(page.locator(".sync-status")).to_have_text("Saved")
    assert _server_text(accord_ui, page, statement_id) == expected
    # The caret stays after what was composed.
    assert (
        page.evaluate("() => document.activeElement.selectionStart")
        == len(expected.encode("utf-16-le")) // 2
    )
