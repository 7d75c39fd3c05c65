// The draft's editing history: sessions of work, newest first, with who wrote how much.

import { api } from "../api.js";
import { plural } from "../labels.js";
import { el, formatDateTime, formatRelative, reportFailure } from "../ui.js";

/** How many sessions a page asks for at a time. */
export const HISTORY_PAGE = 10;

const listFormat = new Intl.ListFormat("en", { style: "long", type: "conjunction" });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

function amount(inserted, deleted) {
  const parts = [];
  if (inserted) parts.push(`${plural(inserted, "character")} added`);
  if (deleted) parts.push(`${plural(deleted, "character")} removed`);
  return parts.length ? parts.join(", ") : "no characters changed";
}

function author(person) {
  const title = `${person.organisation ? `${person.organisation}: ` : ""}` +
    `${plural(person.revisions, "change")}, ${amount(person.inserted, person.deleted)}`;
  return el("strong", { title, text: person.name });
}

function when(session) {
  const start = formatDateTime(session.started_at);
  const sameMoment = session.started_at === session.ended_at;
  const span = sameMoment ? start : `${start}–${timeOnly.format(new Date(session.ended_at))}`;
  return el("time", { datetime: session.started_at, title: span, text: formatRelative(session.ended_at) });
}

function item(session) {
  const names = session.authors.map(author);
  const joined = [];
  names.forEach((node, index) => {
    if (index > 0) joined.push(index === names.length - 1 ? (names.length > 2 ? ", and " : " and ") : ", ");
    joined.push(node);
  });
  const revisions = session.first_rev === session.last_rev
    ? `revision ${session.first_rev}`
    : `revisions ${session.first_rev}–${session.last_rev}`;
  return el("li", { tabindex: "-1" },
    el("p", { class: "activity-text" },
      joined.length ? joined : "Someone",
      ` made ${plural(session.revisions, "change")}: ${amount(session.inserted, session.deleted)}`,
      el("span", { class: "muted", text: ` (${revisions})` })),
    when(session));
}

/** The editing sessions section; it loads the next page of older sessions on request. */
export function editingHistory(statementId, firstPage) {
  const list = el("ol", { class: "activity" });
  const more = el("button", { type: "button", class: "link-button", text: "Show earlier sessions" });
  let oldest = null;

  function add(sessions) {
    const items = sessions.map(item);
    list.append(...items);
    if (sessions.length) oldest = sessions[sessions.length - 1].first_rev;
    more.hidden = sessions.length < HISTORY_PAGE || oldest <= 1;
    return items;
  }

  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const page = await api(`/statements/${statementId}/history?limit=${HISTORY_PAGE}&before=${oldest}`);
      add(page.data)[0]?.focus();
    } catch (error) {
      reportFailure(error);
    } finally {
      more.disabled = false;
    }
  });

  add(firstPage);
  const section = el("section", { "aria-labelledby": "history-heading" },
    el("h2", { id: "history-heading", text: "Editing history" }),
    el("p", {}, el("a", { class: "link-standalone", href: `/statements/${statementId}/history`, text: "Play the statement's growth" })),
    firstPage.length ? list : el("p", { class: "muted", text: "Nobody has written anything yet." }),
    more);
  return section;
}
