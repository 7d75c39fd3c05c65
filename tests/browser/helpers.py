"""People, pages and API shortcuts for the browser tests, so each test states only its story."""

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"


@dataclass(frozen=True)
class LiveServer:
    """An Accord server running in its own process, on its own data folder."""

    url: str
    data_dir: Path
    settings: dict[str, str] = field(default_factory=dict)  # more ACCORD_ variables

    def env(self) -> dict[str, str]:
        # Drop the developer's own ACCORD_ settings so that nothing leaks into the run.
        clean = {key: value for key, value in os.environ.items() if not key.startswith("ACCORD_")}
        return {
            **clean,
            "ACCORD_DATA_DIR": str(self.data_dir),
            "ACCORD_LOG_LEVEL": "warning",
            **self.settings,
        }


@dataclass(frozen=True)
class Person:
    name: str
    organisation: str
    email: str
    password: str = PASSWORD


def create_account(server: LiveServer, name: str, organisation: str = "") -> Person:
    """Create an account the way an operator does: the CLI, with the password on stdin."""
    person = Person(name, organisation, f"person-{uuid.uuid4().hex[:10]}@example.org")
    command = ["user", "create", "--email", person.email, "--name", name]
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *command, "--organisation", organisation],
        input=f"{person.password}\n",
        text=True,
        capture_output=True,
        cwd=ROOT,
        env=server.env(),
        timeout=60,
    )
    assert done.returncode == 0, f"accord user create failed: {done.stderr}"
    return person


def make_administrator(server: LiveServer, person: Person) -> None:
    """Make `person` a site administrator, as an operator does: `accord user admin`."""
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "user", "admin", "--email", person.email],
        text=True,
        capture_output=True,
        cwd=ROOT,
        env=server.env(),
        timeout=60,
    )
    assert done.returncode == 0, f"accord user admin failed: {done.stderr}"


def console_errors(page: Page) -> list[str]:
    """Collect what `page` logs as errors from now on, failed requests (a 401, a 404) included."""
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    return errors


@dataclass
class AccordUI:
    """Opens browser contexts (one per person) against the live server and cleans up."""

    browser: Browser
    server: LiveServer
    contexts: list[BrowserContext] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def person(self, name: str, organisation: str = "") -> Person:
        return create_account(self.server, name, organisation)

    def new_page(self) -> Page:
        """A page in a fresh context: its own cookies, as another person's browser would be."""
        context = self.browser.new_context(
            base_url=self.server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        return page

    def signed_in(self, person: Person) -> Page:
        """A fresh page whose browser is signed in as `person` (through the API, for speed)."""
        page = self.new_page()
        self.api(page, "POST", "/api/session", {"email": person.email, "password": person.password})
        return page

    def api(self, page: Page, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the API with the page's cookies and an Origin header, as its own fetch does."""
        response = page.request.fetch(
            path, method=method, data=body, headers={"Origin": self.server.url}
        )
        assert response.ok, f"{method} {path} answered {response.status}: {response.text()}"
        return response.json() if response.status != 204 else None

    def create_statement(self, page: Page, title: str, text: str = "") -> int:
        statement = self.api(page, "POST", "/api/statements", {"title": title, "text": text})
        return int(statement["id"])

    def invite(self, facilitator_page: Page, statement_id: int, role: str) -> Any:
        """A one-use invitation link in `role`: the API's answer, with `token` and `url`."""
        return self.api(
            facilitator_page, "POST", f"/api/statements/{statement_id}/invitations", {"role": role}
        )

    def add_member(
        self, facilitator_page: Page, statement_id: int, person: Person, role: str
    ) -> Page:
        """Invite `person` in `role` and have them accept; return their signed-in page."""
        invitation = self.invite(facilitator_page, statement_id, role)
        page = self.signed_in(person)
        self.api(page, "POST", f"/api/invitations/{invitation['token']}/accept", {})
        return page

    def settings_with_delegate(self, title: str) -> tuple[Page, int]:
        """Fatima facilitates a new statement with Dmitri as editor; her page shows its settings.

        Returns her page and the statement's id."""
        facilitator = self.person("Fatima Facilitator", "Wikimedia Norway")
        delegate = self.person("Dmitri Delegate", "Wikimedia Ukraine")
        page = self.signed_in(facilitator)
        statement_id = self.create_statement(page, title)
        self.add_member(page, statement_id, delegate, "editor")
        page.goto(f"/statements/{statement_id}/settings")
        return page, statement_id

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def open_statement(page: Page, statement_id: int) -> None:
    """Open a statement's editor and wait until its text is in and saved."""
    page.goto(f"/statements/{statement_id}")
    expect(page.locator(".sync-status")).to_have_text("Saved")


def select_words(page: Page, words: str) -> None:
    """Select the first occurrence of `words` in the statement's text area."""
    page.get_by_label("Statement text").evaluate(
        """(area, words) => {
            const at = area.value.indexOf(words);
            area.focus();
            area.setSelectionRange(at, at + words.length);
        }""",
        words,
    )


def comment_on(page: Page, words: str, body: str) -> None:
    """Start a comment thread on `words` with `body`."""
    select_words(page, words)
    page.get_by_role("button", name="Comment on the selected text").click()
    page.get_by_label("Your comment").fill(body)
    page.get_by_role("button", name="Comment", exact=True).click()
