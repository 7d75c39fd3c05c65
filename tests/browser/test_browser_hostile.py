"""Hostile text in every field, seen by other members in Chromium: nothing runs, nothing loads
from elsewhere, nothing throws, and the text shows as typed. Crafted Markdown never hangs the
editor's preview.

The pages are opened with the Content-Security-Policy switched off, so that these tests prove
the pages themselves inert: the policy is a second wall, not the first."""

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Dialog, Page, Route, WebSocket, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.hostile import PATHOLOGICAL, XSS, XSS_BLOCKS

from .helpers import AccordUI, LiveServer, make_administrator

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CORPUS = "\n\n".join(XSS + XSS_BLOCKS)
TYPED = "\n<script>alert('typed')</script> [y](javascript:alert(2)) <img src=x onerror=alert(3)>"
N = len(XSS)
PREVIEW_SIZE = 100_000  # characters of each crafted text (10,000 ">" and more)

# Everything on a page that could run script or reach another site: event handler attributes,
# elements that embed or restyle, and addresses off this server (links may leave by http(s)).
AUDIT = """() => {
  const problems = [];
  const origin = location.origin;
  const ADDRESSES = ["href", "src", "action", "formaction", "data", "poster", "background",
    "srcset", "xlink:href", "ping", "cite"];
  const EMBEDS = ["IFRAME", "FRAME", "OBJECT", "EMBED", "BASE", "SVG", "MATH", "STYLE", "IMG",
    "VIDEO", "AUDIO", "PORTAL", "FORM"];
  for (const node of document.querySelectorAll("*")) {
    const tag = node.tagName.toUpperCase();
    const inApp = tag === "FORM" && !node.getAttribute("action");
    if (EMBEDS.includes(tag) && !inApp) problems.push(`<${tag.toLowerCase()}>`);
    const ownScript = node.src && new URL(node.src).origin === origin;
    if (tag === "SCRIPT" && !ownScript) problems.push("<script>");
    if (tag === "META" && node.httpEquiv) problems.push("<meta http-equiv>");
    for (const attr of node.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) problems.push(`${tag} ${name}=${attr.value}`);
      const styled = name === "style" && /url\\(|expression|script/i.test(attr.value);
      if (styled) problems.push(`${tag} style`);
      if (!ADDRESSES.includes(name) || (tag === "LINK" && attr.value === "data:,")) continue;
      let url = null;
      try {
        url = new URL(attr.value, location.href);
      } catch {
        problems.push(`${tag} ${name}`);
        continue;
      }
      const fine = tag === "A"
        ? ["http:", "https:", "mailto:"].includes(url.protocol)
        : url.origin === origin;
      if (!fine) problems.push(`${tag} ${name}=${attr.value}`);
    }
  }
  return problems;
}"""


class Api:
    """One person's calls to the live server, as their browser would make them."""

    def __init__(self, server: LiveServer) -> None:
        self.client = httpx.Client(base_url=server.url, headers={"Origin": server.url}, timeout=60)

    def __call__(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.client.request(method, path, json=body)
        assert answer.is_success, f"{method} {path} answered {answer.status_code}: {answer.text}"
        return answer.json() if answer.status_code != 204 else None


@dataclass
class Watch:
    """What the pages did that they must not: dialogs, requests off the server, page errors."""

    dialogs: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def assert_quiet(self, accord_ui: AccordUI) -> None:
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"
        assert self.outside == [], f"requests to other sites: {self.outside}"
        assert accord_ui.page_errors == [], f"JavaScript errors: {accord_ui.page_errors}"


def watched_page(accord_ui: AccordUI, watch: Watch, cookies: httpx.Cookies | None = None) -> Page:
    """A page in a fresh context without the CSP, signed in with `cookies` when given, whose
    dialogs are dismissed and recorded and whose requests off the server are blocked and
    recorded."""
    server = accord_ui.server
    context: BrowserContext = accord_ui.browser.new_context(
        base_url=server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(15_000)
    accord_ui.contexts.append(context)
    host = server.url.split("://", 1)[1]
    if cookies is not None:
        context.add_cookies(
            [{"name": c.name, "value": str(c.value), "url": server.url} for c in cookies.jar]
        )

    def guard(route: Route) -> None:
        if route.request.url.startswith(f"{server.url}/"):
            route.continue_()
        else:
            watch.outside.append(route.request.url)
            route.abort()

    def dialog(opened: Dialog) -> None:
        watch.dialogs.append(f"{opened.type}: {opened.message}")
        opened.dismiss()

    def socket(opened: WebSocket) -> None:
        if not opened.url.startswith(f"ws://{host}/"):
            watch.outside.append(opened.url)

    context.route("**/*", guard)
    page = context.new_page()
    page.on("pageerror", lambda error: accord_ui.page_errors.append(f"{page.url}: {error}"))
    page.on("dialog", dialog)
    page.on("websocket", socket)
    return page


def audit(page: Page) -> None:
    problems = page.evaluate(AUDIT)
    assert problems == [], f"{page.url}: {problems}"


def shows(page: Page, *texts: str, where: str = "main") -> None:
    """Each text appears character for character in the page's text, once it has rendered:
    waits for all of them, then names any that never came."""
    present = """([where, texts]) => {
        const node = document.querySelector(where);
        return node !== null && texts.every((text) => node.textContent.includes(text));
    }"""
    try:
        page.wait_for_function(present, arg=[where, list(texts)])
    except PlaywrightTimeoutError:
        shown = page.locator(where).first.evaluate("node => node.textContent")
        missing = [text for text in texts if text not in shown]
        pytest.fail(f"{page.url} does not show {missing}")


@dataclass
class World:
    """One statement holding the whole corpus, spread over every field people fill in."""

    statement_id: int
    slug: str
    title: str
    fatima: Api
    mallory: Api
    names: list[str]
    organisations: list[str]  # each member's organisation in this statement
    accounts: list[str]  # each member's account organisation
    titles: list[str]
    labels: list[str]
    version_names: list[str]
    invitation: str


def build_world(accord_ui: AccordUI) -> World:
    server = accord_ui.server
    person = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    make_administrator(server, person)
    fatima = Api(server)
    fatima("POST", "/api/session", {"email": person.email, "password": person.password})
    fatima("PATCH", "/api/me", {"name": XSS[0], "organisation": XSS[1]})

    titles = [entry[:200] for entry in XSS]
    for index, title in enumerate(titles):
        context = XSS[(index + 5) % N]
        fatima("POST", "/api/statements", {"title": title, "context": context})
    title = titles[14]
    main = fatima("POST", "/api/statements", {"title": title, "context": CORPUS})
    sid = main["id"]
    base = f"/api/statements/{sid}"
    slug = f"hostile-{uuid.uuid4().hex[:8]}"
    fatima("PATCH", base, {"slug": slug, "approval_rule": "majority"})
    fatima("POST", f"{base}/text", {"base_rev": 0, "text": CORPUS})

    names = [entry[:120] for entry in XSS]
    accounts = [XSS[(index + 3) % N][:200] for index in range(N)]
    labels = [entry[:200] for entry in XSS]
    members: list[Api] = []
    ids: list[int] = []
    for index, (name, label) in enumerate(zip(names, labels, strict=True)):
        role = "editor" if index % 2 == 0 else "reviewer"
        link = fatima("POST", f"{base}/invitations", {"role": role, "label": label})
        member = Api(server)
        # The first member's address is as hostile as an address may be.
        email = "<svg/onload=alert(1)>@evil.example" if index == 0 else f"m{uuid.uuid4().hex}@e.org"
        joined = member(
            "POST",
            f"/api/invitations/{link['token']}/accept",
            {"name": name, "organisation": accounts[index], "email": email, "password": "x" * 12},
        )
        members.append(member)
        ids.append(joined["user"]["id"])
    organisations = list(accounts)
    for index in range(0, N, 3):
        organisations[index] = XSS[(index + 7) % N][:200]
        fatima("PATCH", f"{base}/members/{ids[index]}", {"organisation": organisations[index]})

    mallory = members[0]
    version_names = [XSS[4][:200], XSS[6][:200]]
    members[2]("POST", f"{base}/versions", {"name": version_names[0], "note": CORPUS})
    text = mallory("GET", f"{base}/text")
    grown = text["text"] + "\n\n" + "\n\n".join(XSS_BLOCKS)
    mallory("POST", f"{base}/text", {"base_rev": text["rev"], "text": grown})
    fatima("POST", f"{base}/versions", {"name": version_names[1], "note": XSS[7]})

    for index, member in enumerate(members):
        body = {"start": 3 * index, "end": 3 * index + 2, "body": XSS[index]}
        thread = member("POST", f"{base}/threads", body)
        fatima("POST", f"{base}/threads/{thread['id']}/comments", {"body": XSS[(index + 1) % N]})
        edited = f"{XSS[index]} {XSS_BLOCKS[index % len(XSS_BLOCKS)]}"
        member("PATCH", f"{base}/comments/{thread['comments'][0]['id']}", {"body": edited})
    for number in (1, 2):
        body = {"version": number, "start": 0, "end": 5, "body": XSS[number + 10]}
        members[number]("POST", f"{base}/threads", body)

    first = fatima("POST", f"{base}/rounds", {"version": 1})["id"]
    fatima("POST", f"{base}/rounds/{first}/stances", {"kind": "approve", "reason": XSS[9]})
    for index, member in enumerate(members):
        stance = {"kind": "approve", "reason": XSS[index]}
        member("POST", f"{base}/rounds/{first}/stances", stance)
    assert fatima("POST", f"{base}/rounds/{first}/close")["approved"]
    fatima("POST", f"{base}/publications", {"version": 1})
    second = fatima("POST", f"{base}/rounds", {"version": 2})["id"]
    for index, member in enumerate(members):
        kind = ("approve", "request_changes", "block", "abstain")[index % 4]
        member("POST", f"{base}/rounds/{second}/stances", {"kind": kind, "reason": XSS[index]})

    for entry in XSS:
        mallory("POST", "/api/tokens", {"name": entry[:100]})
    invitation = fatima("POST", f"{base}/invitations", {"role": "viewer", "label": XSS[20]})
    return World(
        statement_id=sid,
        slug=slug,
        title=title,
        fatima=fatima,
        mallory=mallory,
        names=names,
        organisations=organisations,
        accounts=accounts,
        titles=titles,
        labels=labels,
        version_names=version_names,
        invitation=invitation["token"],
    )


def test_hostile_text_in_every_field_is_harmless_on_every_page(accord_ui: AccordUI) -> None:
    world = build_world(accord_ui)
    watch = Watch()
    sid = world.statement_id
    everyone = [XSS[0], *world.names]

    page = watched_page(accord_ui, watch, world.fatima.client.cookies)
    page.goto("/")
    expect(page.get_by_role("link", name=world.titles[1], exact=True)).to_be_visible()
    shows(page, *world.titles, *(XSS[(i + 5) % N] for i in range(N)))
    shows(page, XSS[0], XSS[1], where="header")
    audit(page)

    # The editor: the title, the draft, typing hostile text live, and its preview.
    page.goto(f"/statements/{sid}")
    expect(page.get_by_role("heading", level=1)).to_have_text(world.title)
    draft = page.get_by_label("Statement text")
    expect(draft).to_have_value(f"{CORPUS}\n\n" + "\n\n".join(XSS_BLOCKS))
    expect(page.get_by_role("status")).to_have_text("Saved")
    draft.click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text(TYPED)
    expect(page.get_by_role("status")).to_have_text("Saved")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview).to_contain_text("<script>alert('typed')</script>")
    expect(preview).to_contain_text("[y](javascript:alert(2))")
    shows(page, "{{constructor.constructor('alert(1)')()}}", "\u202eexe.txt evil")
    audit(page)
    page.get_by_role("button", name="Back to writing").click()

    panel = page.get_by_role("region", name="Comments")
    expect(panel.locator(".thread")).to_have_count(N)
    shows(page, *everyone)
    # Markdown leaves these as they are, so the comments show them character for character.
    shows(
        page,
        *(XSS[i] for i in (0, 1, 2, 3, 13, 14, 15, 16, 17, 19, 21, 22, 24, 25)),
        where=".threads",
    )
    panel.get_by_role("button", name="edited").first.click()
    expect(panel.locator(".earlier-wordings li span").first).to_have_text(XSS[0])
    audit(page)
    page.get_by_role("tab", name="People").click()
    people = page.get_by_role("region", name="People")
    expect(people.locator("li")).to_have_count(N + 1)
    shows(page, *everyone, *world.organisations)
    page.get_by_role("tab", name="Versions").click()
    versions = page.get_by_role("region", name="Versions")
    expect(versions.locator(".version")).to_have_count(2)
    shows(page, *world.version_names, CORPUS, XSS[7])
    page.get_by_role("tab", name="Review").click()
    review = page.get_by_role("region", name="Review")
    expect(review.locator("tbody tr")).to_have_count(N + 1)
    shows(page, *everyone, *XSS, f"/s/{world.slug}")
    audit(page)
    page.get_by_role("tab", name="History").click()
    shows(page, XSS[0], world.names[0])
    page.get_by_role("tab", name="Activity").click()
    page.get_by_role("button", name="earlier event").click()
    activity = page.get_by_role("region", name="Activity")
    expect(activity).to_contain_text(f"{world.names[5]} joined as reviewer.")
    shows(page, *world.labels, *world.version_names, *world.organisations[::3])
    page.get_by_role("tab", name="About").click()
    expect(page.locator(".context")).to_have_text(CORPUS)
    audit(page)

    # Another member sees what was typed live, with their own hostile name above it.
    mallory = watched_page(accord_ui, watch, world.mallory.client.cookies)
    mallory.goto(f"/statements/{sid}")
    expect(mallory.get_by_label("Statement text")).to_have_value(
        f"{CORPUS}\n\n" + "\n\n".join(XSS_BLOCKS) + TYPED
    )
    shows(mallory, world.names[0], world.accounts[0], where="header")
    audit(mallory)
    mallory.goto("/account")
    expect(mallory.locator("#account-email")).to_have_text("<svg/onload=alert(1)>@evil.example")
    expect(mallory.get_by_label("Name", exact=True)).to_have_value(world.names[0])
    shows(mallory, *(entry[:100] for entry in XSS))
    audit(mallory)

    # The accounts page, where a site administrator sees every name, address and organisation.
    page.goto("/users")
    expect(page.get_by_role("row").filter(has_text="@evil.example")).to_have_count(1)
    shows(page, *everyone, *world.accounts, "<svg/onload=alert(1)>@evil.example")
    audit(page)

    page.goto(f"/statements/{sid}/settings")
    expect(page.get_by_label("Title")).to_have_value(world.title)
    expect(page.get_by_label("Context")).to_have_value(CORPUS)
    expect(page.locator("#invitations tbody tr")).to_have_count(N + 1)
    shows(page, world.title, *everyone, *world.labels, XSS[20])
    for organisation in world.organisations:
        expect(page.get_by_text(organisation, exact=True).first).to_be_attached()
    audit(page)

    page.goto(f"/statements/{sid}/history")
    expect(page.get_by_role("region", name="Text at this revision")).to_contain_text(XSS[5])
    shows(page, world.title, XSS[0], world.names[0])
    audit(page)

    page.goto(f"/statements/{sid}/compare?from=1&to=2")
    changes = page.get_by_role("region", name="Changes")
    expect(changes).to_contain_text(XSS_BLOCKS[3].split("\n")[1])
    expect(page.locator("#compare-from option")).to_have_count(3)
    shows(page, *world.version_names, XSS[12], world.title)
    audit(page)
    page.get_by_role("button", name="Side by side").click()
    expect(page.locator(".side-by-side")).to_be_visible()
    audit(page)

    page.goto(f"/statements/{sid}/versions/1")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Version 1: {world.version_names[0]}"
    )
    expect(page.get_by_label("Text of version 1")).to_have_value(CORPUS)
    expect(page.locator(".lead")).to_have_text(CORPUS)
    expect(page.locator(".thread")).to_have_count(1)
    shows(page, world.names[2], world.title)
    audit(page)

    # Anyone: the public pages, and the invitation, joined through its form.
    visitor = watched_page(accord_ui, watch)
    for address in (f"/s/{world.slug}", f"/s/{world.slug}/v/1"):
        visitor.goto(address)
        assert visitor.title() == world.title
        expect(visitor.locator(".statement-text")).to_contain_text("{{constructor.constructor")
        shows(visitor, *world.names, *world.organisations[1::3], XSS[0], XSS[1])
        audit(visitor)
    visitor.goto(f"/invite/{world.invitation}")
    expect(visitor.locator("#invitation-title")).to_have_text(world.title)
    expect(visitor.locator("#invitation-by")).to_contain_text(XSS[0])
    audit(visitor)
    visitor.get_by_label("Your name").fill(XSS[21])
    visitor.get_by_label("Organisation").fill(XSS[22])
    visitor.get_by_label("Email").fill(f"v{uuid.uuid4().hex}@example.org")
    visitor.get_by_label("Password").fill("a long enough password")
    visitor.get_by_role("button", name="Join").click()
    visitor.wait_for_url(f"**/statements/{sid}")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(world.title)
    shows(visitor, XSS[21], XSS[22], where="header")
    visitor.get_by_role("tab", name="People").click()
    shows(visitor, XSS[21], XSS[22])
    audit(visitor)

    watch.assert_quiet(accord_ui)


def test_preview_of_crafted_markdown_never_hangs_the_editor(accord_ui: AccordUI) -> None:
    watch = Watch()
    person = accord_ui.person("Fatima Facilitator")
    fatima = Api(accord_ui.server)
    fatima("POST", "/api/session", {"email": person.email, "password": person.password})
    sid = fatima("POST", "/api/statements", {"title": "Crafted", "text": "Plain words."})["id"]
    page = watched_page(accord_ui, watch, fatima.client.cookies)
    page.goto(f"/statements/{sid}")
    expect(page.get_by_role("status")).to_have_text("Saved")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview).to_have_text("Plain words.")
    for shape, make in sorted(PATHOLOGICAL.items()):
        text = make(PREVIEW_SIZE) + f"\n\nEnd of {shape}."
        rev = fatima("GET", f"/api/statements/{sid}/text")["rev"]
        fatima("POST", f"/api/statements/{sid}/text", {"base_rev": rev, "text": text})
        # The live change arrives and the preview is drawn again from it, and the page still
        # answers afterwards: a script stuck in the parser would do neither, and the wait
        # would give up at its timeout rather than hang.
        page.wait_for_function(
            "end => document.querySelector('.preview').textContent.endsWith(end)",
            arg=f"End of {shape}.",
        )
        page.wait_for_function("() => true")
    page.get_by_role("button", name="Back to writing").click()
    expect(page.get_by_label("Statement text")).to_have_value(text)
    watch.assert_quiet(accord_ui)
