// Suggesting on the statement's page: the Editing / Suggesting switch and the reason beside it,
// every open suggestion drawn live over the text, and the card that opens on one (who made
// it, why, and the decisions open to you).

import { api } from "../api.js";
import { Suggesting } from "../collab/suggesting.js";
import { drawSuggestions, suggestionAt } from "../collab/suggestion-marks.js";
import { LiveSuggestions } from "../collab/suggestions.js";
import { el, notify, reportFailure } from "../ui.js";
import { change, coalesced } from "./statement-suggestions.js";

const EDITS = ["facilitator", "editor"];
const NAVIGATION = /^(Arrow|Home|End|Page)/;

function segment(text) {
  return el("button", { type: "button", class: "segment", "aria-pressed": "false", text });
}

/**
 * The mode and the marks for one live session. `surface` holds the text area; `members` give
 * each suggester's colour; `canDecide(role)` says whether that role may accept and reject.
 * Returns the switch's `node`, and `frame(frame)`, `reconnected()`, `event(frame)`,
 * `roleChanged(role)`, `draw()`, `start()` and `stop()` for the page to call.
 */
export function suggestingMode({ statementId, me, session, surface, members, canDecide }) {
  const live = new LiveSuggestions();
  session.followers.add(live);
  const colours = new Map(members.map((member) => [member.user_id, member.colour]));
  const colourOf = (author) => colours.get(author.id) ?? session.colours.get(author.id) ?? "var(--border-strong)";
  const layer = el("div", { class: "suggestion-layer", "aria-hidden": "true" });
  const card = el("div", { class: "suggestion-card", role: "dialog", "aria-label": "Suggestion" });
  card.hidden = true;
  surface.append(layer, card);
  const editing = segment("Editing");
  const suggesting = segment("Suggesting");
  const reason = el("input", { type: "text", class: "suggest-reason", maxlength: "2000", placeholder: "Reason (optional)", "aria-label": "Reason for your suggestion" });
  const node = el("div", { class: "suggest-bar" },
    el("div", { class: "segmented mode-switch", role: "group", "aria-label": "Mode" }, editing, suggesting), reason);
  const mode = new Suggesting(session, live, {
    changed: () => redraw(),
    reasonUsed: () => { reason.value = ""; },
    refused: (message) => notify(message, "error"),
  });
  let role = null;
  let openId = null; // the suggestion whose card is open

  function shown() {
    const pending = [session.client?.inflight?.op, session.client?.buffer?.op].filter(Boolean);
    const mine = mode.shown(me);
    const typed = new Set(mine.map((one) => one.id).filter(Boolean));
    const all = [...live.shown(pending).filter((one) => !typed.has(one.id)), ...mine];
    return all.sort((a, b) => a.start - b.start);
  }

  function draw() {
    const list = shown();
    drawSuggestions(layer, session.editor.textarea.value, list, colourOf);
    if (openId !== null && !list.some((one) => one.id === openId)) closeCard();
    else if (openId !== null) placeCard();
  }

  let drawing = false;
  function redraw() {
    if (drawing) return;
    drawing = true;
    requestAnimationFrame(() => {
      drawing = false;
      draw();
    });
  }

  function apply(on) {
    const writes = EDITS.includes(role);
    if (mode.on !== on) mode.set(on);
    editing.setAttribute("aria-pressed", String(!on));
    suggesting.setAttribute("aria-pressed", String(on));
    session.editor.readOnly = session.ended || !(writes || on);
    surface.dataset.mode = on ? "suggesting" : "editing";
    reason.hidden = !on;
  }

  /** Editors choose; reviewers only suggest; viewers do neither. */
  function roleChanged(now) {
    role = now;
    const writes = EDITS.includes(role);
    node.hidden = !writes && role !== "reviewer";
    editing.hidden = !writes;
    apply(!node.hidden && (!writes || mode.on));
  }

  editing.addEventListener("click", () => apply(false));
  suggesting.addEventListener("click", () => apply(true));
  reason.addEventListener("change", () => mode.setReason(reason.value));

  const relist = coalesced(async () => {
    const { data } = await api(`/statements/${statementId}/suggestions`);
    live.take(data);
    for (const suggestion of data) mode.updated(suggestion);
  });
  live.onChange(redraw);
  live.onStale(() => relist().catch(reportFailure));

  /** A live event about a suggestion: the object itself, or only word of it (list again). */
  function event(frame) {
    const suggestion = frame.suggestion;
    if (suggestion && typeof suggestion === "object" && suggestion.start !== undefined) {
      live.put(suggestion);
      mode.updated(suggestion);
    } else {
      relist().catch(reportFailure);
    }
  }

  async function decide(suggestion, action, done) {
    try {
      await api(`/statements/${statementId}/suggestions/${suggestion.id}/${action}`, { method: "POST", body: {} });
      notify(`${done} suggestion ${suggestion.id}.`);
      closeCard({ refocus: true });
    } catch (failure) {
      notify(failure.detail ?? failure.message, "error");
    }
  }

  function openCard(id, { focus = false } = {}) {
    const suggestion = live.get(id);
    if (!suggestion) return;
    openId = id;
    const who = suggestion.author.organisation ? `${suggestion.author.name}, ${suggestion.author.organisation}` : suggestion.author.name;
    const actions = el("div", { class: "actions" });
    const button = (text, action, done, kind = "") => el("button", {
      type: "button", class: `button button-small ${kind}`, text, onclick: () => decide(suggestion, action, done),
    });
    if (suggestion.status === "open" && canDecide(role)) {
      actions.append(button("Accept", "accept", "Accepted"), button("Reject", "reject", "Rejected", "button-secondary"));
    }
    if (suggestion.status === "open" && suggestion.author.id === me.id) {
      actions.append(button("Withdraw", "withdraw", "Withdrew", "button-secondary"));
    }
    const close = el("button", { type: "button", class: "link-button card-close", "aria-label": "Close", text: "×", onclick: () => closeCard({ refocus: true }) });
    card.setAttribute("aria-label", `Suggestion by ${suggestion.author.name}`);
    card.style.setProperty("--peer", colourOf(suggestion.author));
    card.replaceChildren(close,
      el("p", { class: "suggestion-card-who", text: `${who} suggests` }),
      el("p", { class: "suggestion-change" }, ...change(suggestion)),
      suggestion.reason ? el("p", { class: "suggestion-card-reason", text: suggestion.reason }) : "",
      actions.childElementCount ? actions : "");
    card.hidden = false;
    placeCard();
    if (focus) (actions.querySelector("button") ?? close).focus();
  }

  /** Put the card just under its suggestion's mark, within the surface. */
  function placeCard() {
    // Under what it would put in, if anything, so as not to hide it; else under the strike.
    const mark = layer.querySelector(`.suggested-insert[data-suggestion="${openId}"] > *`)
      ?? layer.querySelector(`[data-suggestion~="${openId}"]`);
    if (!mark) return;
    const box = mark.getClientRects()[0] ?? mark.getBoundingClientRect();
    const frame = surface.getBoundingClientRect();
    const left = Math.max(0, Math.min(box.left - frame.left, frame.width - card.offsetWidth));
    card.style.left = `${left}px`;
    card.style.top = `${box.bottom - frame.top + 4}px`;
  }

  function closeCard({ refocus = false } = {}) {
    const inside = card.contains(document.activeElement);
    openId = null;
    card.hidden = true;
    if (refocus && inside) session.editor.textarea.focus({ preventScroll: true });
  }

  /** The caret placed in a suggestion opens its card; placed elsewhere, closes it. */
  function atCaret() {
    const selection = session.editor.selection();
    if (!selection) return;
    const found = suggestionAt(shown().filter((one) => one.id), selection.head);
    if (found) openCard(found.id);
    else closeCard();
  }

  const area = session.editor.textarea;
  area.addEventListener("click", atCaret);
  area.addEventListener("keyup", (event) => { if (NAVIGATION.test(event.key)) atCaret(); });
  layer.addEventListener("click", (event) => {
    const mark = event.target.closest(".suggested-insert");
    if (mark?.dataset.suggestion) openCard(Number(mark.dataset.suggestion), { focus: true });
  });
  card.addEventListener("keydown", (event) => { if (event.key === "Escape") closeCard({ refocus: true }); });

  return {
    node,
    frame: (frame) => mode.frame(frame),
    reconnected: () => mode.reconnected(),
    event,
    roleChanged,
    draw,
    start: () => relist(),
    stop: () => { apply(false); node.hidden = true; },
  };
}
