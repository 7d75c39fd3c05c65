// A statement's overview: what it is, where it stands, its draft, who takes part, what
// happened to it so far, who wrote how much, and leaving it.

import { api } from "../api.js";
import { ROLE_DESCRIPTIONS, STATE_LABELS, RULE_LABELS, ruleDescription, roleLabel } from "../labels.js";
import { startPage, statementIdFromPath } from "../layout.js";
import { askFirst, byId, el, fill, formatDay, reportFailure, setTitle, showPageError } from "../ui.js";
import { activity } from "./statement-activity.js";
import { HISTORY_PAGE, editingHistory } from "./statement-history.js";

function fact(term, value) {
  return el("div", {}, el("dt", { text: term }), el("dd", {}, value));
}

function overview(statement) {
  const facts = [
    fact("State", el("span", { class: `badge badge-${statement.state}`, text: STATE_LABELS[statement.state] })),
    fact("Your role", roleLabel(statement.my_role)),
    fact("Approval rule", [
      RULE_LABELS[statement.approval_rule] ?? statement.approval_rule,
      el("span", { class: "fact-note", text: ruleDescription(statement) }),
    ]),
    fact("Finalise by", statement.finalise_by ? formatDay(statement.finalise_by) : "No date set"),
    fact("Publish on", statement.publish_on ? formatDay(statement.publish_on) : "No date set"),
  ];
  return el("section", { class: "panel", "aria-label": "Overview" },
    el("dl", { class: "facts facts-wide" }, facts),
    el("p", { class: "muted", text: `As ${roleLabel(statement.my_role).toLowerCase()}, you ${ROLE_DESCRIPTIONS[statement.my_role]}.` }));
}

function draft(text) {
  const body = text.text
    ? el("div", { class: "draft" }, text.text)
    : el("p", { class: "empty", text: "The draft is still empty." });
  return el("section", { "aria-labelledby": "draft-heading" },
    el("div", { class: "section-heading" },
      el("h2", { id: "draft-heading", text: "Current draft" }),
      el("span", { class: "muted", text: `Revision ${text.rev}` })),
    body);
}

function memberList(members) {
  return el("section", { "aria-labelledby": "members-heading" },
    el("h2", { id: "members-heading", text: `Members (${members.length})` }),
    el("ul", { class: "people" }, members.map((member) =>
      el("li", {},
        el("span", { class: "person-name", text: member.name }),
        member.organisation ? el("span", { class: "person-org", text: member.organisation }) : null,
        el("span", { class: "badge", text: roleLabel(member.role) })))));
}

// Every member may leave, facilitators too as long as another one remains (the server says).
function leaving(id, me) {
  const button = el("button", { type: "button", class: "button button-danger", text: "Leave this statement" });
  const section = el("section", { class: "leave", "aria-labelledby": "leave-heading" },
    el("h2", { id: "leave-heading", class: "visually-hidden", text: "Leave" }),
    button);
  askFirst(button, {
    question: "Leave this statement? You will need a new invitation to come back.",
    confirm: "Yes, leave",
    action: async () => {
      await api(`/statements/${id}/members/${me.id}`, { method: "DELETE" });
      window.location.assign("/");
    },
  });
  return section;
}

async function main() {
  const me = await startPage();
  const content = byId("content");
  const id = statementIdFromPath();
  let statement, text, members, events, history;
  try {
    [statement, text, members, events, history] = await Promise.all([
      api(`/statements/${id}`),
      api(`/statements/${id}/text`),
      api(`/statements/${id}/members`),
      api(`/statements/${id}/audit`),
      api(`/statements/${id}/history?limit=${HISTORY_PAGE}`),
    ]);
  } catch (error) {
    showPageError(content, error);
    return;
  }
  setTitle(statement.title);
  const heading = el("div", { class: "page-heading" },
    el("div", {},
      el("p", { class: "breadcrumb" }, el("a", { href: "/", text: "My statements" })),
      el("h1", { text: statement.title })),
    statement.my_role === "facilitator"
      ? el("a", { class: "button button-secondary", href: `/statements/${id}/settings`, text: "Settings" })
      : null);
  fill(content,
    heading,
    statement.context ? el("p", { class: "lead context", text: statement.context }) : null,
    overview(statement),
    el("div", { class: "columns" },
      el("div", { class: "stack" },
        draft(text),
        editingHistory(id, history.data),
        activity(events.data, members.data)),
      memberList(members.data)),
    leaving(id, me));
}

main().catch(reportFailure);
