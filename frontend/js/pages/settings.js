// A statement's settings: its title, address, dates, approval rule and who decides on
// suggestions; its members; its invitation links. Facilitators change them; everyone else
// sees the members only.

import { api } from "../api.js";
import { RULES, RULE_DESCRIPTIONS, RULE_LABELS } from "../labels.js";
import { startPage, statementIdFromPath } from "../layout.js";
import { byId, el, fill, notify, onSubmit, reportFailure, setTitle, showPageError } from "../ui.js";
import { renderMembers } from "./settings-members.js";
import { setUpInvitations } from "./settings-invitations.js";

const FIELDS = [
  "title", "context", "slug", "finalise_by", "publish_on", "approval_rule", "approval_quorum",
  "suggestions_decided_by",
];

// The form's strings as the API wants them: empty dates and quorum mean "none".
function fromForm(data) {
  const value = (name) => String(data.get(name) ?? "");
  return {
    title: value("title"),
    context: value("context"),
    slug: value("slug"),
    finalise_by: value("finalise_by") || null,
    publish_on: value("publish_on") || null,
    approval_rule: value("approval_rule"),
    approval_quorum: value("approval_quorum") ? Number(value("approval_quorum")) : null,
    suggestions_decided_by: value("suggestions_decided_by"),
  };
}

function fillStatementForm(form, statement) {
  for (const name of FIELDS) form.elements[name].value = statement[name] ?? "";
  showQuorum(form);
}

function showQuorum(form) {
  const quorum = form.elements.approval_rule.value === "quorum";
  byId("quorum-field").hidden = !quorum;
  form.elements.approval_quorum.required = quorum;
}

function showStatement(statement, id) {
  setTitle(`Settings of ${statement.title}`);
  const link = byId("statement-link");
  link.textContent = statement.title;
  link.href = `/statements/${id}`;
}

function setUpStatementForm(statement, id) {
  const form = byId("statement-form");
  fill(form.elements.approval_rule, RULES.map((rule) => el("option", { value: rule, text: `${RULE_LABELS[rule]}: ${RULE_DESCRIPTIONS[rule]}` })));
  form.elements.approval_rule.addEventListener("change", () => showQuorum(form));
  fillStatementForm(form, statement);
  let saved = statement;
  onSubmit(form, async (data) => {
    const wanted = fromForm(data);
    // Send only what changed, so the audit log records what was really edited.
    const changes = Object.fromEntries(FIELDS
      .filter((name) => (wanted[name] ?? "") !== (saved[name] ?? ""))
      .map((name) => [name, wanted[name]]));
    if (Object.keys(changes).length === 0) {
      notify("Nothing has changed.");
      return;
    }
    saved = await api(`/statements/${id}`, { method: "PATCH", body: changes });
    fillStatementForm(form, saved);
    showStatement(saved, id);
    notify("The settings are saved.");
  });
  byId("statement-section").hidden = false;
}

async function main() {
  const me = await startPage();
  const id = statementIdFromPath();
  let statement, members;
  try {
    [statement, members] = await Promise.all([api(`/statements/${id}`), api(`/statements/${id}/members`)]);
  } catch (error) {
    showPageError(byId("loading"), error);
    return;
  }
  const canManage = statement.my_role === "facilitator";
  showStatement(statement, id);
  renderMembers(byId("members"), { statementId: id, members: members.data, canManage, me });
  if (canManage) {
    byId("settings-grid").classList.add("settings-grid-manage");
    setUpStatementForm(statement, id);
    await setUpInvitations(id);
  } else {
    byId("read-only-note").hidden = false;
  }
  byId("loading").hidden = true;
  byId("settings").hidden = false;
}

main().catch(reportFailure);
