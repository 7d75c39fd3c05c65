// A statement's overview: what it is, where it stands, its draft and who takes part.

import { api } from "../api.js";
import { ROLE_DESCRIPTIONS, STATE_LABELS, RULE_LABELS, ruleDescription, roleLabel } from "../labels.js";
import { startPage, statementIdFromPath } from "../layout.js";
import { byId, el, fill, formatDay, reportFailure, setTitle, showPageError } from "../ui.js";

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

async function main() {
  await startPage();
  const content = byId("content");
  const id = statementIdFromPath();
  let statement, text, members;
  try {
    [statement, text, members] = await Promise.all([
      api(`/statements/${id}`),
      api(`/statements/${id}/text`),
      api(`/statements/${id}/members`),
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
    el("div", { class: "columns" }, draft(text), memberList(members.data)));
}

main().catch(reportFailure);
