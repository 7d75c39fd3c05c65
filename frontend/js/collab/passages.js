// Passages that comments are anchored to, kept in step with the text: the browser's copy of
// app/services/anchors.py. A passage keeps to its own characters; text typed inside joins it,
// text typed at its edges stays outside; when all of it is deleted it is empty (outdated).

import { codePointLength, transformPosition } from "./operation.js";

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
 * The comment passages of the live draft, kept on the server's revisions: each change the
 * server sequences moves them, and where they show in the text area is worked out through
 * the changes not yet confirmed.
 */
export class Passages {
  constructor() {
    this.byId = new Map(); // thread id → {start, end}, on revision `rev`
    this.rev = null;
    this.waiting = null; // threads fetched on a revision this page has not reached yet
    this.log = []; // recent server changes: {rev, op}
  }

  /** A change the server sequenced as revision `rev` (someone's, or this page's own). */
  sequenced(rev, op) {
    this.log.push({ rev, op });
    if (this.log.length > 2000) this.log.splice(0, 1000);
    if (this.rev !== null && rev === this.rev + 1) {
      for (const [id, passage] of this.byId) {
        if (passage.start === passage.end) continue;
        const [start, end] = movePassage(passage.start, passage.end, op);
        this.byId.set(id, { start, end });
      }
      this.rev = rev;
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
    this.byId = new Map();
    for (const thread of live) {
      let [start, end] = [thread.start, thread.end];
      for (const { rev, op } of this.log) {
        if (rev > thread.rev && rev <= known && start < end) [start, end] = movePassage(start, end, op);
      }
      this.byId.set(thread.id, { start, end });
    }
    this.rev = known;
  }

  /** Start following from revision `rev` (the page's, when it connects). */
  begin(rev) {
    if (this.rev === null) this.rev = rev;
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
