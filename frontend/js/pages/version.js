// One version: its text, which never changes, with the comments made on it, and, while a
// review round is open on it, one's stance, which may point at a passage of it.

import { api } from "../api.js";
import { drawOverlay } from "../collab/overlay.js";
import { codePointToUtf16, utf16ToCodePoint } from "../collab/operation.js";
import { startPage, statementIdFromPath } from "../layout.js";
import { byId, el, fill, formatDateTime, reportFailure, setTitle, showPageError } from "../ui.js";
import { commentsPanel } from "./statement-comments.js";
import { stanceForm } from "./statement-review.js";
import { sectionStances } from "./version-sections.js";

/** A version's fixed text, offering the comments panel what the live session offers. */
class FixedText {
  constructor(textarea, overlay, text) {
    this.textarea = textarea;
    this.overlay = overlay;
    this.text = text;
    this.threads = [];
    this.activeThread = null;
  }

  setThreads(threads) {
    this.threads = threads;
    this.redraw();
  }

  redraw() {
    const passages = this.threads.map((t) => ({ id: t.id, start: t.start, end: t.end, active: t.id === this.activeThread }));
    drawOverlay(this.overlay, this.text, [], null, passages);
  }

  async selectedPassage() {
    const { selectionStart, selectionEnd } = this.textarea;
    if (selectionStart === selectionEnd) return null;
    return {
      start: utf16ToCodePoint(this.text, selectionStart),
      end: utf16ToCodePoint(this.text, selectionEnd),
      quote: this.text.slice(selectionStart, selectionEnd),
    };
  }

  showPassage(id) {
    const thread = this.threads.find((t) => t.id === id);
    this.activeThread = id;
    this.redraw();
    if (!thread) return false;
    this.textarea.focus({ preventScroll: true });
    this.textarea.setSelectionRange(codePointToUtf16(this.text, thread.start), codePointToUtf16(this.text, thread.end));
    this.overlay.querySelector(".comment-passage.active")?.scrollIntoView({ block: "center" });
    return true;
  }

  threadAtCaret() {
    const caret = utf16ToCodePoint(this.text, this.textarea.selectionStart);
    return this.threads.find((t) => t.start <= caret && caret <= t.end)?.id ?? null;
  }
}

/**
 * Where a member records their stance while a round is open on this version; selecting a
 * passage in the text lets the stance point at it. Empty otherwise. Below it, `sections`:
 * their stance on each section of the version.
 */
function stanceSection(statementId, version, me, fixed) {
  const node = el("section", { class: "stack-tight", "aria-label": "Your stance on this version" });
  const sections = sectionStances(statementId, fixed);
  let kept = null; // the open round's form, kept across refreshes with its confirmation
  async function refresh() {
    const rounds = await api(`/statements/${statementId}/rounds`);
    const open = rounds.data.find((r) => r.closed_at === null && r.version === version.number);
    await sections.load(open ? open.id : null);
    if (!open) {
      fill(node);
      return;
    }
    if (kept?.round !== open.id) {
      const mine = open.participants.find((p) => p.user_id === me.id)?.stance ?? null;
      const url = `/statements/${statementId}/rounds/${open.id}/stances`;
      kept = { round: open.id, form: stanceForm(url, mine, () => refresh().catch(reportFailure), () => fixed.selectedPassage()) };
    }
    fill(node,
      el("h2", { text: "Review" }),
      el("p", { class: "muted", text: `A review round is open on this version: ${open.tally.summary}.` }),
      kept.form);
  }
  return { node, sections: sections.node, refresh };
}

async function main() {
  const me = await startPage();
  const content = byId("content");
  const id = statementIdFromPath();
  const number = Number(window.location.pathname.split("/").pop());
  let statement, version;
  try {
    [statement, version] = await Promise.all([
      api(`/statements/${id}`),
      api(`/statements/${id}/versions/${number}`),
    ]);
  } catch (error) {
    showPageError(content, error);
    return;
  }
  setTitle(`Version ${version.number} · ${statement.title}`);
  const textarea = el("textarea", { class: "editor-text", readonly: true, "aria-label": `Text of version ${version.number}` });
  textarea.value = version.text;
  const overlay = el("div", { class: "editor-overlay", "aria-hidden": "true" });
  const fixed = new FixedText(textarea, overlay, version.text);
  const canComment = statement.my_role !== "viewer";
  const comments = commentsPanel({
    statementId: id,
    me,
    canComment,
    canModerate: statement.my_role === "facilitator",
    session: fixed,
    version: version.number,
  });
  const stance = canComment ? stanceSection(id, version, me, fixed) : null;
  fill(content,
    el("div", { class: "page-heading" },
      el("div", {},
        el("p", { class: "breadcrumb" }, el("a", { href: `/statements/${id}`, text: statement.title })),
        el("h1", { text: `Version ${version.number}: ${version.name}` }))),
    el("p", { class: "muted" },
      `Saved by ${version.created_by.name}, ${formatDateTime(version.created_at)}, from revision ${version.rev}. `,
      el("a", { href: `/statements/${id}/compare?from=${version.number}&to=live`, text: "Compare with the live draft" })),
    version.note ? el("p", { class: "lead", text: version.note }) : null,
    el("div", { class: "workspace" },
      el("section", { "aria-label": "Version text" }, el("div", { class: "editor-surface" }, overlay, textarea)),
      el("aside", { class: "side-panel", "aria-label": "Review and comments on this version" }, stance?.node, stance?.sections, comments.node)));
  textarea.style.height = `${textarea.scrollHeight}px`;
  const point = () => {
    const thread = fixed.threadAtCaret();
    if (thread !== null) comments.focus(thread);
  };
  textarea.addEventListener("click", point);
  textarea.addEventListener("keyup", point);
  await Promise.all([comments.refresh(), stance?.refresh()]);
}

main().catch(reportFailure);
