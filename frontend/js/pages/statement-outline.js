// The outline beside the draft: its sections, each with its state at a glance and a click
// away, and for facilitators a Lock / Unlock button on each. The sections locked are drawn
// in the editor and kept from edits there; the list is taken again when a live event may have
// changed a state, and a second after the text stops changing (the server names sections).

import { api } from "../api.js";
import { guardLocks } from "../collab/lock-guard.js";
import { drawLocks } from "../collab/lock-marks.js";
import { SectionPlaces } from "../collab/section-places.js";
import { el, fill, notify, reportFailure } from "../ui.js";
import { coalesced } from "./statement-suggestions.js";

// A word and a mark for each state, so that none is told by colour alone.
export const SECTION_STATES = {
  drafting: { label: "Drafting", mark: "✎" },
  in_review: { label: "In review", mark: "◔" },
  agreed: { label: "Agreed", mark: "✓" },
  locked: { label: "Locked", mark: "■" },
  contested: { label: "Contested", mark: "!" },
};
const AFTER_CHANGES_MS = 1000;
const BESIDE = "(min-width: 76.01rem)"; // as wide as the outline stands beside the text (sections.css)
const NEWS = /^(section\.(locked|unlocked)|stance\.recorded|round\.(opened|closed)|version\.(saved|restored))$/;
export const LOCKED_MESSAGE = "This section is agreed and locked; suggest a change instead.";

/** Tell the person why an edit was held back, once while the message is on show. */
function tellLocked() {
  const shown = [...document.querySelectorAll("#notices .notice p")].some((p) => p.textContent === LOCKED_MESSAGE);
  if (!shown) notify(LOCKED_MESSAGE);
}

function stateOf(section) {
  const state = SECTION_STATES[section.state] ?? { label: section.state, mark: "?" };
  return el("span", { class: "section-state", "data-state": section.state },
    el("span", { class: "section-state-mark", "aria-hidden": "true", text: state.mark }), state.label);
}

/**
 * The outline for one live session. `surface` holds the text area (the locks are drawn in a
 * layer of their own there). Returns its `node`, and `event(frame)`, `draw()` (after the text
 * shown changed) and `start()` for the page to call.
 */
export function sectionOutline({ statementId, session, surface }) {
  const places = new SectionPlaces();
  const layer = el("div", { class: "lock-layer", "aria-hidden": "true" });
  surface.prepend(layer);
  const list = el("ol", { class: "outline-list" });
  const empty = el("p", { class: "muted outline-empty", text: "No sections yet: a line that starts with # begins one." });
  // Open beside the text where there is room; folded above it on a narrow screen.
  const summary = el("summary", { class: "outline-heading", text: "Sections" });
  const node = el("nav", { class: "outline", "aria-label": "Sections" },
    el("details", { open: matchMedia(BESIDE).matches }, summary, empty, list));
  let listed = []; // the sections as last listed
  let drawnAs = "";

  // Read in the background: a sign-in that ended is the page's to tell (it keeps the text on
  // show), so these never send the browser to the sign-in page.
  const refresh = coalesced(async () => {
    const listing = await api(`/statements/${statementId}/sections`, { signIn: false });
    const client = session.client;
    const text = client?.synchronized && client.rev === listing.rev
      ? session.editor.value
      : (await api(`/statements/${statementId}/text?rev=${listing.rev}`, { signIn: false })).text;
    places.take(listing.data, text, session.editor.value);
    listed = listing.data;
    drawList();
    draw();
  });
  const later = () => refresh().catch((problem) => { if (problem?.status !== 401) reportFailure(problem); });
  let timer = null;
  session.trackers.add((op) => {
    places.move(op, session.editor.value);
    clearTimeout(timer);
    timer = setTimeout(later, AFTER_CHANGES_MS);
  });
  session.followers.add({ begin() {}, sequenced() {}, restart: (rev, text) => { places.relocate(text); later(); } });
  guardLocks(session, places, tellLocked);

  function draw() {
    drawLocks(layer, session.editor.value, places.locked(), places.sections);
  }

  /** Put the caret where section `key` starts and bring it into view. */
  function go(key) {
    const start = places.startOf(key);
    if (start === null) return;
    session.editor.textarea.focus({ preventScroll: true });
    session.editor.setSelection(start, start);
    layer.querySelector(`.section-mark[data-section="${CSS.escape(key)}"]`)?.scrollIntoView({ block: "center" });
  }

  async function toggle(section, button) {
    const action = section.locked ? "unlock" : "lock";
    button.disabled = true;
    try {
      await api(`/statements/${statementId}/sections/${encodeURIComponent(section.id)}/${action}`, { method: "POST" });
      notify(`${section.locked ? "Unlocked" : "Locked"} “${nameOf(section)}”.`);
      await refresh();
    } catch (failure) {
      notify(failure.detail ?? failure.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  function item(section, canLock) {
    const name = nameOf(section);
    const jump = el("button", { type: "button", class: "outline-go", "data-focus": `${section.id} go`, text: name });
    jump.addEventListener("click", () => go(section.id));
    const lock = canLock
      ? el("button", {
        type: "button",
        class: "button button-small button-secondary outline-lock",
        "data-focus": `${section.id} lock`,
        "aria-label": `${section.locked ? "Unlock" : "Lock"} ${name}`,
        text: section.locked ? "Unlock" : "Lock",
      })
      : null;
    lock?.addEventListener("click", () => toggle(section, lock));
    const entry = el("li", { class: "outline-item", "data-level": String(section.level) },
      jump,
      el("span", { class: "outline-facts" }, stateOf(section),
        section.locked && section.locked_by ? el("span", { class: "outline-by", text: `by ${section.locked_by}` }) : null,
        lock));
    entry.style.setProperty("--level", String(Math.max(0, section.level - 1)));
    return entry;
  }

  /** The list anew when what it shows changed, focus kept on the button it was on. */
  function drawList() {
    const canLock = session.role === "facilitator";
    const shape = JSON.stringify([canLock, listed.map((s) => [s.id, s.heading, s.level, s.state, s.locked, s.locked_by])]);
    if (shape === drawnAs) return;
    drawnAs = shape;
    const focused = list.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
    fill(list, listed.map((section) => item(section, canLock)));
    empty.hidden = listed.length > 0;
    summary.textContent = `Sections (${listed.length})`;
    if (focused) [...list.querySelectorAll("[data-focus]")].find((one) => one.dataset.focus === focused)?.focus();
  }

  return {
    node,
    event: (frame) => {
      if (NEWS.test(frame.name)) later();
      if (frame.name === "member.role_changed") drawList();
    },
    draw,
    start: refresh,
  };
}

function nameOf(section) {
  return section.level === 0 ? "Preamble" : section.heading || "Untitled section";
}
