"""What the accessibility tests share: a statement with everything a page can show, and axe-core.

`workshop()` builds, through the API, a statement such as a workshop leaves behind: two saved
versions, a comment thread, a closed round that approved version 1, its publication, and an
open round on version 2. `axe_violations()` runs axe-core's WCAG 2.1 A and AA rules on a page.
"""

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from playwright.sync_api import Page

from .helpers import AccordUI, Person

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

FIRST = """# Statement on Partnerships

We, the undersigned affiliates, agree to share what we learn.

1. Publish the results of every partnership.
2. Credit every partner by name.
"""
SECOND = FIRST.replace("share what we learn", "share openly what we learn") + (
    "\nWe review this statement every year.\n"
)


@dataclass(frozen=True)
class Workshop:
    facilitator: Person
    page: Page  # the facilitator's, signed in
    statement_id: int
    slug: str
    thread_id: int
    invitation_token: str


def workshop(ui: AccordUI) -> Workshop:
    """Fatima's statement with versions, a comment, a publication and an open round."""
    fatima = ui.person("Fatima Facilitator", "Wikimedia Norway")
    dmitri = ui.person("Dmitri Delegate", "Wikimedia Ukraine")
    rosa = ui.person("Rosa Reviewer", "Creative Commons")
    page = ui.signed_in(fatima)
    statement_id = ui.create_statement(page, "Statement on Partnerships", FIRST)
    base = f"/api/statements/{statement_id}"
    slug = ui.api(page, "GET", base)["slug"]
    editor = ui.add_member(page, statement_id, dmitri, "editor")
    reviewer = ui.add_member(page, statement_id, rosa, "reviewer")
    ui.api(page, "POST", f"{base}/versions", {"name": "Day one"})
    start = FIRST.index("share")
    thread = ui.api(
        editor,
        "POST",
        f"{base}/threads",
        {"start": start, "end": start + len("share"), "body": "Share **how**, exactly?"},
    )
    round_id = ui.api(page, "POST", f"{base}/rounds", {"version": 1})["id"]
    ui.api(page, "POST", f"{base}/rounds/{round_id}/stances", {"kind": "approve"})
    ui.api(editor, "POST", f"{base}/rounds/{round_id}/stances", {"kind": "approve"})
    ui.api(reviewer, "POST", f"{base}/rounds/{round_id}/stances", {"kind": "abstain"})
    ui.api(page, "POST", f"{base}/rounds/{round_id}/close")
    ui.api(page, "POST", f"{base}/publications", {"version": 1})
    rev = ui.api(page, "GET", f"{base}/text")["rev"]
    ui.api(editor, "POST", f"{base}/text", {"base_rev": rev, "text": SECOND})
    ui.api(page, "POST", f"{base}/versions", {"name": "Day two"})
    ui.api(page, "POST", f"{base}/rounds", {"version": 2})
    invitation = ui.invite(page, statement_id, "reviewer")
    return Workshop(fatima, page, statement_id, slug, int(thread["id"]), invitation["token"])


def rounds(ui: AccordUI, world: Workshop) -> list[int]:
    """The ids of the workshop's review rounds: one closed and published, one open."""
    listed = ui.api(world.page, "GET", f"/api/statements/{world.statement_id}/rounds")
    return [int(review["id"]) for review in listed["data"]]


def phone(ui: AccordUI, person: Person | None = None) -> Page:
    """A page on a phone 390 CSS pixels wide, touch only; signed in as `person` if one is given."""
    context = ui.browser.new_context(
        base_url=ui.server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    ui.contexts.append(context)
    page = context.new_page()
    page.on("pageerror", lambda error: ui.page_errors.append(str(error)))
    if person is not None:
        ui.api(page, "POST", "/api/session", {"email": person.email, "password": person.password})
    return page


def axe_source() -> str | None:
    """axe-core's script, as the axe-playwright-python package ships it; None without it."""
    try:
        return (resources.files("axe_playwright_python") / "axe.min.js").read_text("utf-8")
    except ModuleNotFoundError:
        return None


def axe_violations(page: Page, source: str) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on `page` as it stands, one line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated, not added as a script tag, which the pages' Content-Security-Policy refuses.
        page.evaluate(source)
    found: list[dict[str, Any]] = page.evaluate(
        # Every rule with these tags, the experimental ones too (label-content-name-mismatch).
        """tags => axe.run(document, {
            runOnly: {type: "rule", values: axe.getRules(tags).map(rule => rule.ruleId)},
        }).then(result => result.violations)""",
        WCAG_TAGS,
    )
    return [
        f"{page.url} {rule['id']} ({rule['impact']}): {rule['help']}: "
        + json.dumps([node["target"] for node in rule["nodes"]][:5])
        for rule in found
    ]


# WCAG 2.5.8 (target size, minimum) as these tests apply it: every visible control is at least
# 24 by 24 CSS pixels, except a link inside a sentence (its paragraph has words of its own
# besides the link's, so the line height of the text bounds it) and a checkbox or radio button
# whose label wraps it and is itself that large (the label is the target then). Controls out of
# sight (a skip link above the page until focused, text for screen readers only) are no target.
# A link is inside a sentence when its paragraph (or list item, cell...) has at least three words
# of its own besides those of its links and buttons: a row of links such as "Download: PDF
# · HTML" is no sentence.
SMALL_TARGETS = r"""() => {
  const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    + "[role=button], [role=tab], [tabindex]:not([tabindex='-1'])";
  const big = (box) => box.width >= 23.99 && box.height >= 23.99;
  const inSentence = (node) => {
    if (node.tagName !== "A" || getComputedStyle(node).display !== "inline") return false;
    const block = node.parentElement.closest("p, li, dd, td, th, div, figcaption, blockquote");
    if (!block) return false;
    const prose = block.cloneNode(true);
    for (const control of prose.querySelectorAll("a, button")) control.remove();
    return (prose.textContent.match(/[\p{L}\p{N}]+/gu) ?? []).length >= 3;
  };
  const labelled = (node) => {
    const label = node.closest("label");
    return label !== null && big(label.getBoundingClientRect());
  };
  const small = [];
  for (const node of document.querySelectorAll(controls)) {
    const box = node.getBoundingClientRect();
    const style = getComputedStyle(node);
    if (!node.checkVisibility({ visibilityProperty: true })) continue;
    if (box.bottom <= 0 || box.right <= 0 || (box.width <= 1 && box.height <= 1)) continue;
    if (style.clip === "rect(0px, 0px, 0px, 0px)") continue;
    if (big(box) || inSentence(node) || labelled(node)) continue;
    const name = (node.getAttribute("aria-label") || node.textContent || node.name || "").trim();
    const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
    small.push(`${node.tagName.toLowerCase()} "${name.slice(0, 40)}" ${size}`);
  }
  return small;
}"""


def small_targets(page: Page) -> list[str]:
    """The controls on `page` smaller than 24 by 24 CSS pixels, by the rule above, and whether
    the page is wider than the screen (so that reading it means scrolling sideways)."""
    found: list[str] = page.evaluate(SMALL_TARGETS)
    width = page.evaluate("document.documentElement.scrollWidth")
    screen = page.evaluate("window.innerWidth")
    if width > screen:
        found.append(f"the page is {width} pixels wide on a screen of {screen}")
    return [f"{page.url}: {target}" for target in found]


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


def weak_focus_rings(page: Page) -> tuple[list[str], list[str]]:
    """Tab once round `page`: every stop, and those whose ring is missing or under 3:1."""
    page.locator("body").focus()
    stops: list[str] = []
    weak: list[str] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_RING)
        if focus["again"]:
            break
        stops.append(focus["element"])
        if focus["contrast"] < 3:
            weak.append(
                f"{page.url}: {focus['element']}: ring {focus['ring']}, {focus['contrast']:.1f}:1"
            )
    return stops, weak
