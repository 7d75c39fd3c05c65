// "My statements": the statements I take part in, and starting a new one.

import { api } from "../api.js";
import { STATE_LABELS, plural, roleLabel } from "../labels.js";
import { startPage } from "../layout.js";
import { byId, el, fill, formatDate, formatDay, onSubmit, reportFailure } from "../ui.js";

function card(statement) {
  const facts = [
    ["Your role", roleLabel(statement.my_role)],
    ["State", STATE_LABELS[statement.state] ?? statement.state],
    ["Members", plural(statement.member_count, "member")],
    ["Updated", formatDate(statement.updated_at)],
  ];
  if (statement.finalise_by) facts.push(["Finalise by", formatDay(statement.finalise_by)]);
  return el("li", { class: "statement-card" },
    el("h2", { class: "statement-card-title" },
      el("a", { href: `/statements/${statement.id}`, text: statement.title })),
    statement.context ? el("p", { class: "statement-card-context", text: statement.context }) : null,
    el("dl", { class: "facts" },
      facts.map(([term, value]) => el("div", {}, el("dt", { text: term }), el("dd", { text: value })))));
}

function renderList(statements) {
  const list = byId("statement-list");
  if (statements.length === 0) {
    fill(list, el("div", { class: "empty" },
      el("p", { class: "empty-title", text: "You are not part of any statement yet." }),
      el("p", { text: "Start the first one below, then invite the people who will write it with you. "
        + "If someone invited you, open the link they sent." })));
    return;
  }
  fill(list, el("ul", { class: "statement-list" }, statements.map(card)));
}

async function main() {
  await startPage();
  try {
    const { data } = await api("/statements");
    renderList(data);
  } catch (error) {
    fill(byId("statement-list"), el("p", { class: "alert", role: "alert", text: error.detail ?? error.message }));
  }
  onSubmit(byId("new-statement-form"), async (form) => {
    const created = await api("/statements", {
      method: "POST",
      body: { title: form.get("title"), context: form.get("context"), text: form.get("text") },
    });
    window.location.assign(`/statements/${created.id}`);
  });
}

main().catch(reportFailure);
