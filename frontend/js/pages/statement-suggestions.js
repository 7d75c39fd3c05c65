// The suggestions panel: changes people proposed without making them, what each would do, where
// it stands, and the decisions open to you (accept or reject one, accept all of one person's,
// or withdraw your own).

import { api } from "../api.js";
import { askFirst, el, fill, formatDateTime, formatRelative, notify, reportFailure } from "../ui.js";
import { suggestionExtras } from "./suggestion-votes.js";

const STATUS = {
  open: "Open",
  outdated: "Outdated: the words it would change have changed",
  voting: "Put to a vote",
  accepting: "Being accepted",
  accepted: "Accepted",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
};

/** What a suggestion would do, in words: its removed text struck, its added text underlined. */
export function change(suggestion) {
  const removed = el("del", { text: suggestion.delete });
  const added = el("ins", { text: suggestion.insert });
  if (suggestion.delete && suggestion.insert) return ["Replace ", removed, " with ", added];
  if (suggestion.delete) return ["Remove ", removed];
  return ["Insert ", added];
}

/** Who decided it, where someone other than its author did. */
function decidedBy(suggestion) {
  const who = suggestion.decided_by;
  if (!who || !["accepted", "rejected", "accepting"].includes(suggestion.status)) return "";
  return ` by ${who.name}`;
}

/** What changed under an outdated suggestion: what its characters read now. */
function changedUnder(suggestion) {
  if (suggestion.status !== "outdated" || typeof suggestion.now !== "string") return null;
  const now = suggestion.now
    ? ["Since then its words were changed; they now read ", el("q", { text: suggestion.now }), "."]
    : ["Since then its words were removed."];
  return el("p", { class: "suggestion-under muted" }, ...now);
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
    actions.append(decision({ text: "Accept", name: `Accept ${number}` },
      "Accept this suggestion? The text changes as it suggests.", "Yes, accept", async () => {
        await api(`${path}/accept`, { method: "POST" });
        notify(`Accepted ${number}.`);
        await refresh();
      }));
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
    changedUnder(suggestion),
    suggestion.reason ? el("p", { class: "version-note", text: suggestion.reason }) : null,
    el("p", { class: "muted version-meta" },
      `${who} · `,
      el("time", { datetime: suggestion.created_at, title: formatDateTime(suggestion.created_at), text: formatRelative(suggestion.created_at) }),
      ` · ${STATUS[suggestion.status] ?? suggestion.status}${decidedBy(suggestion)}`),
    actions.childElementCount ? actions : null,
    extras.node(suggestion));
}

/**
 * `load()` run once at a time: asked again while it runs, it runs once more after, so that
 * what changed meanwhile is seen, however many times it was asked (a live event per keystroke).
 */
export function coalesced(load) {
  let running = null;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return running;
    }
    running = load().finally(() => {
      running = null;
      if (again) {
        again = false;
        run().catch(reportFailure);
      }
    });
    return running;
  };
  return run;
}

function outcome(result) {
  if (result.status === "accepted") return `Suggestion ${result.id}: accepted.`;
  return `Suggestion ${result.id}: not accepted${result.detail ? `: ${result.detail}` : ` (${result.status})`}.`;
}

/** Accept all open suggestions of one person, oldest first, and say how each went. */
function bulkAccept(statementId, refresh) {
  const select = el("select", { id: "bulk-author" });
  const button = el("button", { type: "button", class: "button button-small", text: "Accept all" });
  const outcomes = el("ul", { class: "bulk-outcomes", "aria-live": "polite" });
  const form = el("div", { class: "bulk-accept" },
    el("div", { class: "field" }, el("label", { for: "bulk-author", text: "Accept all open suggestions of" }), select),
    button);
  let open = new Map(); // organisation (or person, for one who speaks for none) → {name, ids}

  button.addEventListener("click", async () => {
    const chosen = open.get(select.value);
    if (!chosen) return;
    button.disabled = true;
    try {
      const done = await api(`/statements/${statementId}/suggestions/accept`, { method: "POST", body: { ids: chosen.ids } });
      fill(outcomes, done.data.map((result) => el("li", { "data-status": result.status, text: outcome(result) })));
      await refresh();
    } catch (failure) {
      notify(failure.detail ?? failure.message, "error");
    } finally {
      button.disabled = false;
    }
  });

  /** Offer the organisations (and people who speak for none) with open suggestions in
   * `suggestions` (oldest first). */
  function offer(suggestions) {
    const chosen = select.value;
    open = new Map();
    for (const suggestion of suggestions.filter((one) => one.status === "open" && one.author.id !== null)) {
      const { id, name, organisation } = suggestion.author;
      const key = organisation ? `organisation:${organisation}` : `person:${id}`;
      if (!open.has(key)) open.set(key, { name: organisation || name, ids: [] });
      open.get(key).ids.push(suggestion.id);
    }
    fill(select, [...open].map(([key, { name, ids }]) => el("option", { value: key, text: `${name} (${ids.length})` })));
    if (open.has(chosen)) select.value = chosen;
    form.hidden = open.size === 0;
  }

  return { node: el("div", { class: "stack-tight" }, form, outcomes), offer };
}

/** The panel; `refresh()` reloads the list (on a live event), `update(suggestion)` redraws
 * one whose status the event did not change. */
export function suggestionsPanel(statementId, { canDecide, meId }) {
  const list = el("ol", { class: "versions suggestions" });
  const empty = el("p", { class: "muted", text: "No change has been suggested yet." });
  const bulk = canDecide ? bulkAccept(statementId, () => refresh()) : null;

  const extras = suggestionExtras(statementId, { meId, refresh: () => refresh() });

  let shown = []; // the suggestions as last listed, oldest first

  function draw() {
    const newest = [...shown].reverse();
    fill(list, newest.map((suggestion) => item(statementId, suggestion, { canDecide, meId, refresh, extras })));
    bulk?.offer(shown);
    empty.hidden = shown.length > 0;
    list.hidden = shown.length === 0;
  }

  const refresh = coalesced(async () => {
    const found = await api(`/statements/${statementId}/suggestions`);
    await extras.load(found.data);
    shown = found.data;
    draw();
  });

  /** One listed suggestion changed only in what it says (its author typing on): drawn from
   * the event, with no request; anything else is listed again. */
  function update(suggestion) {
    const at = shown.findIndex((one) => one.id === suggestion.id);
    if (at < 0 || shown[at].status !== suggestion.status) return refresh();
    shown = shown.with(at, suggestion);
    draw();
    return Promise.resolve();
  }

  const node = el("section", { "aria-label": "Suggestions", class: "stack-tight" }, bulk?.node ?? null, empty, list);
  return { node, refresh, update };
}
