// Passages that comments are anchored to, kept in step with the text: the browser's copy of
// app/services/anchors.py. A passage keeps to its own characters; text typed inside joins it,
// text typed at its edges stays outside; when all of it is deleted it is empty (outdated).
// An empty passage moves like a caret and takes its quote again when the quote stands whole
// around it once more (a deletion undone), at the same revision as the server does.

import { apply, codePointLength, codePointToUtf16, invert, transformPosition } from "./operation.js";

/** The passage [start, end) after `op`. */
export function movePassage(start, end, op) {
  let old = 0;
  let now = 0;
  let first = null;
  let last = 0;
  for (const component of op) {
    if (typeof component === "string") {
      now += codePointLength(component);
    } else if (component > 0) {
      const low = Math.max(old, start);
      const high = Math.min(old + component, end);
      if (low < high) {
        if (first === null) first = now + low - old;
        last = now + high - old;
      }
      old += component;
      now += component;
    } else {
      old -= component;
    }
  }
  if (first === null) {
    const gone = transformPosition(start, op);
    return [gone, gone];
  }
  return [first, last];
}

/**
 * An empty passage last seen between `low` and `high` (the two sides of what was just inserted
 * where it stood): the first place where `quote` stands whole and touches that stretch, or
 * still empty at `high`.
 */
export function reattach(low, high, quote, text) {
  const length = codePointLength(quote);
  const from = Math.max(0, low - length);
  const at = codePointToUtf16(text, from);
  const found = text.slice(at, codePointToUtf16(text, high + length)).indexOf(quote);
  if (length === 0 || found < 0) return [high, high];
  const start = from + codePointLength(text.slice(at, at + found));
  return [start, start + length];
}

/** The text after `op`; null when not known (nor is it if the change does not fit it). */
function following(text, op) {
  if (text === null) return null;
  try {
    return apply(text, op);
  } catch {
    return null; // not worth stopping the page for: empty passages just stay empty
  }
}

/**
 * A passage {start, end, quote} after `op`. `after()` gives the text after the change (null
 * if not known); it is asked for only when the passage is empty.
 */
function carry(passage, op, after) {
  const { start, end } = passage;
  if (start < end) {
    const [first, last] = movePassage(start, end, op);
    if (first < last) return { ...passage, start: first, end: last };
  }
  const [low, high] = [transformPosition(start, op, { insertedAfter: true }), transformPosition(start, op)];
  const text = after();
  const [first, last] = text === null ? [high, high] : reattach(low, high, passage.quote, text);
  return { ...passage, start: first, end: last };
}

/**
 * The comment passages of the live draft, kept on the server's revisions: each change the
 * server sequences moves them, and where they show in the text area is worked out through
 * the changes not yet confirmed.
 */
export class Passages {
  constructor() {
    this.byId = new Map(); // thread id → {start, end, quote}, on revision `rev`
    this.rev = null;
    this.text = null; // the text at `rev`, where an empty passage looks for its quote
    this.waiting = null; // threads fetched on a revision this page has not reached yet
    this.log = []; // recent server changes: {rev, op, undo} (undo: back to the text before)
    this.watchers = new Set(); // told when a passage is deleted or takes its quote again
    this.restarted = new Set(); // told when the passages must be taken again
  }

  /** Call `listener()` when the threads must be taken again (see restart); returns how to stop. */
  onRestart(listener) {
    this.restarted.add(listener);
    return () => this.restarted.delete(listener);
  }

  /**
   * Start again from revision `rev`, whose text is `text`: the page has dropped what it knew
   * (its text set again to the server's, after a refused change), and may have missed changes
   * before `rev`. The passages are unknown until the threads are taken again, as listed now.
   */
  restart(rev, text) {
    this.byId = new Map();
    this.rev = rev;
    this.text = text;
    this.waiting = null;
    this.log = [];
    for (const listener of this.restarted) listener();
  }

  /** Call `listener()` whenever a passage empties or fills again; returns how to stop. */
  watch(listener) {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /** Whether the thread's passage is gone from the text (undefined for a thread not kept). */
  gone(id) {
    const passage = this.byId.get(id);
    return passage ? passage.start === passage.end : undefined;
  }

  /** A change the server sequenced as revision `rev` (someone's, or this page's own). */
  sequenced(rev, op) {
    const next = this.rev !== null && rev === this.rev + 1;
    const undo = next && this.text !== null ? invert(op, this.text) : null;
    this.log.push({ rev, op, undo });
    if (this.log.length > 2000) this.log.splice(0, 1000);
    if (next) {
      const before = this.emptied();
      this.text = following(this.text, op);
      for (const [id, passage] of this.byId) this.byId.set(id, carry(passage, op, () => this.text));
      this.rev = rev;
      this.tellIfChanged(before);
    }
    if (this.waiting && this.waiting.rev <= rev) this.take(this.waiting.threads);
  }

  /** Threads as the API lists them, each passage on the thread's own `rev`. */
  take(threads) {
    const live = threads.filter((thread) => thread.version === null);
    const newest = Math.max(0, ...live.map((thread) => thread.rev));
    const known = this.rev ?? newest;
    if (newest > known) {
      this.waiting = { threads, rev: newest }; // taken once the page reaches that revision
      return;
    }
    this.waiting = null;
    const before = this.emptied();
    this.byId = new Map();
    for (const thread of live) {
      let passage = { start: thread.start, end: thread.end, quote: thread.quote };
      let text; // the text after the change replayed, once an empty passage asks for it
      for (const { rev, op } of this.log) {
        if (rev <= thread.rev || rev > known) continue;
        if (text !== undefined) text = following(text, op);
        passage = carry(passage, op, () => {
          if (text === undefined) text = this.textAt(rev);
          return text;
        });
      }
      this.byId.set(thread.id, passage);
    }
    this.rev = known;
    this.tellIfChanged(before);
  }

  /** Start following from revision `rev` (the page's, when it connects), whose text is `text`. */
  begin(rev, text = null) {
    if (this.rev !== null) return;
    this.rev = rev;
    this.text = text;
  }

  /** The text at revision `rev`, undoing the logged changes after it; null if not known. */
  textAt(rev) {
    let text = this.text;
    for (let index = this.log.length - 1; index >= 0 && text !== null; index--) {
      const { rev: at, undo } = this.log[index];
      if (at > this.rev) continue;
      if (at <= rev) return text;
      text = undo ? following(text, undo) : null;
    }
    return this.log.length && this.log[0].rev === rev + 1 ? text : null;
  }

  emptied() {
    return [...this.byId].filter(([, p]) => p.start === p.end).map(([id]) => id).join();
  }

  tellIfChanged(before) {
    if (this.emptied() !== before) for (const listener of this.watchers) listener();
  }

  /** Where each passage shows in the text area: moved through the unconfirmed `pending`. */
  shown(pending) {
    const result = new Map();
    for (const [id, passage] of this.byId) {
      let { start, end } = passage;
      for (const op of pending) if (start < end) [start, end] = movePassage(start, end, op);
      result.set(id, { start, end });
    }
    return result;
  }
}
