// A review round's full record on a page of its own, large enough to read on a projector across
// a room: who stands where, by organisation, with their reasons and the passages they point
// at. While the round is open it follows the live events; once closed it stays, as it ended.

import { api } from "../api.js";
import { followStatement } from "../collab/follow.js";
import { startPage, statementIdFromPath } from "../layout.js";
import { byId, el, fill, formatDateTime, formatDay, reportFailure, setTitle, showPageError } from "../ui.js";
import { RULE_NAMES, STANCES, quoteOf, waitingFor } from "./statement-review.js";

const COLUMNS = [...Object.keys(STANCES), null]; // null: has not responded yet
const NO_ORGANISATION = "No organisation";
const LIVE_TEXT = {
  connecting: "Connecting…",
  connected: "Live: stances appear as they are recorded",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  closed: "Not following live changes; reload the page",
};

function columnName(kind) {
  return kind ? STANCES[kind] : "Not yet";
}

/** Organisations × stances: each cell names the people of that organisation who stand there. */
function grid(review) {
  const organisations = new Map();
  for (const person of review.participants) {
    const name = person.organisation || NO_ORGANISATION;
    if (!organisations.has(name)) organisations.set(name, []);
    organisations.get(name).push(person);
  }
  return el("table", { class: "round-grid" },
    el("caption", { text: "Who stands where, by organisation" }),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", text: "Organisation" }),
      COLUMNS.map((kind) => el("th", { scope: "col", class: `round-column-${kind ?? "none"}`, text: columnName(kind) })))),
    el("tbody", {}, [...organisations].map(([name, people]) => el("tr", {},
      el("th", { scope: "row", text: name }),
      COLUMNS.map((kind) => {
        const here = people.filter((person) => person.stance === kind);
        return el("td", { class: here.length ? `round-cell stance-${kind ?? "none"}` : "round-cell", "data-stance": kind ?? "none" },
          here.length ? el("ul", {}, here.map((person) => el("li", { text: person.name }))) : null);
      })))));
}

function stanceCard(stance, versionText) {
  return el("li", { class: "round-stance" },
    el("p", { class: "round-stance-who" },
      el("strong", { text: stance.name }),
      stance.organisation ? ` (${stance.organisation})` : "",
      " ",
      el("span", { class: `badge stance-${stance.kind}`, text: STANCES[stance.kind] })),
    stance.start !== null && versionText !== null
      ? el("blockquote", { class: "round-passage", "aria-label": "About this passage", text: quoteOf(versionText, stance.start, stance.end) })
      : null,
    stance.reason ? el("p", { class: "round-reason", text: stance.reason }) : null);
}

function verdict(review, statementId) {
  if (review.closed_at === null) {
    return el("div", {},
      el("p", { class: "round-state round-state-open", text: `Open since ${formatDateTime(review.opened_at)}, opened by ${review.opened_by}` }),
      review.closes_on ? el("p", { text: `Closes on ${formatDay(review.closes_on)}` }) : null,
      waitingFor(review, statementId));
  }
  const outcome = review.approved ? `Version ${review.version} was approved` : `Version ${review.version} was not approved`;
  return el("p", { class: `round-state ${review.approved ? "round-state-approved" : "round-state-closed"}` },
    `Closed on ${formatDateTime(review.closed_at)}: ${outcome}`, review.published ? ", and is published." : ".");
}

function record(review, versionText, statementId) {
  const tally = review.tally;
  const whole = review.stances.filter((s) => !s.section); // stances on the version, not a section
  const current = whole.filter((s) => !s.superseded_at);
  const explained = current.filter((s) => s.reason || s.start !== null);
  const earlier = whole.filter((s) => s.superseded_at);
  return [
    verdict(review, statementId),
    el("div", { class: `round-tally ${tally.holds ? "round-tally-holds" : ""}`, role: "status" },
      el("p", {}, el("strong", { text: `${RULE_NAMES[tally.rule] ?? tally.rule}: ` }), tally.summary),
      review.closed_at === null
        ? el("p", { text: tally.holds ? `The rule holds${review.open_suggestions ? ", once no suggestion is open" : ""}.` : `Still missing: ${tally.missing.join("; ")}.` })
        : null),
    grid(review),
    el("section", { "aria-labelledby": "reasons-heading" },
      el("h2", { id: "reasons-heading", text: "Reasons and passages" }),
      explained.length
        ? el("ul", { class: "round-stances" }, explained.map((s) => stanceCard(s, versionText)))
        : el("p", { class: "muted", text: "Nobody has given a reason or pointed at a passage." })),
    earlier.length
      ? el("section", { "aria-labelledby": "earlier-heading" },
        el("h2", { id: "earlier-heading", text: "Stances changed during the round" }),
        el("ul", { class: "round-stances round-earlier" }, earlier.map((s) => el("li", { class: "round-stance" },
          el("p", {}, el("strong", { text: s.name }), ` was ${STANCES[s.kind]} from ${formatDateTime(s.recorded_at)} to ${formatDateTime(s.superseded_at)}`),
          s.reason ? el("p", { class: "round-reason", text: s.reason }) : null))))
      : null,
  ];
}

/** Follow the statement's live events; `changed()` whenever this round may have changed. */
function follow(statementId, roundId, changed, status, waits) {
  followStatement(statementId, {
    frame: (frame) => {
      // After a (re)connection something may have been missed: read the round again.
      if (frame.type === "hello") changed();
      if (frame.type === "event" && (frame.round === roundId || frame.name === "statement.published")) changed();
      // A round that waits for suggestions counts the open ones on its version.
      if (frame.type === "event" && frame.name.startsWith("suggestion.") && waits()) changed();
    },
    status,
  });
}

async function main() {
  await startPage();
  const content = byId("content");
  const statementId = statementIdFromPath();
  const roundId = Number(window.location.pathname.split("/").pop());
  const base = `/statements/${statementId}`;
  let statement, review, version;
  try {
    [statement, review] = await Promise.all([api(base), api(`${base}/rounds/${roundId}`)]);
    version = await api(`${base}/versions/${review.version}`);
  } catch (error) {
    showPageError(content, error);
    return;
  }
  setTitle(`Review of version ${review.version} · ${statement.title}`);
  const body = el("div", { class: "round-record" });
  const live = el("p", { class: "round-live", role: "status" });
  fill(content,
    el("p", { class: "breadcrumb" }, el("a", { href: base, text: statement.title })),
    el("h1", {}, `Review of version ${review.version}: `, el("a", { href: `${base}/versions/${review.version}`, text: version.name })),
    el("p", { class: "round-links" }, el("a", { href: `${base}/rounds/${roundId}/consent`, text: "Consent map" }),
      ": who stands where on each section"),
    live,
    body);
  fill(body, record(review, version.text, statementId));
  if (review.closed_at !== null) return; // a closed round's record never changes again

  let reading = Promise.resolve();
  const reread = () => {
    reading = reading.then(async () => {
      review = await api(`${base}/rounds/${roundId}`);
      fill(body, record(review, version.text, statementId));
    }).catch(reportFailure);
  };
  follow(statementId, roundId, reread, (name) => { live.textContent = LIVE_TEXT[name] ?? ""; },
    () => review.suggestions_settled && review.closed_at === null);
}

main().catch(reportFailure);
