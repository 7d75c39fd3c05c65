// A statement's history: play its growth revision by revision, with who wrote each passage,
// and jump to any editing session. The whole op log is loaded once and replayed here.

import { api } from "../api.js";
import { authoredText } from "../authored.js";
import { applyToRuns } from "../collab/authorship.js";
import { apply } from "../collab/operation.js";
import { plural } from "../labels.js";
import { startPage, statementIdFromPath } from "../layout.js";
import { byId, el, fill, formatDateTime, reportFailure, setTitle, showPageError } from "../ui.js";

const PAGE = 5000;
const CHECKPOINT_EVERY = 250; // revisions between kept states, so any revision is near one
const PLAY_SECONDS = 15; // a whole history plays in about this long

class Replay {
  constructor(changes) {
    this.changes = changes; // changes[i] is revision i + 1
    this.checkpoints = [{ text: "", runs: [] }];
    let state = this.checkpoints[0];
    changes.forEach((change, index) => {
      state = step(state, change);
      if ((index + 1) % CHECKPOINT_EVERY === 0) this.checkpoints.push(state);
    });
  }

  get head() {
    return this.changes.length;
  }

  at(rev) {
    const start = Math.floor(rev / CHECKPOINT_EVERY);
    let state = this.checkpoints[start];
    for (let r = start * CHECKPOINT_EVERY + 1; r <= rev; r += 1) state = step(state, this.changes[r - 1]);
    return state;
  }
}

function step(state, change) {
  return { text: apply(state.text, change.op), runs: applyToRuns(state.runs, change.op, change.author_id) };
}

async function loadChanges(id, progress) {
  const changes = [];
  for (;;) {
    const page = await api(`/statements/${id}/changes?after=${changes.length}&limit=${PAGE}`);
    changes.push(...page.data);
    progress.textContent = `Loading the history… ${plural(changes.length, "change")}`;
    if (page.count < PAGE) return changes;
  }
}

function sessionItem(session, writers, jump) {
  const names = session.authors.map((author) => author.name).join(", ");
  const button = el("button", { type: "button", class: "link-button session-jump", onClick: () => jump(session.last_rev) },
    `${formatDateTime(session.started_at)}`);
  return el("li", {},
    button,
    el("span", { class: "muted", text: ` · ${names} · ${plural(session.revisions, "change")}` }),
    el("span", { class: "session-writers" }, session.authors.map((author) => {
      const dot = el("span", { class: "presence-dot", title: author.name });
      dot.style.setProperty("--peer", writers.get(author.id)?.colour ?? "var(--border-strong)");
      return dot;
    })));
}

async function main() {
  await startPage();
  const content = byId("content");
  const id = statementIdFromPath();
  let statement, members, sessions;
  try {
    [statement, members, sessions] = await Promise.all([
      api(`/statements/${id}`),
      api(`/statements/${id}/members`),
      api(`/statements/${id}/history?limit=200`),
    ]);
  } catch (error) {
    showPageError(content, error);
    return;
  }
  setTitle(`History of ${statement.title}`);
  const progress = el("p", { class: "muted", role: "status", text: "Loading the history…" });
  fill(content, progress);
  const replay = new Replay(await loadChanges(id, progress));
  const writers = new Map(members.data.map((member, index) => [member.user_id, { name: member.name, colour: member.colour, mark: index % 4 }]));

  const slider = el("input", { type: "range", min: "0", max: String(replay.head), value: String(replay.head), id: "revision", "aria-label": "Revision" });
  const label = el("p", { class: "revision-label", "aria-live": "polite" });
  const colour = el("input", { type: "checkbox", id: "colour-writers", checked: true });
  const play = el("button", { type: "button", class: "button button-secondary", text: "▶ Play" });
  const text = el("div", { class: "draft history-text", role: "region", "aria-label": "Text at this revision" });
  let timer = null;

  function show(rev) {
    slider.value = String(rev);
    const state = replay.at(rev);
    const change = replay.changes[rev - 1];
    const writer = change ? writers.get(change.author_id)?.name ?? "a former member" : null;
    label.textContent = rev === 0
      ? `Revision 0 of ${replay.head}: the empty page`
      : `Revision ${rev} of ${replay.head} · ${formatDateTime(change.created_at)} · ${writer}`;
    fill(text, colour.checked ? authoredText(state.text, state.runs, writers) : state.text);
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    play.textContent = "▶ Play";
  }

  play.addEventListener("click", () => {
    if (timer) return stop();
    let rev = Number(slider.value) >= replay.head ? 0 : Number(slider.value);
    const stride = Math.max(1, Math.ceil(replay.head / (PLAY_SECONDS * 25)));
    play.textContent = "❚❚ Pause";
    timer = setInterval(() => {
      rev = Math.min(replay.head, rev + stride);
      show(rev);
      if (rev >= replay.head) stop();
    }, 40);
    return undefined;
  });
  slider.addEventListener("input", () => { stop(); show(Number(slider.value)); });
  colour.addEventListener("change", () => show(Number(slider.value)));

  const jump = (rev) => { stop(); show(rev); text.focus(); };
  fill(content,
    el("div", { class: "page-heading" },
      el("div", {},
        el("p", { class: "breadcrumb" }, el("a", { href: `/statements/${id}`, text: statement.title })),
        el("h1", { text: "History" }))),
    el("div", { class: "workspace" },
      el("section", { "aria-label": "Growth of the text", class: "stack-tight" },
        el("div", { class: "player" }, play, slider),
        el("div", { class: "writing-bar" },
          el("label", { class: "toggle" }, colour, " Colour by writer"),
          label),
        text),
      el("aside", { class: "side-panel", "aria-labelledby": "sessions-heading" },
        el("h2", { id: "sessions-heading", text: "Editing sessions" }),
        sessions.count
          ? el("ol", { class: "activity sessions" }, sessions.data.map((s) => sessionItem(s, writers, jump)))
          : el("p", { class: "muted", text: "Nobody has written anything yet." }))));
  text.tabIndex = -1;
  // `?rev=N` opens the page at that revision (a version's, say).
  const param = new URLSearchParams(window.location.search).get("rev");
  const asked = param === null ? NaN : Number(param);
  show(Number.isInteger(asked) && asked >= 0 && asked <= replay.head ? asked : replay.head);
}

main().catch(reportFailure);
