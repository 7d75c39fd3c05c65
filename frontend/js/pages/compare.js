// Compare two states of the statement: any two versions or the live draft, inline or side by
// side, with counts, folded unchanged stretches, and who wrote each addition; or the text of
// one side with the open suggestions on it drawn in place.

import { api } from "../api.js";
import { plural } from "../labels.js";
import { startPage, statementIdFromPath } from "../layout.js";
import { diffMarkup } from "../safe-html.js";
import { byId, el, fill, reportFailure, setTitle, showPageError } from "../ui.js";

function choices(versions, selected) {
  const options = [el("option", { value: "live", text: "Live draft" })];
  for (const version of versions) {
    options.push(el("option", { value: String(version.number), text: `Version ${version.number}: ${version.name}` }));
  }
  for (const option of options) option.selected = option.value === selected;
  return options;
}

function counts(diff) {
  const { words_added: added, words_removed: removed, paragraphs_changed: changed, paragraphs_moved: moved } = diff.counts;
  if (!added && !removed && !moved) return el("p", { class: "diff-counts", text: "The two texts are the same." });
  return el("p", { class: "diff-counts" },
    el("span", { class: "count-added", text: `+${plural(added, "word")}` }),
    el("span", { class: "count-removed", text: `−${plural(removed, "word")}` }),
    el("span", { text: `${plural(changed, "paragraph")} changed` }),
    moved ? el("span", { text: `${plural(moved, "paragraph")} moved` }) : null);
}

/** Name the writers of each addition, and let a click on a writer pick out their additions. */
function writersOf(view, writers) {
  const found = new Map();
  for (const node of view.querySelectorAll("ins[data-authors]")) {
    const ids = node.dataset.authors.split(" ").map(Number);
    const names = ids.map((id) => writers.get(id)?.name ?? "a former member");
    node.title = `Added by ${names.join(", ")}`;
    const first = writers.get(ids[0]);
    if (first) node.style.setProperty("--peer", first.colour);
    for (const id of ids) found.set(id, (found.get(id) ?? 0) + 1);
  }
  if (found.size === 0) return null;
  const list = el("ul", { class: "writers", "aria-label": "Who added what" });
  for (const [id, count] of found) {
    const who = writers.get(id) ?? { name: "a former member", colour: "var(--border-strong)" };
    const button = el("button", { type: "button", class: "link-button", "aria-pressed": "false" },
      el("span", { class: "presence-dot" }), `${who.name} (${plural(count, "addition")})`);
    button.style.setProperty("--peer", who.colour);
    button.addEventListener("click", () => {
      const on = button.getAttribute("aria-pressed") !== "true";
      list.querySelectorAll("button").forEach((other) => other.setAttribute("aria-pressed", "false"));
      button.setAttribute("aria-pressed", String(on));
      view.querySelectorAll("ins[data-authors]").forEach((node) => {
        node.classList.toggle("picked", on && node.dataset.authors.split(" ").includes(String(id)));
      });
    });
    list.append(el("li", {}, button));
  }
  return list;
}

function row(item) {
  if (item.kind === "fold") {
    const hidden = item.rows.map(row);
    const cells = el("td", { colspan: "4" });
    const unfold = el("button", { type: "button", class: "link-button", text: `Show ${plural(item.hidden, "unchanged paragraph")}` });
    const fold = el("tr", { class: "fold" }, cells);
    cells.append(unfold);
    unfold.addEventListener("click", () => {
      fold.replaceWith(...hidden);
      hidden[0]?.querySelector("td")?.focus();
    });
    return fold;
  }
  const side = (html, line) => [
    el("td", { class: "line-number", text: line ?? "" }),
    el("td", { class: `side side-${item.kind}`, tabindex: "-1" }, html === null || html === undefined ? "" : diffMarkup(html)),
  ];
  return el("tr", { class: `row-${item.kind}` }, side(item.old_html, item.old_line), side(item.new_html, item.new_line));
}

function sideBySide(diff) {
  return el("table", { class: "side-by-side" },
    el("colgroup", {},
      el("col", { class: "line-number-column" }), el("col", {}),
      el("col", { class: "line-number-column" }), el("col", {})),
    el("thead", {}, el("tr", {},
      el("th", { colspan: "2", scope: "col", text: diff.old_name }),
      el("th", { colspan: "2", scope: "col", text: diff.new_name }))),
    el("tbody", {}, diff.rows.map(row)));
}

const UNDECIDED = new Set(["open", "voting"]);

/**
 * The side compared to, with the open suggestions that stand on it: all of the live draft's,
 * or those on a version's text. Answers {name, text, suggestions}, placed in that text.
 */
async function suggestedSide(id, ref) {
  if (ref !== "live") {
    const [version, found] = await Promise.all([
      api(`/statements/${id}/versions/${ref}`),
      api(`/statements/${id}/versions/${ref}/suggestions`),
    ]);
    return { name: `Version ${version.number}: ${version.name}`, text: version.text, suggestions: found.data };
  }
  // Each answers where it stands at one revision: read the text at that same revision.
  const all = (await api(`/statements/${id}/suggestions`)).data.filter((s) => UNDECIDED.has(s.status));
  const rev = all.length ? Math.max(...all.map((s) => s.rev)) : null;
  const live = await api(rev === null ? `/statements/${id}/text` : `/statements/${id}/text?rev=${rev}`);
  return { name: `Live draft (revision ${live.rev})`, text: live.text, suggestions: all.filter((s) => s.rev === live.rev) };
}

/** The text with each suggestion in place: what it would remove struck, what it would put in
 * underlined, in its suggester's colour, with who and why on hover. Positions are code points. */
function suggestedText(side, writers) {
  const chars = Array.from(side.text);
  const ordered = [...side.suggestions].sort((a, b) => a.start - b.start || a.id - b.id);
  const parts = [];
  let cursor = 0;
  for (const suggestion of ordered) {
    if (suggestion.start >= cursor) {
      parts.push(chars.slice(cursor, suggestion.start).join(""));
      cursor = suggestion.start;
    }
    // Overlapping another, it is drawn after it, with the words it would remove.
    const removed = suggestion.start >= cursor || suggestion.end <= suggestion.start
      ? chars.slice(suggestion.start, suggestion.end).join("") : suggestion.delete;
    const author = suggestion.author;
    const who = author.organisation ? `${author.name} (${author.organisation})` : author.name;
    const mark = el("span", {
      class: "suggested",
      "data-suggestion": String(suggestion.id),
      title: `Suggested by ${who}${suggestion.reason ? `: ${suggestion.reason}` : ""}`,
    },
    removed ? el("del", { text: removed }) : null,
    suggestion.insert ? el("ins", { text: suggestion.insert }) : null);
    const colour = writers.get(author.id)?.colour;
    if (colour) mark.style.setProperty("--peer", colour);
    parts.push(mark);
    cursor = Math.max(cursor, suggestion.end);
  }
  parts.push(chars.slice(cursor).join(""));
  const count = side.suggestions.length;
  return [
    el("p", { class: "suggested-count", text: count ? `${plural(count, "open suggestion")} on ${side.name}` : `No open suggestion on ${side.name}.` }),
    el("div", { class: "draft suggested-text", role: "region", "aria-label": `${side.name} with its open suggestions` }, parts),
  ];
}

async function main() {
  await startPage();
  const content = byId("content");
  const id = statementIdFromPath();
  const params = new URLSearchParams(window.location.search);
  let statement, versions, members;
  try {
    [statement, versions, members] = await Promise.all([
      api(`/statements/${id}`),
      api(`/statements/${id}/versions`),
      api(`/statements/${id}/members`),
    ]);
  } catch (error) {
    showPageError(content, error);
    return;
  }
  setTitle(`Compare · ${statement.title}`);
  const writers = new Map(members.data.map((m) => [m.user_id, { name: m.name, colour: m.colour }]));
  const newest = versions.data[0]?.number;
  const from = el("select", { id: "compare-from" }, choices(versions.data, params.get("from") ?? String(versions.data[1]?.number ?? newest ?? "live")));
  const to = el("select", { id: "compare-to" }, choices(versions.data, params.get("to") ?? (versions.data[1] ? String(newest) : "live")));
  let mode = params.get("view") === "side" ? "side" : "inline";
  const modes = ["inline", "side"].map((name) => el("button", {
    type: "button",
    class: "segment",
    "aria-pressed": String(mode === name),
    text: name === "inline" ? "Inline" : "Side by side",
  }));
  const result = el("div", { class: "compare-result", "aria-live": "polite" });
  let diff = null;
  let beside = null; // the comments on the version compared to
  let suggested = null; // the side drawn with its open suggestions, while that is shown
  let loads = 0;
  const showing = el("button", {
    type: "button",
    class: "button button-secondary button-small",
    "aria-pressed": String(params.get("suggestions") === "on"),
    text: "Show open suggestions",
  });
  const showingSuggestions = () => showing.getAttribute("aria-pressed") === "true";

  function address() {
    const query = new URLSearchParams({ from: from.value, to: to.value, view: mode });
    if (showingSuggestions()) query.set("suggestions", "on");
    history.replaceState(null, "", `?${query}`);
  }

  function draw() {
    if (!diff) return;
    modes.forEach((button, index) => button.setAttribute("aria-pressed", String(!suggested && ["inline", "side"][index] === mode)));
    if (suggested) {
      fill(result, counts(diff), ...suggestedText(suggested, writers), beside);
      return;
    }
    const view = mode === "inline"
      ? el("div", { class: "draft diff-inline", role: "region", "aria-label": "Changes" }, diffMarkup(diff.html))
      : el("div", { role: "region", "aria-label": "Changes", class: "side-scroll" }, sideBySide(diff));
    fill(result,
      counts(diff),
      diff.line_endings_normalised ? el("p", { class: "muted", text: "The texts break lines differently; line endings are ignored." }) : null,
      mode === "inline" ? writersOf(view, writers) : null,
      view,
      beside);
  }

  /** The threads on the version being compared to, beside the changes. */
  async function versionComments() {
    if (to.value === "live") return null;
    const threads = await api(`/statements/${id}/threads?version=${to.value}`);
    if (threads.count === 0) return null;
    return el("section", { class: "version-comments", "aria-label": `Comments on version ${to.value}` },
      el("h2", { text: `Comments on version ${to.value}` }),
      el("ul", {}, threads.data.map((thread) => {
        const first = thread.comments[0];
        return el("li", {},
          el("q", { text: thread.quote }),
          first ? el("span", { text: ` ${first.author.name}: ${first.deleted_at ? "(deleted)" : first.body}` }) : null,
          thread.resolved_at ? el("span", { class: "muted", text: " (resolved)" }) : null);
      })),
      el("a", { href: `/statements/${id}/versions/${to.value}`, text: "Read and comment on this version" }));
  }

  async function load() {
    address();
    fill(result, el("p", { class: "muted", text: "Comparing…" }));
    loads += 1;
    const ticket = loads;
    try {
      const [found, comments, side] = await Promise.all([
        api(`/statements/${id}/diff?from=${from.value}&to=${to.value}`),
        versionComments(),
        showingSuggestions() ? suggestedSide(id, to.value) : null,
      ]);
      if (ticket !== loads) return; // another choice was made meanwhile: its answer counts
      diff = found;
      beside = comments;
      suggested = side;
      draw();
    } catch (error) {
      if (ticket === loads) showPageError(result, error, { backLink: false });
    }
  }

  modes.forEach((button, index) => button.addEventListener("click", () => {
    mode = ["inline", "side"][index];
    if (showingSuggestions()) showing.click(); // back to the changes, in the view chosen
    address();
    draw();
  }));
  showing.addEventListener("click", () => {
    const on = !showingSuggestions();
    showing.setAttribute("aria-pressed", String(on));
    if (on) {
      load();
    } else {
      suggested = null;
      address();
      draw();
    }
  });
  from.addEventListener("change", load);
  to.addEventListener("change", load);
  const swap = el("button", { type: "button", class: "button button-secondary button-small", text: "⇄ Swap" });
  swap.addEventListener("click", () => {
    [from.value, to.value] = [to.value, from.value];
    load();
  });

  fill(content,
    el("div", { class: "page-heading" },
      el("div", {},
        el("p", { class: "breadcrumb" }, el("a", { href: `/statements/${id}`, text: statement.title })),
        el("h1", { text: "Compare" }))),
    el("div", { class: "compare-controls" },
      el("div", { class: "field" }, el("label", { for: "compare-from", text: "From" }), from),
      swap,
      el("div", { class: "field" }, el("label", { for: "compare-to", text: "To" }), to),
      showing,
      el("div", { class: "segmented", role: "group", "aria-label": "View" }, modes)),
    versions.count === 0 ? el("p", { class: "muted", text: "Save a version first; then you can compare it with the live draft." }) : null,
    result);
  if (versions.count > 0) await load();
}

main().catch(reportFailure);
