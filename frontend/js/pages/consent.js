// A round's consent map, full width for a projector: who stands where on each section, by
// organisation, and where each section stands in words. While the round is open it follows
// the statement's live events and reads the map again, one reading at a time.

import { api } from "../api.js";
import { followStatement } from "../collab/follow.js";
import { startPage, statementIdFromPath } from "../layout.js";
import { byId, coalesced, el, fill, reportFailure, setTitle, showPageError } from "../ui.js";
import { CARRIED, ConsentGrid, MARKS } from "./consent-grid.js";
import { RULE_NAMES } from "./statement-review.js";

const LIVE_TEXT = {
  connecting: "Connecting…",
  connected: "Live: stances appear as they are recorded",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  closed: "Not following live changes; reload the page",
};
const SECTION_EVENTS = new Set(["section.locked", "section.unlocked"]);

function legend() {
  const chip = (kind) => el("span", { class: `consent-chip stance-${kind}` },
    el("span", { class: "consent-symbol", "aria-hidden": "true", text: MARKS[kind][0] }), ` ${MARKS[kind][1]}`);
  return el("section", { class: "consent-legend", "aria-labelledby": "consent-legend-heading" },
    el("h2", { id: "consent-legend-heading", text: "Legend" }),
    el("ul", {},
      Object.keys(MARKS).map((kind) => el("li", {}, chip(kind))),
      el("li", {}, el("span", { class: "consent-chip consent-chip-framed", text: "Framed" }),
        " has a reason or a note: point at it, tab to it or tap it"),
      el("li", {}, el("span", { class: "consent-chip", "aria-hidden": "true", text: CARRIED }),
        " carried over from an earlier version, where the section read the same"),
      el("li", {}, el("span", { class: "consent-mark consent-agreed", text: "✓ Agreed" }), " the rule holds for the section"),
      el("li", {}, el("span", { class: "consent-mark consent-locked", text: "Locked" }), " no edit may change the section")));
}

function tally(consent) {
  return el("ul", { class: "consent-tally" }, consent.data.map((section) => el("li", {
    class: section.agreed ? "consent-tally-agreed" : null,
  },
  section.agreed ? el("span", { class: "consent-mark consent-agreed", text: "✓ Agreed" }) : null,
  section.locked ? el("span", { class: "consent-mark consent-locked", text: "Locked" }) : null,
  section.agreed || section.locked ? " " : null,
  section.summary)));
}

function stateLine(consent) {
  const rule = RULE_NAMES[consent.rule] ?? consent.rule;
  return consent.closed
    ? `Rule: ${rule}. The round is closed: the map shows it as it ended.`
    : `Rule: ${rule}. The round is open.`;
}

/** Follow the statement's live events; `changed()` whenever the map may have changed. */
function follow(statementId, roundId, changed, status) {
  followStatement(statementId, {
    frame: (frame) => {
      // After a (re)connection something may have been missed: read the map again.
      if (frame.type === "hello") changed();
      if (frame.type === "event" && (frame.round === roundId || SECTION_EVENTS.has(frame.name))) changed();
    },
    status,
  });
}


function toolbar(page) {
  const large = el("button", { type: "button", class: "button button-secondary", "aria-pressed": "false", text: "Large type" });
  large.addEventListener("click", () => {
    const on = large.getAttribute("aria-pressed") !== "true";
    large.setAttribute("aria-pressed", String(on));
    page.classList.toggle("consent-large", on);
  });
  if (!document.fullscreenEnabled) return el("div", { class: "actions consent-actions" }, large);
  const full = el("button", { type: "button", class: "button button-secondary", text: "Full screen",
    onClick: () => (document.fullscreenElement ? document.exitFullscreen() : page.requestFullscreen()).catch(reportFailure) });
  document.addEventListener("fullscreenchange", () => {
    full.textContent = document.fullscreenElement ? "Leave full screen" : "Full screen";
  });
  return el("div", { class: "actions consent-actions" }, large, full);
}

async function main() {
  await startPage();
  const content = byId("content");
  const statementId = statementIdFromPath();
  const roundId = Number(window.location.pathname.split("/").at(-2));
  const base = `/statements/${statementId}`;
  const address = `${base}/rounds/${roundId}/consent`;
  let statement, consent;
  try {
    [statement, consent] = await Promise.all([api(base), api(address)]);
  } catch (error) {
    showPageError(content, error);
    return;
  }
  setTitle(`Consent map of version ${consent.version} · ${statement.title}`);
  const grid = new ConsentGrid();
  const state = el("p", { class: "consent-state" });
  const live = el("p", { class: "consent-live", role: "status" });
  const words = el("div");
  const show = () => {
    state.textContent = stateLine(consent);
    grid.render(consent);
    fill(words, tally(consent));
  };
  fill(content,
    el("p", { class: "breadcrumb" },
      el("a", { href: base, text: statement.title }), " › ",
      el("a", { href: `${base}/rounds/${roundId}`, text: `Review of version ${consent.version}` })),
    el("div", { class: "consent-top" },
      el("h1", {}, "Consent map: ", el("a", { href: `${base}/versions/${consent.version}`, text: `version ${consent.version}` })),
      toolbar(byId("main"))),
    state,
    live,
    legend(),
    grid.node,
    el("section", { "aria-labelledby": "consent-words-heading" },
      el("h2", { id: "consent-words-heading", text: "Each section in words" }),
      words));
  show();
  if (consent.closed) return; // a closed round's map never changes again

  const changed = coalesced(async () => {
    consent = await api(address);
    show();
  });
  follow(statementId, roundId, changed, (name) => { live.textContent = LIVE_TEXT[name] ?? ""; });
}

main().catch(reportFailure);
