// The statement's activity: its audit log, newest first, told in sentences.

import { plural, roleLabel } from "../labels.js";
import { el, formatDateTime, formatRelative } from "../ui.js";

const SHOWN_AT_FIRST = 8;

// Read after "changed …"; unknown fields keep their API name.
const FIELD_NAMES = {
  title: "the title",
  context: "the context",
  slug: "the public address",
  finalise_by: "the finalise-by date",
  publish_on: "the publication date",
  approval_rule: "the approval rule",
  approval_quorum: "the number of organisations needed",
};

const listFormat = new Intl.ListFormat("en", { style: "long", type: "conjunction" });

// A person's name stands out; someone no longer in the statement is told in plain words.
function name(text) {
  return text ? el("strong", { text }) : "a former member";
}

function role(value) {
  return String(roleLabel(value ?? "member")).toLowerCase();
}

function withArticle(word) {
  return `${/^[aeiou]/i.test(word) ? "an" : "a"} ${word}`;
}

function humanise(kind) {
  return kind.replace(/[._]+/g, " ");
}

// The words after the actor's name, as text and nodes; `names` knows members by user id
// and invitation labels by invitation id.
const SENTENCES = {
  "statement.created": () => ["started the statement."],
  "statement.updated": ({ data }) => {
    const fields = Array.isArray(data.fields) ? data.fields : [];
    if (fields.length === 0) return ["changed the settings."];
    return [`changed ${listFormat.format(fields.map((field) => FIELD_NAMES[field] ?? field))}.`];
  },
  "member.joined": ({ data }) => [`joined as ${role(data.role)}.`],
  "member.left": () => ["left the statement."],
  "member.removed": ({ data }, names) => ["removed ", name(names.member(data)), "."],
  "member.role_changed": ({ data, actor }, names) => {
    const member = names.member(data);
    const whose = member && member === actor ? ["their own"] : [name(member), "'s"];
    return ["changed ", ...whose, ` role from ${role(data.old)} to ${role(data.new)}.`];
  },
  "member.organisation_changed": ({ data }, names) => [
    "recorded that ", name(names.member(data)), ` speaks for “${data.new}”.`,
  ],
  "invitation.created": ({ data }) => {
    const link = `created ${withArticle(role(data.role))} invitation link`;
    return data.label ? [`${link} for “${data.label}”.`] : [`${link}.`];
  },
  "version.saved": ({ data }) => [`saved version ${data.number}, “${data.name}”.`],
  "version.restored": ({ data }) => [`restored version ${data.number} into the draft.`],
  "round.opened": ({ data }) => [`opened a review round on version ${data.number}.`],
  "stance.recorded": ({ data }) => [`recorded a stance: ${String(data.stance).replace("_", " ")}.`],
  "round.closed": ({ data }) => [
    `closed the review round on version ${data.number}: ${data.approved ? "approved" : "not approved"}.`,
  ],
  "statement.published": ({ data }) => [`published version ${data.version} (publication ${data.number}).`],
  "invitation.revoked": ({ data }, names) => {
    const label = names.invitation(data.invitation_id);
    return label ? [`withdrew the invitation link for “${label}”.`] : ["withdrew an invitation link."];
  },
};

function sentence(event, names) {
  // A member's joining is told by their name at the time, whoever let them in.
  const actor = event.kind === "member.joined" && event.data.member ? event.data.member : event.actor;
  if (event.kind === "round.closed" && !actor) {
    // Nobody closed it: its closing date had passed.
    const verdict = event.data.approved ? "approved" : "not approved";
    return [`The review round on version ${event.data.number} closed on its date: ${verdict}.`];
  }
  const who = actor ?? "Someone";
  const words = SENTENCES[event.kind];
  const rest = words ? words({ ...event, actor }, names) : [`: ${humanise(event.kind)}.`];
  return [name(who), words ? " " : "", ...rest];
}

function directory(events, members) {
  const people = new Map(members.map((member) => [member.user_id, member.name]));
  const links = new Map(events
    .filter((event) => event.kind === "invitation.created" && event.data.label)
    .map((event) => [event.data.invitation_id, event.data.label]));
  return {
    // Members by their current name; former members by the name the event recorded.
    member: (data) => people.get(data.member_id) ?? data.member ?? null,
    invitation: (id) => links.get(id),
  };
}

function item(event, names) {
  return el("li", { tabindex: "-1" },
    el("p", { class: "activity-text" }, sentence(event, names)),
    el("time", { datetime: event.at, title: formatDateTime(event.at), text: formatRelative(event.at) }));
}

/** The activity section: the latest events, and a button to show the earlier ones. */
export function activity(events, members) {
  const names = directory(events, members);
  const newestFirst = [...events].sort((a, b) => b.id - a.id);
  const items = newestFirst.map((event) => item(event, names));
  items.slice(SHOWN_AT_FIRST).forEach((node) => { node.hidden = true; });
  const earlier = items.length - SHOWN_AT_FIRST;
  const more = earlier > 0
    ? el("button", {
      type: "button",
      class: "link-button",
      text: `Show ${plural(earlier, "earlier event")}`,
      onClick: () => {
        items.forEach((node) => { node.hidden = false; });
        more.remove();
        items[SHOWN_AT_FIRST].focus();
      },
    })
    : null;
  return el("section", { "aria-labelledby": "activity-heading" },
    el("h2", { id: "activity-heading", text: "Activity" }),
    items.length
      ? el("ol", { class: "activity" }, items)
      : el("p", { class: "muted", text: "Nothing has happened yet." }),
    more);
}
