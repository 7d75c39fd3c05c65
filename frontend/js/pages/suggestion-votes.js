// What the Suggestions tab shows under each suggestion besides the change itself: its vote as
// an amendment (put to a vote, cast, closed, and the tally kept after) and its discussion.
// Each suggestion's part is made once and put back on every redraw of the list, so that a
// reason or a reply being typed, and an open discussion, outlive the live updates.

import { api } from "../api.js";
import { commentMarkup } from "../safe-html.js";
import { askFirst, el, fill, formatDateTime, formatRelative, notify, onSubmit } from "../ui.js";

const KINDS = [["support", "Support"], ["oppose", "Oppose"], ["abstain", "Abstain"]];
const LABELS = Object.fromEntries(KINDS);

function counts(votes) {
  const by = Object.fromEntries(KINDS.map(([kind]) => [kind, 0]));
  for (const vote of votes) by[vote.kind] += 1;
  return KINDS.map(([kind, label]) => `${label} ${by[kind]}`).join(" · ");
}

function voteList(votes) {
  return el("ul", { class: "vote-list" }, votes.map((vote) => el("li", {},
    `${vote.name}${vote.organisation ? `, ${vote.organisation}` : ""}: ${LABELS[vote.kind]}`,
    vote.reason ? el("span", { class: "muted", text: ` · ${vote.reason}` }) : null)));
}

function tallyView(tally) {
  const verdict = tally.adopted ? "Adopted by the group's vote" : "Not adopted by the group's vote";
  return el("div", { class: "suggestion-tally" },
    el("p", {}, el("strong", { text: verdict }), ` (${tally.rule}): ${tally.summary}`),
    tally.missing.length ? el("p", { class: "muted", text: tally.missing.join("; ") }) : null,
    voteList(tally.votes));
}

function commentItem(comment) {
  return el("li", { class: "comment" },
    el("p", { class: "muted" }, `${comment.author.name} · `,
      el("time", { datetime: comment.created_at, title: formatDateTime(comment.created_at), text: formatRelative(comment.created_at) })),
    el("div", { class: "comment-body" }, comment.deleted_at ? "(deleted)" : commentMarkup(comment.html)));
}

/** One suggestion's part: made once, then `draw(suggestion, votes, comments)` on each redraw. */
function part(path, number, who, refresh) {
  const vote = el("div", { class: "suggestion-vote" });
  const reason = el("input", { type: "text", name: "reason", "aria-label": `Reason for your vote on ${number} (optional)`, placeholder: "Reason (optional)" });
  const toggle = el("button", { type: "button", class: "link-button", "aria-expanded": "false" });
  const said = el("ol", { class: "comments" });
  const box = el("textarea", { name: "body", rows: "2", required: true, "aria-label": `Your comment on ${number}` });
  const form = el("form", { class: "comment-form" }, box,
    el("button", { type: "submit", class: "button button-small", text: "Comment" }));
  onSubmit(form, async (data) => {
    await api(`${path}/comments`, { method: "POST", body: { body: String(data.get("body")) } });
    form.reset();
    await refresh();
  });
  const discussion = el("div", { class: "suggestion-discussion", hidden: true }, said, who.canVote ? form : null);
  toggle.addEventListener("click", () => {
    discussion.hidden = !discussion.hidden;
    toggle.setAttribute("aria-expanded", String(!discussion.hidden));
    if (!discussion.hidden && who.canVote) box.focus();
  });
  const cast = async (kind) => {
    await api(`${path}/votes`, { method: "POST", body: { kind, reason: reason.value } });
    reason.value = "";
    notify(`You voted: ${LABELS[kind]}.`);
    await refresh();
  };
  const closer = el("button", { type: "button", class: "link-button", text: "Close the vote", "aria-label": `Close the vote on ${number}` });
  askFirst(closer, {
    question: "Close the vote? The approval rule decides: adopted, the change is made; otherwise it is rejected.",
    confirm: "Yes, close the vote",
    compact: true,
    action: async () => {
      const closed = await api(`${path}/vote/close`, { method: "POST" });
      notify(closed.tally.adopted ? `The group adopted ${number}.` : `The group did not adopt ${number}.`);
      await refresh();
    },
  });
  const opener = el("button", { type: "button", class: "link-button", text: "Put to a vote", "aria-label": `Put ${number} to a vote` });
  opener.addEventListener("click", async () => {
    opener.disabled = true;
    try {
      await api(`${path}/vote`, { method: "POST" });
      await refresh();
    } catch (error) {
      notify(error.detail ?? error.message, "error");
    } finally {
      opener.disabled = false;
    }
  });
  const buttons = KINDS.map(([kind, label]) => el("button", {
    type: "button", class: "button button-small button-secondary", text: label, "aria-label": `${label} ${number}`,
    onClick: () => cast(kind).catch((error) => notify(error.detail ?? error.message, "error")),
  }));
  const tally = el("p", { class: "vote-count", "aria-live": "polite" });
  const node = el("div", { class: "suggestion-extras" }, vote, el("div", { class: "version-actions" }, toggle), discussion);

  function draw(suggestion, votes, comments) {
    const mine = votes.find((v) => v.user_id === who.meId);
    const voting = suggestion.status === "voting";
    tally.textContent = `Votes: ${counts(votes)}${mine ? ` · you: ${LABELS[mine.kind]}` : ""}`;
    fill(vote,
      suggestion.status === "open" && who.isFacilitator ? opener : null,
      voting ? tally : null,
      voting && who.canVote ? el("div", { class: "actions vote-buttons", role: "group", "aria-label": `Your vote on ${number}` }, reason, ...buttons) : null,
      voting && who.isFacilitator ? closer : null,
      suggestion.tally ? tallyView(suggestion.tally) : null);
    toggle.textContent = `Discuss (${comments.length})`;
    fill(said, comments.map(commentItem));
  }
  return { node, draw };
}

/** The parts of a statement's suggestions: `load(suggestions)` before each redraw, then
 * `node(suggestion)` for each. `refresh()` redraws the whole list. */
export function suggestionExtras(statementId, { meId, refresh }) {
  const parts = new Map(); // suggestion id → its part
  let votes = new Map(); // suggestion id → current votes, while voting
  let discussions = new Map(); // suggestion id → its comments
  let who = null;

  async function load(suggestions) {
    who ??= api(`/statements/${statementId}`).then((statement) => ({
      meId,
      isFacilitator: statement.my_role === "facilitator",
      canVote: statement.my_role !== "viewer",
    }));
    const voting = suggestions.filter((s) => s.status === "voting");
    const [threads, ...tallies] = await Promise.all([
      api(`/statements/${statementId}/threads?suggestions=true`),
      ...voting.map((s) => api(`/statements/${statementId}/suggestions/${s.id}/votes`)),
    ]);
    discussions = new Map(threads.data.map((t) => [t.suggestion, t.comments]));
    votes = new Map(voting.map((s, i) => [s.id, tallies[i].data]));
    who = await who;
  }

  function node(suggestion) {
    if (!parts.has(suggestion.id)) {
      const path = `/statements/${statementId}/suggestions/${suggestion.id}`;
      parts.set(suggestion.id, part(path, `suggestion ${suggestion.id}`, who, refresh));
    }
    const found = parts.get(suggestion.id);
    found.draw(suggestion, votes.get(suggestion.id) ?? [], discussions.get(suggestion.id) ?? []);
    return found.node;
  }

  return { load, node };
}
