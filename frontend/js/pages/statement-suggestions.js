// The suggestions panel: changes people proposed without making them, what each would do, where
// it stands, and the decisions open to you (reject one, or withdraw your own).

import { api } from "../api.js";
import { askFirst, el, fill, formatDateTime, formatRelative, notify } from "../ui.js";
import { suggestionExtras } from "./suggestion-votes.js";

const STATUS = {
  open: "Open",
  outdated: "Outdated: the words it would change have changed",
  voting: "Put to a vote",
  accepted: "Accepted",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
};

function change(suggestion) {
  const removed = el("del", { text: suggestion.delete });
  const added = el("ins", { text: suggestion.insert });
  if (suggestion.delete && suggestion.insert) return ["Replace ", removed, " with ", added];
  if (suggestion.delete) return ["Remove ", removed];
  return ["Insert ", added];
}

function decision(label, question, confirm, action) {
  const button = el("button", { type: "button", class: "link-button", text: label.text, "aria-label": label.name });
  askFirst(button, { question, confirm, compact: true, action });
  return button;
}

function item(statementId, suggestion, { canDecide, meId, refresh, extras }) {
  const path = `/statements/${statementId}/suggestions/${suggestion.id}`;
  const number = `suggestion ${suggestion.id}`;
  const actions = el("div", { class: "version-actions" });
  if (suggestion.status === "open" && canDecide) {
    actions.append(decision({ text: "Reject", name: `Reject ${number}` },
      "Reject this suggestion? The text stays as it is.", "Yes, reject", async () => {
        await api(`${path}/reject`, { method: "POST" });
        notify(`Rejected ${number}.`);
        await refresh();
      }));
  }
  if (suggestion.status === "open" && suggestion.author.id === meId) {
    actions.append(decision({ text: "Withdraw", name: `Withdraw ${number}` },
      "Withdraw your suggestion?", "Yes, withdraw", async () => {
        await api(`${path}/withdraw`, { method: "POST" });
        notify(`Withdrew ${number}.`);
        await refresh();
      }));
  }
  const who = suggestion.author.organisation
    ? `${suggestion.author.name}, ${suggestion.author.organisation}` : suggestion.author.name;
  return el("li", { class: "version suggestion", "data-status": suggestion.status },
    el("p", { class: "suggestion-change" }, ...change(suggestion)),
    suggestion.reason ? el("p", { class: "version-note", text: suggestion.reason }) : null,
    el("p", { class: "muted version-meta" },
      `${who} · `,
      el("time", { datetime: suggestion.created_at, title: formatDateTime(suggestion.created_at), text: formatRelative(suggestion.created_at) }),
      ` · ${STATUS[suggestion.status] ?? suggestion.status}`),
    actions.childElementCount ? actions : null,
    extras.node(suggestion));
}

/** The panel; `refresh()` reloads the list (on a live event). */
export function suggestionsPanel(statementId, { canDecide, meId }) {
  const list = el("ol", { class: "versions suggestions" });
  const empty = el("p", { class: "muted", text: "No change has been suggested yet." });

  const extras = suggestionExtras(statementId, { meId, refresh });

  async function refresh() {
    const found = await api(`/statements/${statementId}/suggestions`);
    await extras.load(found.data);
    const newest = [...found.data].reverse();
    fill(list, newest.map((suggestion) => item(statementId, suggestion, { canDecide, meId, refresh, extras })));
    empty.hidden = found.count > 0;
    list.hidden = found.count === 0;
  }

  const node = el("section", { "aria-label": "Suggestions", class: "stack-tight" }, empty, list);
  return { node, refresh };
}
