// The facilitator's cockpit: who has not responded in the open round, by organisation, with a
// button that reminds them; the blocks and requests for changes with their reasons; the
// unresolved threads of each section; the open suggestions; and what closes when. It follows
// the statement's live events and reads the cockpit again, one reading at a time.

import { api } from "../api.js";
import { followStatement } from "../collab/follow.js";
import { startPage, statementIdFromPath } from "../layout.js";
import { byId, coalesced, el, fill, formatDateTime, formatDay, formatRelative, reportFailure, setTitle, showPageError } from "../ui.js";
import { STANCES } from "./statement-review.js";

const NO_ORGANISATION = "No organisation";
const LIVE_TEXT = {
  connecting: "Connecting…",
  connected: "Live: changes appear as they happen",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  closed: "Not following live changes; reload the page",
};

function section(id, title, ...children) {
  return el("section", { class: "panel cockpit-part", "aria-labelledby": id },
    el("h2", { id, text: title }), ...children);
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

/** "Ada (Wikimedia UK), Ben and Omar". */
function names(people) {
  const each = people.map((p) => (p.organisation ? `${p.name} (${p.organisation})` : p.name));
  return each.length > 1 ? `${each.slice(0, -1).join(", ")} and ${each.at(-1)}` : each.join("");
}

function roundPart(cockpit, base) {
  const review = cockpit.round;
  if (!review) return section("cockpit-round-heading", "Review round", el("p", { class: "muted", text: "No review round is open." }));
  return section("cockpit-round-heading", "Review round",
    el("p", {}, "Reviewing ", el("a", { href: `${base}/versions/${review.version}`, text: `version ${review.version}` }),
      `, open since ${formatDateTime(review.opened_at)}.`),
    el("p", { class: "cockpit-left" }, review.closes_on
      ? `Closes on ${formatDay(review.closes_on)}: ${review.left.words} left.`
      : "No closing date is set: it stays open until a facilitator closes it."),
    el("p", {}, el("a", { class: "link-standalone", href: `${base}/rounds/${review.id}`, text: "The round's full record" })),
    el("p", {}, el("a", { class: "link-standalone", href: `${base}/rounds/${review.id}/consent`, text: "The consent map, section by section" })));
}

function reminded(answer) {
  const said = [];
  if (answer.reminded.length) said.push(`Reminded ${names(answer.reminded)}.`);
  if (answer.already.length) said.push(`Already reminded today: ${names(answer.already)}.`);
  return said.length ? said.join(" ") : "Nobody to remind: everyone else has responded.";
}

/** The Remind button and what it last did, kept across live refreshes (and its focus with it). */
function remindForm(base, roundId, refresh) {
  const button = el("button", { type: "button", class: "button button-small", text: "Remind everyone who has not responded" });
  const result = el("p", { class: "cockpit-reminded", role: "status" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      result.textContent = reminded(await api(`${base}/rounds/${roundId}/remind`, { method: "POST" }));
      await refresh();
    } catch (error) {
      result.textContent = error.detail ?? error.message;
    } finally {
      button.disabled = false;
    }
  });
  return el("div", { class: "cockpit-remind" }, button,
    el("p", { class: "hint", text: "An email to each, at most once a day; you are not reminded yourself." }), result);
}

function waitingPart(cockpit, remind) {
  const waiting = cockpit.waiting;
  if (!waiting) return null;
  const heading = "Not responded yet";
  if (!waiting.count) return section("cockpit-waiting-heading", heading, el("p", { text: `Everyone with a say has responded (${waiting.of}).` }));
  return section("cockpit-waiting-heading", heading,
    el("p", { text: `${waiting.count} of ${waiting.of} people with a say have not responded on the whole version.` }),
    el("ul", { class: "cockpit-organisations" }, waiting.organisations.map((group) => el("li", {},
      el("h3", { text: group.organisation || NO_ORGANISATION }),
      el("ul", { class: "cockpit-people" }, group.people.map((person) => el("li", {},
        el("strong", { text: person.name }), " ",
        el("a", { href: `mailto:${person.email}`, text: person.email }),
        el("span", { class: "muted", text: person.last_reminded_at ? ` · reminded ${formatRelative(person.last_reminded_at)}` : " · not reminded yet" }))))))),
    remind);
}

function concernsPart(cockpit) {
  if (!cockpit.round) return null;
  const heading = "Blocks and requests for changes";
  if (!cockpit.concerns.length) return section("cockpit-concerns-heading", heading, el("p", { class: "muted", text: "Nobody blocks or requests changes." }));
  return section("cockpit-concerns-heading", heading,
    el("ul", { class: "cockpit-concerns" }, cockpit.concerns.map((concern) => el("li", { class: `cockpit-concern cockpit-${concern.kind}` },
      el("p", {},
        el("strong", { text: concern.name }), concern.organisation ? ` (${concern.organisation})` : "", " ",
        el("span", { class: `badge stance-${concern.kind}`, text: STANCES[concern.kind] }), " ",
        concern.section === null ? "the whole version" : `the section ${concern.heading || "Preamble"}`),
      concern.quote ? el("blockquote", { class: "stance-passage", "aria-label": "About this passage", text: concern.quote }) : null,
      el("p", { class: "cockpit-reason", text: concern.reason })))));
}

function threadsPart(cockpit, base) {
  const heading = "Unresolved threads";
  if (!cockpit.unresolved) return section("cockpit-threads-heading", heading, el("p", { class: "muted", text: "No thread is unresolved." }));
  return section("cockpit-threads-heading", heading,
    el("p", { text: `${plural(cockpit.unresolved, "thread is", "threads are")} unresolved.` }),
    el("ul", { class: "cockpit-sections" }, cockpit.threads.map((group) => el("li", { class: group.count ? null : "muted" },
      el("h3", {}, group.section === null ? "Passages now gone" : group.heading || "Preamble",
        el("span", { class: "cockpit-count", text: ` ${group.count}` })),
      group.count
        ? el("ul", { class: "cockpit-threads" }, group.threads.map((thread) => el("li", {},
          el("blockquote", { class: "stance-passage", text: thread.quote }),
          el("p", { class: "muted" }, `Started by ${thread.started_by}, ${plural(thread.comments, "comment", "comments")}, the latest ${formatRelative(thread.last_at)} · `,
            el("a", { href: `${base}#thread-${thread.id}`, text: "Open the thread" })))))
        : null))));
}

function suggestionsPart(cockpit, base) {
  const heading = "Open suggestions";
  if (!cockpit.suggestions.length) return section("cockpit-suggestions-heading", heading, el("p", { class: "muted", text: "No suggestion is open." }));
  return section("cockpit-suggestions-heading", heading,
    el("ul", { class: "cockpit-suggestions" }, cockpit.suggestions.map((s) => el("li", {},
      el("p", {},
        el("strong", { text: s.author }), s.organisation ? ` (${s.organisation})` : "", " ",
        s.status === "voting" ? el("span", { class: "badge badge-review", text: "Put to a vote" }) : null,
        el("span", { class: "muted", text: ` made ${s.age_days ? `${plural(s.age_days, "day", "days")} ago` : "today"}` }),
        s.vote_opened_at ? el("span", { class: "muted", text: `, voted on since ${formatDateTime(s.vote_opened_at)}` }) : null),
      el("p", { class: "cockpit-change" },
        s.delete ? el("del", { text: s.delete }) : null, s.delete && s.insert ? " " : null,
        s.insert ? el("ins", { text: s.insert }) : null),
      s.reason ? el("p", { class: "cockpit-reason", text: s.reason }) : null))),
    el("p", {}, el("a", { class: "link-standalone", href: `${base}#suggestions`, text: "Decide them in the Suggestions tab" })));
}

function deadlinesPart(cockpit) {
  const heading = "Deadlines";
  if (!cockpit.deadlines.length) return section("cockpit-deadlines-heading", heading, el("p", { class: "muted", text: "Nothing has a closing date." }));
  return section("cockpit-deadlines-heading", heading,
    el("ul", { class: "cockpit-deadlines" }, cockpit.deadlines.map((d) => el("li", {},
      el("strong", { text: `${d.what} on ${formatDay(d.closes_on)}` }), `: ${d.left.words} left.`))));
}

/** Follow the statement's live events; `changed()` whenever the cockpit may have changed. */
function follow(statementId, changed, status) {
  followStatement(statementId, {
    // After a (re)connection something may have been missed: read the cockpit again.
    frame: (frame) => { if (frame.type === "hello" || frame.type === "event") changed(); },
    status,
  });
}


async function main() {
  await startPage();
  const content = byId("content");
  const statementId = statementIdFromPath();
  const base = `/statements/${statementId}`;
  let statement, cockpit;
  try {
    [statement, cockpit] = await Promise.all([api(base), api(`${base}/cockpit`)]);
  } catch (error) {
    showPageError(content, error);
    return;
  }
  setTitle(`Cockpit · ${statement.title}`);
  const live = el("p", { class: "cockpit-live", role: "status" });
  const parts = el("div", { class: "cockpit-parts" });
  let kept = null; // the Remind button of the open round
  const read = async () => { cockpit = await api(`${base}/cockpit`); show(); };
  const show = () => {
    const roundId = cockpit.round?.id ?? null;
    if (kept?.round !== roundId) kept = roundId === null ? null : { round: roundId, node: remindForm(base, roundId, read) };
    const focused = parts.contains(document.activeElement) ? document.activeElement : null;
    fill(parts,
      roundPart(cockpit, base),
      waitingPart(cockpit, kept?.node),
      concernsPart(cockpit),
      threadsPart(cockpit, base),
      suggestionsPart(cockpit, base),
      deadlinesPart(cockpit));
    if (focused?.isConnected && document.activeElement !== focused) focused.focus({ preventScroll: true });
  };
  fill(content,
    el("p", { class: "breadcrumb" }, el("a", { href: base, text: statement.title })),
    el("h1", { text: "Facilitator's cockpit" }),
    live,
    parts);
  show();
  follow(statementId, coalesced(read), (name) => { live.textContent = LIVE_TEXT[name] ?? ""; });
}

main().catch(reportFailure);
