"""Who is here and what state the page is in, read at a glance wherever one is in the page,
by a screen reader, and without telling colours apart."""

import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import AccordUI, open_statement

pytestmark = pytest.mark.browser

TITLE = "Statement on Partnerships"
START = "Partnerships serve free knowledge."


def _pair(accord_ui: AccordUI, text: str = START) -> tuple[Page, Page, int]:
    """Fatima (facilitator) on the statement's page; Dmitri (editor) signed in, not on it."""
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, TITLE, text)
    other = accord_ui.add_member(page, statement_id, dmitri, "editor")
    open_statement(page, statement_id)
    return page, other, statement_id


def _in_viewport(page: Page, selector: str) -> bool:
    inside: bool = page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
        }""",
        selector,
    )
    return inside


def test_status_in_view_when_offline_at_end_of_long_draft(accord_ui: AccordUI) -> None:
    long_draft = "\n\n".join(f"Paragraph {n} on partnerships." for n in range(80))
    page, _, _ = _pair(accord_ui, long_draft)
    page.get_by_label("Statement text").click()
    page.keyboard.press("Control+End")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("window.scrollY > 1000")

    page.context.set_offline(True)
    page.keyboard.type(" Still writing.")
    status = page.locator(".sync-status")
    expect(status).to_have_text(re.compile(r"Offline · \d+ unsynced changes?"))
    assert _in_viewport(page, ".sync-status")
    announcements = page.locator("#announcements")
    expect(announcements).to_contain_text("You are offline.")
    page.context.set_offline(False)
    expect(status).to_have_text("Saved")
    expect(announcements).to_have_text("Back online.")


def test_idle_caret_shown_at_once_its_name_while_active(accord_ui: AccordUI) -> None:
    page, other, statement_id = _pair(accord_ui)
    open_statement(other, statement_id)
    other.get_by_label("Statement text").click()
    other.keyboard.press("Home")
    for _ in range(len("Partnerships")):
        other.keyboard.press("ArrowRight")
    expect(page.locator(".remote-caret")).to_have_count(1)

    # Opened after Dmitri last moved: his caret is there at once, a thin line with no flag.
    late = accord_ui.add_member(page, statement_id, accord_ui.person("Lena Latecomer"), "reviewer")
    open_statement(late, statement_id)
    caret = late.locator(".remote-caret")
    expect(caret).to_have_count(1)
    before = late.evaluate(
        """() => {
            const range = document.createRange();
            range.setStart(document.querySelector('.editor-overlay'), 0);
            range.setEndBefore(document.querySelector('.remote-caret'));
            return range.toString();
        }"""
    )
    assert before == "Partnerships"
    flag = caret.locator(".remote-caret-name")
    expect(flag).to_have_css("opacity", "0")

    # Moving again names him.
    other.keyboard.press("ArrowRight")
    expect(flag).to_have_css("opacity", "1")
    expect(caret).to_have_class(re.compile(r"\bactive\b"))

    # At the top of the editor: who is here, in their colours, named in full.
    here = late.get_by_role("list", name="Here now")
    expect(here.get_by_role("listitem")).to_have_count(3)
    dmitri = here.get_by_role("listitem", name="Dmitri Delegate")
    expect(dmitri.locator("[aria-hidden=true]")).to_have_text("DD")
    expect(dmitri).to_have_attribute("title", "Dmitri Delegate")
    expect(dmitri).to_have_css("background-color", re.compile(r"rgb"))


def test_hovering_idle_caret_names_it(accord_ui: AccordUI) -> None:
    page, other, statement_id = _pair(accord_ui)
    open_statement(other, statement_id)
    other.get_by_label("Statement text").click()
    other.keyboard.press("End")
    expect(page.locator(".remote-caret")).to_have_count(1)  # the server knows where it is
    page.reload()
    expect(page.locator(".sync-status")).to_have_text("Saved")
    caret = page.locator(".remote-caret")
    flag = caret.locator(".remote-caret-name")
    expect(flag).to_have_css("opacity", "0")
    # The overlay may redraw the caret after the hello: hover finds the one drawn last. (It is
    # drawn under the text, which takes the pointer: the page works out what is under it.)
    caret.hover(force=True)
    expect(flag).to_have_css("opacity", "1")
    page.get_by_role("heading", level=1).hover()  # away from the caret
    expect(flag).to_have_css("opacity", "0")


def test_presence_and_authorship_read_without_colour(accord_ui: AccordUI) -> None:
    page, other, statement_id = _pair(accord_ui)
    page.get_by_role("tab", name="People").click()
    people = page.get_by_role("region", name="People")
    dmitri = people.get_by_role("listitem").filter(has_text="Dmitri Delegate")
    expect(dmitri).to_contain_text("away")
    expect(people.get_by_role("listitem").filter(has_text="Fatima Facilitator")).to_contain_text(
        "here"
    )
    open_statement(other, statement_id)
    expect(dmitri).to_contain_text("here")
    expect(dmitri).not_to_contain_text("away")

    other.get_by_label("Statement text").click()
    other.keyboard.press("End")
    other.keyboard.type(" Dmitri adds this.")
    expect(page.get_by_label("Statement text")).to_have_value(START + " Dmitri adds this.")
    page.get_by_label("Show who wrote what").check()
    passages = page.locator(".editor-overlay .authored")
    expect(passages).to_have_text([START, " Dmitri adds this."])
    # Each writer's passages are underlined in a style of their own, shown in the legend.
    styles = passages.evaluate_all(
        "nodes => nodes.map(node => getComputedStyle(node).borderBottomStyle)"
    )
    assert styles[0] != styles[1]
    samples = page.get_by_role("list", name="Who wrote what").locator(".writer-mark")
    expect(samples).to_have_count(len(styles))  # the legend is drawn with the passages
    legend_styles = samples.evaluate_all(
        "nodes => nodes.map(node => getComputedStyle(node).borderBottomStyle)"
    )
    assert legend_styles == styles
    # Pointing at a passage names its writer.
    box = passages.nth(1).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator(".editor-surface")).to_have_attribute("title", "Written by Dmitri Delegate")


COUNT_MUTATIONS = """(selector) => {
    window.mutations = window.mutations || {};
    window.mutations[selector] = 0;
    new MutationObserver((records) => { window.mutations[selector] += records.length; })
        .observe(document.querySelector(selector),
                 { childList: true, characterData: true, subtree: true });
}"""


def test_status_quiet_while_typing_and_arrivals_announced(accord_ui: AccordUI) -> None:
    page, other, statement_id = _pair(accord_ui)
    page.evaluate(COUNT_MUTATIONS, ".sync-status [role=status]")
    page.evaluate(COUNT_MUTATIONS, "#announcements")
    page.get_by_label("Statement text").click()
    page.keyboard.press("End")
    page.keyboard.type(" We agree now")  # 13 characters
    expect(page.get_by_label("Statement text")).to_have_value(START + " We agree now")
    expect(page.locator(".sync-status")).to_have_text("Saved")
    assert page.evaluate("window.mutations['.sync-status [role=status]']") <= 2

    open_statement(other, statement_id)
    announcements = page.locator("#announcements")
    expect(announcements).to_have_text("Dmitri Delegate joined.")
    assert page.evaluate("window.mutations['#announcements']") == 1
    other.close()
    expect(announcements).to_have_text("Dmitri Delegate left.")


def test_history_wraps_long_unbroken_text(accord_ui: AccordUI) -> None:
    url = "https://meta.wikimedia.org/wiki/" + "Partnerships_" * 23
    page, _, statement_id = _pair(accord_ui, f"See {url} for more.")
    page.goto(f"/statements/{statement_id}/history")
    text = page.get_by_role("region", name="Text at this revision")
    expect(text).to_contain_text("Partnerships_Partnerships_")
    overflow = text.evaluate(
        """(node) => {
            const aside = document.querySelector('.side-panel').getBoundingClientRect();
            const box = node.getBoundingClientRect();
            return { scroll: node.scrollWidth - node.clientWidth, gap: aside.left - box.right };
        }"""
    )
    assert overflow["scroll"] <= 0
    assert overflow["gap"] >= 0


def test_caret_at_the_right_edge_flies_its_name_over_the_text(accord_ui: AccordUI) -> None:
    long_line = " ".join(["Partnerships serve free knowledge."] * 12)
    page, other, statement_id = _pair(accord_ui, long_line)
    open_statement(other, statement_id)
    other.get_by_label("Statement text").click()
    other.keyboard.press("Control+Home")
    other.keyboard.press("End")  # the end of the first row as wrapped: the right edge
    flag = page.locator(".remote-caret .remote-caret-name")
    expect(flag).to_have_css("opacity", "1")
    overlay = page.locator(".editor-overlay").bounding_box()
    shown = flag.bounding_box()
    assert overlay is not None
    assert shown is not None
    assert shown["x"] + shown["width"] <= overlay["x"] + overlay["width"], (shown, overlay)
