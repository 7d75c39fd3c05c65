// One's stance on each section of a version while a review round is open on it: what one
// said, what was carried over from an earlier round because the section's words stayed the
// same, and what changed since one last approved it; with a compact way to answer each.

import { api } from "../api.js";
import { codePointToUtf16 } from "../collab/operation.js";
import { plural } from "../labels.js";
import { clearFormError, el, fill, showFormError } from "../ui.js";
import { STANCES } from "./statement-review.js";

// A stance button's name goes on with the section's: "Request changes to Resources".
const JOINS = { approve: " ", abstain: " on ", request_changes: " to ", block: " " };
const CONTEXT = 60; // characters of unchanged words kept beside each change in a diff

function titleOf(item) {
  return item.level === 0 ? "Preamble" : item.heading || "Untitled section";
}

function nameOf(item) {
  return item.level === 0 ? "the preamble" : titleOf(item);
}

/** Unchanged words between changes, shortened to their ends when they run long. */
function unchanged(text, first, last) {
  const chars = Array.from(text);
  const head = first ? 0 : CONTEXT;
  const tail = last ? 0 : CONTEXT;
  if (chars.length <= head + tail + 20) return text;
  return `${chars.slice(0, head).join("")}${head ? " " : ""}…${tail ? " " : ""}${chars.slice(chars.length - tail).join("")}`;
}

/** A word diff's [kind, text] pieces, drawn as the compare page draws changes. */
function wordDiff(pieces) {
  return pieces.map(([kind, text], index) => {
    if (kind === "insert") return el("ins", {}, el("span", { class: "visually-hidden", text: "added: " }), text);
    if (kind === "delete") return el("del", {}, el("span", { class: "visually-hidden", text: "removed: " }), text);
    return unchanged(text, index === 0, index === pieces.length - 1);
  });
}

/** "1 section changed since you last approved it; 2 carried over; 1 still to answer." */
function summaryOf(items) {
  const changed = items.filter((item) => item.changed).length;
  const carried = items.filter((item) => item.carried_from !== null).length;
  const asked = items.filter((item) => item.asked).length;
  const said = [];
  if (changed) said.push(`${plural(changed, "section")} changed since you last approved ${changed === 1 ? "it" : "them"}`);
  if (carried) said.push(`${said.length ? carried : plural(carried, "section")} carried over`);
  if (asked) said.push(`${said.length ? asked : plural(asked, "section")} still to answer`);
  else said.push(said.length ? "you have a stance on every section" : "You have a stance on every section");
  return `${said.join("; ")}.`;
}

/** Select a section in the version's text and bring it into view. */
function showInText(fixed, item) {
  const start = codePointToUtf16(fixed.text, item.start);
  fixed.textarea.focus({ preventScroll: true });
  fixed.textarea.setSelectionRange(start, codePointToUtf16(fixed.text, item.end));
  // The overlay holds the same text laid out as the text area: find where the section starts.
  const walker = document.createTreeWalker(fixed.overlay, NodeFilter.SHOW_TEXT);
  let left = start;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (left < node.data.length) {
      const range = document.createRange();
      range.setStart(node, left);
      range.setEnd(node, left + 1);
      window.scrollBy({ top: range.getBoundingClientRect().top - window.innerHeight / 4 });
      return;
    }
    left -= node.data.length;
  }
  fixed.textarea.scrollIntoView({ block: "start" });
}

function hidden(text) {
  return el("span", { class: "visually-hidden", text });
}

/**
 * One section's card: its heading, one's stance on it (or that it is asked), the changes
 * since one approved it, and the buttons to answer. `act` = {record, takeBack, show}.
 */
function sectionCard(number, act) {
  let item = null;
  const now = el("div", { class: "section-stance-now" });
  const reason = el("textarea", { id: `section-reason-${number}`, name: "reason", rows: "1" });
  const label = el("label", { for: reason.id }, "Reason");
  const buttons = Object.entries(STANCES).map(([kind, text]) => el("button", {
    type: "button",
    class: `button button-small ${kind === "approve" ? "" : "button-secondary"}`,
    "data-kind": kind,
  }, text));
  const form = el("form", { class: "form section-stance-form" },
    el("p", { class: "form-error", role: "alert", hidden: true }),
    el("div", { class: "field" }, label, reason),
    el("div", { class: "section-stance-choices" }, buttons));
  form.addEventListener("submit", (event) => event.preventDefault());
  const said = el("p", { class: "stance-recorded", "aria-live": "polite", tabindex: "-1", hidden: true });
  const title = el("h4", { id: `section-title-${number}` });
  const show = el("button", { type: "button", class: "link-button" }, "Show in the text");
  const node = el("section", { class: "section-stance", "aria-labelledby": title.id },
    el("div", { class: "section-stance-head" }, title, show), now, form, said);

  async function step(work, message) {
    clearFormError(form);
    said.hidden = true;
    const controls = [...buttons, ...now.querySelectorAll("button")];
    controls.forEach((button) => { button.disabled = true; });
    try {
      await work();
      said.textContent = message;
      said.hidden = false;
      said.focus();
    } catch (error) {
      showFormError(form, error.detail ?? error.message);
    } finally {
      controls.forEach((button) => { button.disabled = false; });
    }
  }

  for (const button of buttons) {
    const kind = button.dataset.kind;
    button.addEventListener("click", () => step(async () => {
      await act.record(item.section, kind, reason.value);
      reason.value = "";
    }, `Recorded: ${STANCES[kind]}.`));
  }
  show.addEventListener("click", () => act.show(item));

  function standing() {
    if (item.asked) return [el("p", { class: "section-asked", text: "Your stance is asked" })];
    const back = el("button", { type: "button", class: "button button-small button-secondary" },
      "Take back", hidden(` your stance on ${nameOf(item)}`));
    back.addEventListener("click", () => step(() => act.takeBack(item.section), "Taken back: your stance on this section is asked again."));
    return [
      el("p", { class: "section-stance-mine" }, "Your stance: ",
        el("span", { class: `badge stance-${item.stance}`, text: STANCES[item.stance] ?? item.stance }),
        item.carried_from !== null ? el("span", { class: "section-carried", text: ` carried from version ${item.carried_from}` }) : null),
      item.reason ? el("p", { class: "stance-reason", text: item.reason }) : null,
      el("div", {}, back),
    ];
  }

  function update(next) {
    item = next;
    const name = nameOf(item);
    title.textContent = titleOf(item);
    node.dataset.section = item.section;
    node.classList.toggle("section-stance-asked", item.asked);
    fill(show, "Show in the text", hidden(` (${titleOf(item)})`));
    fill(label, "Reason", hidden(` for ${name}`));
    form.setAttribute("aria-label", `Stance on ${titleOf(item)}`);
    buttons.forEach((button) => fill(button, STANCES[button.dataset.kind], hidden(`${JOINS[button.dataset.kind]}${name}`)));
    const changes = item.changed && item.diff
      ? el("div", { class: "section-changes" },
        el("p", { text: `Changed since version ${item.approved_on}, which you approved:` }),
        el("div", { class: "draft diff-inline section-diff", role: "region", "aria-label": `Changes to ${name} since version ${item.approved_on}` }, wordDiff(item.diff)))
      : null;
    // Redrawn in place: whatever had focus in it keeps it if it is still there.
    fill(now, standing(), changes);
  }

  return { node, update };
}

/**
 * The block of section cards for the open round on a version; `load(roundId)` (re)reads one's
 * sections in that round, `load(null)` hides the block (no round open on this version).
 */
export function sectionStances(statementId, fixed) {
  const summary = el("p", { class: "section-summary" });
  const list = el("div", { class: "section-stances" });
  const node = el("section", { class: "stack-tight section-stances-block", "aria-labelledby": "sections-heading", hidden: true },
    el("h3", { id: "sections-heading", text: "Your stance, section by section" }),
    el("p", { class: "hint", text: "Answer each section on its own; a reason is needed to request changes or to block. A stance on a section whose words stay the same carries over to the next round." }),
    summary,
    list);
  let round = null;
  let cards = new Map(); // section → card, kept while the round lasts
  let loads = 0;
  const base = `/statements/${statementId}/rounds`;

  async function load(roundId) {
    const ticket = ++loads;
    if (roundId === null) {
      node.hidden = true;
      round = null;
      return;
    }
    const found = await api(`${base}/${roundId}/sections`);
    if (ticket !== loads) return; // a later read is under way: its answer counts
    if (roundId !== round) {
      round = roundId;
      cards = new Map();
    }
    const drawn = [...list.children];
    const order = found.data.map((item, index) => {
      if (!cards.has(item.section)) cards.set(item.section, sectionCard(`${roundId}-${index}`, act));
      const card = cards.get(item.section);
      card.update(item);
      return card.node;
    });
    if (order.length !== drawn.length || order.some((card, index) => card !== drawn[index])) fill(list, order);
    summary.textContent = summaryOf(found.data);
    node.hidden = found.count === 0;
  }

  const act = {
    record: async (section, kind, reason) => {
      await api(`${base}/${round}/stances`, { method: "POST", body: { kind, reason, section } });
      await load(round);
    },
    takeBack: async (section) => {
      await api(`${base}/${round}/stances/${encodeURIComponent(section)}`, { method: "DELETE" });
      await load(round);
    },
    show: (item) => showInText(fixed, item),
  };

  return { node, load };
}
