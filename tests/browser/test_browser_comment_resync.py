"""After a change the server refuses, the page starts again from the server's text; the comment
passages start again with it, so the shading keeps to the commented words."""

import json
import re

import pytest
from playwright.sync_api import WebSocketRoute, expect

from .helpers import AccordUI

pytestmark = pytest.mark.browser

TEXT = "We value free knowledge. Partners need support."
PASSAGE_MARKS = (
    "[...document.querySelectorAll('.comment-passage')].map(n => n.textContent).join('')"
)
# A NUL character typed at the start: the server refuses such a change.
TYPE_NUL = """area => {
    area.focus();
    area.setRangeText("\\0", 0, 0, "end");
    area.dispatchEvent(new InputEvent("input", { inputType: "insertText", data: "\\0" }));
}"""


def test_shading_follows_the_text_after_a_refused_change(accord_ui: AccordUI) -> None:
    fatima = accord_ui.person("Fatima Facilitator", "Wikimedia Norway")
    page = accord_ui.signed_in(fatima)
    statement_id = accord_ui.create_statement(page, "Statement", TEXT)
    text_path = f"/api/statements/{statement_id}/text"
    rev = accord_ui.api(page, "GET", text_path)["rev"]
    at = TEXT.index("free knowledge")
    thread = {"start": at, "end": at + 14, "rev": rev, "body": "Whose knowledge?"}
    accord_ui.api(page, "POST", f"/api/statements/{statement_id}/threads", thread)

    # The page's first connection loses the changes the server sends once `losing` is set, as
    # frames in flight are lost when a connection is dropped; the next connection loses none.
    losing = False
    connections: list[WebSocketRoute] = []

    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        first = not connections
        connections.append(socket)

        def to_page(message: str | bytes) -> None:
            is_change = isinstance(message, str) and json.loads(message).get("type") == "op"
            if not (first and losing and is_change):
                socket.send(message)

        server.on_message(to_page)

    page.route_web_socket(re.compile(r"/ws/statements/"), route)
    page.goto(f"/statements/{statement_id}")
    expect(page.locator(".sync-status")).to_have_text("Saved")
    page.wait_for_function(f"() => {PASSAGE_MARKS} === 'free knowledge'")

    losing = True
    accord_ui.api(page, "POST", text_path, {"base_rev": rev, "text": "Open. " + TEXT})
    page.get_by_label("Statement text").evaluate(TYPE_NUL)
    expect(page.get_by_text("Your last change could not be saved")).to_be_visible()
    expect(page.get_by_label("Statement text")).to_have_value("Open. " + TEXT)
    expect(page.locator(".sync-status")).to_have_text("Saved")
    page.wait_for_function(f"() => {PASSAGE_MARKS} === 'free knowledge'")

    # And it goes on following the changes that come after.
    accord_ui.api(page, "POST", text_path, {"base_rev": rev + 1, "text": "Now. Open. " + TEXT})
    expect(page.get_by_label("Statement text")).to_have_value("Now. Open. " + TEXT)
    page.wait_for_function(f"() => {PASSAGE_MARKS} === 'free knowledge'")
    assert len(connections) == 2
