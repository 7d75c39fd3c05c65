"""By keyboard alone a delegate signs in, opens a statement, writes in it and moves between the
side tabs; wherever focus goes, a ring shows it, in a colour that stands out (3:1 or more)
against what lies behind it."""

import pytest
from playwright.sync_api import Locator, Page, expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

TEXT = "We, the undersigned, agree to share what we learn."

# The focused element's ring (outline, else box-shadow) and the colour behind it, as the
# browser computes them, with the contrast ratio of the two (WCAG's relative luminance).
FOCUS_RING = """() => {
  const node = document.activeElement;
  const style = getComputedStyle(node);
  const rgb = (colour) => (colour.match(/[\\d.]+/g) ?? []).map(Number);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow !== "none" ? style.boxShadow.match(/rgba?\\([^)]*\\)/) : null;
  const ring = outline ? style.outlineColor : shadow ? shadow[0] : null;
  let behind = "rgb(255, 255, 255)";
  for (let up = node.parentElement; up; up = up.parentElement) {
    const colour = getComputedStyle(up).backgroundColor;
    if (rgb(colour).length === 3 || rgb(colour)[3] === 1) { behind = colour; break; }
  }
  const luminance = (colour) => {
    const [r, g, b] = rgb(colour).slice(0, 3).map((c) => c / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [dark, light] = ring === null ? [0, 0]
    : [luminance(ring), luminance(behind)].sort((a, b) => a - b);
  const name = (node.getAttribute("aria-label") || node.textContent || node.id).trim();
  window.visited ??= new WeakSet();
  const again = node === document.body || window.visited.has(node);
  window.visited.add(node);
  return {
    again,
    element: `${node.tagName.toLowerCase()} "${name.slice(0, 30)}"`,
    ring,
    contrast: ring === null ? 0 : (light + 0.05) / (dark + 0.05),
  };
}"""


def tab_to(page: Page, target: Locator, key: str = "Tab", most: int = 40) -> None:
    """Press `key` until `target` has the focus; fail if it takes more than `most` presses."""
    for _ in range(most):
        if target.evaluate("node => node === document.activeElement"):
            return
        page.keyboard.press(key)
    expect(target).to_be_focused()


def test_sign_in_open_write_and_switch_tabs_by_keyboard(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = accord_ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    setup = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(setup, "Statement on Sharing", TEXT)
    accord_ui.add_member(setup, statement_id, dmitri, "editor")

    page = accord_ui.new_page()
    page.goto("/signin")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(dmitri.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(dmitri.password)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="My statements")).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Statement on Sharing"))
    page.keyboard.press("Enter")

    draft = page.get_by_label("Statement text")
    expect(draft).to_be_editable()
    tab_to(page, draft)
    page.keyboard.press("Control+End")
    page.keyboard.type(" Openly.")
    expect(draft).to_have_value(TEXT + " Openly.")
    expect(page.locator(".sync-status")).to_have_text("Saved")
    saved = accord_ui.api(setup, "GET", f"/api/statements/{statement_id}/text")
    assert saved["text"] == TEXT + " Openly."

    # Out of the text, the next stop is the side panel's chosen tab; arrows move between tabs.
    page.keyboard.press("Tab")
    expect(page.get_by_role("tab", name="Comments")).to_be_focused()
    page.keyboard.press("ArrowRight")
    people = page.get_by_role("tab", name="People")
    expect(people).to_be_focused()
    expect(people).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel")).to_contain_text("Fatima Facilitator")
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="About")).to_be_focused()
    expect(page.get_by_role("tabpanel")).to_contain_text("Approval rule")
    page.keyboard.press("Home")
    expect(page.get_by_role("tab", name="Comments")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(draft).to_be_focused()


def test_every_stop_on_the_statement_page_shows_a_ring_that_stands_out(
    accord_ui: AccordUI,
) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement on Sharing", TEXT)
    page.goto(f"/statements/{statement_id}")
    draft = page.get_by_label("Statement text")
    expect(draft).to_be_editable()

    page.locator("body").focus()
    weak: list[str] = []
    stops: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_RING)
        if focus["again"]:
            break  # once round the page
        stops.append(focus["element"])
        if focus["contrast"] < 3:
            weak.append(f"{focus['element']}: ring {focus['ring']}, {focus['contrast']:.1f}:1")
    assert any(stop.startswith("textarea") for stop in stops), stops
    assert not weak, "\n".join(weak)
