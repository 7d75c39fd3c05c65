// The comments panel: threads on passages of the live draft, in text order, with filters;
// starting a thread on the selected text; replies, edits, deletion and resolving. What one
// posts takes the focus, so that a keyboard or a screen reader lands on it.

import { api } from "../api.js";
import { plural } from "../labels.js";
import { commentMarkup } from "../safe-html.js";
import { askFirst, el, fill, formatDateTime, formatRelative, notify, reportFailure } from "../ui.js";
import { focusAfterPosting, textForm } from "./comment-form.js";
import { commentNews } from "./statement-comment-news.js";

const FILTERS = [
  ["open", "Open"],
  ["resolved", "Resolved"],
  ["mine", "Mine"],
  ["mentions", "Mentions me"],
];
const QUOTE_CHARS = 160;

function shorten(text) {
  return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text;
}

/**
 * The panel for the live draft, or with `version` for that version's threads. `session` is the
 * text the threads are on: the live session, or a version's fixed text (see version.js).
 * `reveal()` shows the panel where it may be hidden (its tab), before a comment is started.
 * With `announce` (the page's announcer), new comments that concern this person are said.
 */
export function commentsPanel({ statementId, me, canComment, canModerate, session, version = null, reveal = () => {}, announce = null }) {
  let threads = [];
  const news = announce && version === null ? commentNews({ statementId, me, announce }) : () => {};
  let filter = "open";
  let linked = null; // a thread a link pointed at (#thread-5), shown once the list has it
  // What someone is writing outlives the live redraws of the list: each thread's reply box and
  // each comment's open edit box are made once and put back, text, caret and all, every time.
  const replies = new Map(); // thread id → its reply box
  const edits = new Map(); // comment id → the box editing it, while open
  const url = `/statements/${statementId}`;
  const list = el("ol", { class: "threads" });
  const empty = el("p", { class: "muted" });
  const filterButtons = FILTERS.map(([name, label]) => el("button", {
    type: "button",
    class: "segment",
    "aria-pressed": String(name === filter),
    text: label,
    onClick: () => {
      showOnly(name);
      draw();
    },
  }));

  function showOnly(name) {
    filter = name;
    filterButtons.forEach((button, index) => button.setAttribute("aria-pressed", String(FILTERS[index][0] === name)));
  }
  const starter = el("div", { class: "thread-starter" });
  const startButton = el("button", { type: "button", class: "button button-small", text: "Comment on the selected text" });
  const counter = { update: () => {} };

  function visible(thread) {
    const mine = thread.comments.some((c) => c.author.id === me.id);
    const mentioned = thread.comments.some((c) => c.mentions.includes(me.id));
    if (writingIn(thread)) return true; // hidden by no filter while something is typed in it
    if (filter === "open") return thread.resolved_at === null;
    if (filter === "resolved") return thread.resolved_at !== null;
    if (filter === "mine") return mine;
    return mentioned;
  }

  function writingIn(thread) {
    return Boolean(replies.get(thread.id)?.elements.body.value) || thread.comments.some((c) => edits.has(c.id));
  }

  function comment(thread, item) {
    const node = el("li", { class: "comment", "data-comment": String(item.id), tabindex: "-1" },
      el("p", { class: "comment-meta" },
        el("strong", { text: item.author.name }),
        item.author.organisation ? el("span", { class: "muted", text: ` · ${item.author.organisation}` }) : null,
        " · ",
        el("time", { datetime: item.created_at, title: formatDateTime(item.created_at), text: formatRelative(item.created_at) }),
        item.edited_at ? [" · ", earlierWordings(item)] : null));
    if (item.deleted_at) {
      node.append(el("p", { class: "comment-deleted", text: "This comment was deleted." }));
      return node;
    }
    const body = el("div", { class: "comment-body" }, commentMarkup(item.html));
    node.append(edits.get(item.id) ?? body);
    const actions = el("div", { class: "comment-actions" });
    if (item.author.id === me.id) {
      actions.append(el("button", {
        type: "button",
        class: "link-button",
        text: "Edit",
        onClick: () => {
          if (edits.has(item.id)) {
            edits.get(item.id).elements.body.focus(); // already open
            return;
          }
          const form = textForm({
            label: "Edit your comment",
            submit: "Save",
            value: item.body,
            onSave: async (text) => {
              await api(`${url}/comments/${item.id}`, { method: "PATCH", body: { body: text } });
              edits.delete(item.id);
              await refresh();
            },
            onCancel: () => {
              edits.delete(item.id);
              draw();
              list.querySelector(`[data-comment="${item.id}"]`)?.focus();
            },
          });
          edits.set(item.id, form);
          body.replaceWith(form);
          form.querySelector("textarea").focus();
        },
      }));
    }
    if (item.author.id === me.id || canModerate) {
      const remove = el("button", { type: "button", class: "link-button", text: "Delete" });
      askFirst(remove, {
        question: "Delete this comment? The thread keeps a note that it was here.",
        confirm: "Yes, delete",
        compact: true,
        action: async () => {
          await api(`${url}/comments/${item.id}`, { method: "DELETE" });
          await refresh();
        },
      });
      actions.append(remove);
    }
    if (actions.childElementCount) node.append(actions);
    return node;
  }

  /** "edited": a button that shows the comment's earlier wordings, oldest first. */
  function earlierWordings(item) {
    const button = el("button", {
      type: "button",
      class: "link-button",
      "aria-expanded": "false",
      title: `${plural(item.edits, "earlier wording")} kept`,
      text: "edited",
    });
    const shown = el("ol", { class: "earlier-wordings" });
    shown.hidden = true;
    button.addEventListener("click", async () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      if (open) {
        const found = await api(`${url}/comments/${item.id}/edits`);
        fill(shown, found.data.map((earlier) => el("li", {},
          el("time", { datetime: earlier.written_at, text: formatDateTime(earlier.written_at) }), ": ",
          el("span", { text: earlier.body }))));
      }
      shown.hidden = !open;
    });
    return el("span", {}, button, shown);
  }

  /** Whether the thread's passage is gone: as this page follows the text, or as last listed. */
  function gone(item) {
    return session.passages?.gone(item.id) ?? item.outdated;
  }

  function goneBadge() {
    return el("span", { class: "badge passage-gone", text: "Passage deleted" });
  }

  /** Mark, or unmark, the threads whose passage has just gone or come back. */
  function markGone() {
    for (const node of list.querySelectorAll(":scope > .thread")) {
      const item = threads.find((t) => String(t.id) === node.dataset.thread);
      const badge = node.querySelector(".passage-gone");
      if (item && gone(item) && !badge) node.querySelector(".thread-quote").prepend(goneBadge());
      if (item && !gone(item) && badge) badge.remove();
    }
  }

  function thread(item) {
    const quote = el("button", { type: "button", class: "thread-quote", title: "Show the passage in the text" },
      gone(item) ? goneBadge() : null,
      el("q", { text: shorten(item.quote) }));
    quote.addEventListener("click", () => {
      if (!session.showPassage(item.id)) notify("This passage is no longer in the text.");
      draw();
    });
    const node = el("li", {
      class: `thread${item.resolved_at ? " resolved" : ""}${session.activeThread === item.id ? " active" : ""}`,
      "data-thread": String(item.id),
      tabindex: "-1",
    }, quote, el("ol", { class: "comments" }, item.comments.map((c) => comment(item, c))));
    if (item.resolved_at) {
      node.append(el("p", { class: "muted resolved-note", text: `Resolved by ${item.resolved_by ?? "someone"}, ${formatRelative(item.resolved_at)}.` }));
    }
    if (canComment) {
      const resolve = el("button", {
        type: "button",
        class: "link-button",
        text: item.resolved_at ? "Reopen" : "Resolve",
        onClick: async () => {
          try {
            await api(`${url}/threads/${item.id}/${item.resolved_at ? "reopen" : "resolve"}`, { method: "POST" });
            await refresh();
          } catch (error) {
            reportFailure(error);
          }
        },
      });
      if (!replies.has(item.id)) {
        replies.set(item.id, textForm({
          label: "Reply",
          submit: "Reply",
          onSave: async (text) => {
            const made = await api(`${url}/threads/${item.id}/comments`, { method: "POST", body: { body: text } });
            const box = replies.get(item.id);
            box.reset(); // sent: not to be carried into the next drawing
            await refresh();
            focusAfterPosting(list.querySelector(`[data-comment="${made.id}"]`), box);
          },
        }));
      }
      const reply = replies.get(item.id);
      node.append(reply, el("div", { class: "thread-actions" }, resolve));
    }
    return node;
  }

  function draw() {
    const shown = threads.filter(visible);
    // A thread or comment that has the focus keeps it when the list is drawn again (as when
    // the live event of one's own comment arrives just after it was posted).
    // So does a box being written in, where the caret was.
    const focused = document.activeElement;
    const caret = focused instanceof HTMLTextAreaElement
      ? [focused.selectionStart, focused.selectionEnd, focused.selectionDirection] : null;
    const held = list.contains(focused) && (focused.dataset.comment ? `[data-comment="${focused.dataset.comment}"]`
      : focused.dataset.thread ? `[data-thread="${focused.dataset.thread}"]` : null);
    fill(list, shown.map(thread));
    if (list.contains(focused)) {
      focused.focus({ preventScroll: true });
      if (caret) focused.setSelectionRange(...caret);
    } else if (held) {
      list.querySelector(held)?.focus({ preventScroll: true });
    }
    empty.textContent = threads.length === 0
      ? "No comments yet. Select some text to comment on it."
      : "No thread matches this filter.";
    empty.hidden = shown.length > 0;
    counter.update(threads.filter((t) => t.resolved_at === null).length);
  }

  async function refresh() {
    const found = await api(`${url}/threads${version === null ? "" : `?version=${version}`}`);
    threads = found.data;
    news(threads);
    // Only open threads mark their passages in the text; resolving one clears its mark.
    session.setThreads(threads.filter((t) => t.resolved_at === null));
    draw();
    showLinked();
  }

  /** Show the thread a link pointed at: under the filter that lists it, its passage marked. */
  function showLinked() {
    const item = threads.find((t) => t.id === linked);
    if (!item) return;
    linked = null;
    if (!visible(item)) showOnly(item.resolved_at ? "resolved" : "open");
    session.showPassage?.(item.id);
    session.activeThread = item.id;
    draw();
    list.querySelector(`[data-thread="${item.id}"]`)?.focus();
  }

  startButton.addEventListener("click", async () => {
    startButton.disabled = true;
    try {
      const passage = await session.selectedPassage();
      if (!passage) {
        notify("Select the words you want to comment on first.");
        return;
      }
      const form = textForm({
        label: "Your comment",
        submit: "Comment",
        onSave: async (text) => {
          const where = version === null ? { rev: passage.rev } : { version };
          const made = await api(`${url}/threads`, {
            method: "POST",
            body: { start: passage.start, end: passage.end, ...where, body: text },
          });
          fill(starter, startButton);
          showOnly("open");
          session.activeThread = made.id;
          await refresh();
          focusAfterPosting(list.querySelector(`[data-thread="${made.id}"]`), starter);
        },
        onCancel: () => {
          fill(starter, startButton);
          startButton.focus();
        },
      });
      commentedOn = selectionKey();
      reveal();
      afloat.replaceChildren(); // the box takes the button's place
      fill(starter, el("blockquote", { class: "thread-quote-new", text: shorten(passage.quote) }), form);
      floatStarter();
      form.querySelector("textarea").focus();
    } finally {
      startButton.disabled = false;
    }
  });

  // On a narrow screen the comments sit below the whole draft: while words are selected the
  // button floats at the foot of the screen (see app.css), within reach of the selection. It
  // floats from a holder of its own right after the text (next for the Tab key too), out of
  // the Comments panel, which another tab may be hiding.
  const narrow = window.matchMedia("(max-width: 60rem)"); // as in app.css
  const afloat = el("div", { class: "thread-starter" });
  const area = session.editor?.textarea ?? session.textarea;
  let commentedOn = null; // the selection a comment was last started on: no need to float
  function selectionKey() {
    return area.selectionStart === area.selectionEnd ? null : `${area.selectionStart}:${area.selectionEnd}:${area.value.length}`;
  }
  function floatStarter() {
    const key = selectionKey();
    const float = key !== null && key !== commentedOn && (starter.contains(startButton) || afloat.contains(startButton));
    startButton.classList.toggle("floating", float);
    if (float && narrow.matches && !afloat.contains(startButton)) {
      if (!afloat.isConnected) (area.closest(".editor-surface") ?? area).after(afloat);
      afloat.append(startButton);
    } else if (!(float && narrow.matches) && afloat.contains(startButton)) {
      starter.prepend(startButton);
    }
  }
  if (canComment && area) {
    for (const name of ["select", "keyup", "pointerup", "input", "blur"]) area.addEventListener(name, floatStarter);
    document.addEventListener("selectionchange", floatStarter);
    narrow.addEventListener("change", floatStarter);
  }
  session.passages?.watch(() => {
    markGone();
    session.redraw(); // a passage back in the text is shaded again
  });
  // The page started again from the server's text: where the passages are is asked again.
  session.passages?.onRestart(() => refresh().catch(reportFailure));

  if (canComment) starter.append(startButton);
  const node = el("section", { "aria-label": "Comments", class: "stack-tight" },
    starter,
    el("div", { class: "segmented filters", role: "group", "aria-label": "Show" }, filterButtons),
    empty,
    list);

  return {
    node,
    refresh,
    counter,
    /** Show thread `id` once it is listed (a link to it was followed). */
    showThread(id) {
      linked = id;
      showLinked();
    },
    /** Point at a thread (when the caret enters its passage). */
    focus(id) {
      if (session.activeThread === id) return;
      session.activeThread = id;
      session.redraw();
      draw();
    },
  };
}
