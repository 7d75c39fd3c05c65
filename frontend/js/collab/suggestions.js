// Suggestions kept in step with the live text: the browser's copy of app/collab/proposals.py.
// A suggestion removes [start, end) (none for a pure insertion) and puts `insert` there. It
// moves with every later change exactly, as a passage does: text typed at either edge stays
// outside it, and a pure insertion's point moves as a caret does. A change that removes any of
// its characters, or types between them, outdates it.

import { transformPosition } from "./operation.js";

const CARRIED = new Set(["open", "voting"]); // the ones that follow the text
const LOG_KEPT = 2000;

/** The suggestion {start, end, ...} after `op`; null if `op` changed its characters. */
export function carried(suggestion, op) {
  const { start, end } = suggestion;
  if (start === end) {
    const point = transformPosition(start, op);
    return { ...suggestion, start: point, end: point };
  }
  let old = 0;
  for (const component of op) {
    if (typeof component === "string") {
      if (start < old && old < end) return null; // typed between its characters
    } else if (component > 0) {
      old += component;
    } else {
      if (Math.max(old, start) < Math.min(old - component, end)) return null; // some removed
      old -= component;
    }
  }
  return {
    ...suggestion,
    start: transformPosition(start, op),
    end: transformPosition(end, op, { insertedAfter: true }),
  };
}

/** The suggestion after each of `ops` in turn; null once one outdates it. */
export function follow(suggestion, ops) {
  let current = suggestion;
  for (const op of ops) {
    if (current === null) return null;
    current = carried(current, op);
  }
  return current;
}

/** The suggestion as an operation on a text of `length` code points. */
export function asOperation({ start, end, insert }, length) {
  const op = [];
  if (start > 0) op.push(start);
  if (insert) op.push(insert);
  if (end > start) op.push(start - end);
  if (length > end) op.push(length - end);
  return op;
}

/** The one contiguous change `op` makes: {start, end, insert}, or null for none. */
export function singleEdit(op) {
  let position = 0;
  let start = null;
  let end = null;
  let insert = "";
  for (const component of op) {
    if (typeof component === "number" && component > 0) {
      position += component;
      continue;
    }
    if (end !== null && position !== end) return null; // a second change
    start ??= position;
    if (typeof component === "string") insert += component;
    else position -= component;
    end = position;
  }
  return start === null ? null : { start, end, insert };
}

/**
 * The live draft's suggestions, kept on the server's revisions: each change the server
 * sequences carries the open ones (a change to their characters outdates them here as it does
 * on the server), and one known at a revision this page has not reached is held until it does.
 */
export class LiveSuggestions {
  constructor() {
    this.byId = new Map(); // id → the suggestion as the API gives it, start and end on `rev`
    this.rev = null;
    this.log = []; // recent server changes: {rev, op}
    this.held = new Map(); // id → a suggestion on a revision not reached yet
    this.listing = null; // a whole listing on a revision not reached yet
    this.listeners = new Set(); // told whenever what is shown may have changed
    this.stale = new Set(); // told when the suggestions must be listed again
  }

  /** Call `listener()` whenever the suggestions change; returns how to stop. */
  onChange(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Call `listener()` when the suggestions must be listed again; returns how to stop. */
  onStale(listener) {
    this.stale.add(listener);
    return () => this.stale.delete(listener);
  }

  changed() {
    for (const listener of this.listeners) listener();
  }

  /** Start following from revision `rev` (the page's, when it connects). */
  begin(rev) {
    if (this.rev === null) this.rev = rev;
  }

  /** Start again from revision `rev`: what was known may have missed changes before it. */
  restart(rev) {
    Object.assign(this, { byId: new Map(), rev, log: [], held: new Map(), listing: null });
    this.changed();
    for (const listener of this.stale) listener();
  }

  /** A change the server sequenced as revision `rev` (someone's, or this page's own). */
  sequenced(rev, op) {
    this.log.push({ rev, op });
    if (this.log.length > LOG_KEPT) this.log.splice(0, LOG_KEPT / 2);
    if (this.rev === null || rev !== this.rev + 1) return;
    for (const [id, suggestion] of this.byId) {
      if (!CARRIED.has(suggestion.status)) continue;
      const now = carried(suggestion, op);
      this.byId.set(id, now ? { ...now, rev } : { ...suggestion, status: "outdated" });
    }
    this.rev = rev;
    if (this.listing && this.listing.rev <= rev) this.take(this.listing.data);
    for (const [id, suggestion] of this.held) {
      if (suggestion.rev <= rev) {
        this.held.delete(id);
        this.put(suggestion);
      }
    }
    this.changed();
  }

  /** The newest revision a carried one among `suggestions` stands on. */
  static newest(suggestions) {
    return Math.max(0, ...suggestions.filter((s) => CARRIED.has(s.status)).map((s) => s.rev));
  }

  /** The suggestions as the API lists them, each on its own `rev`. */
  take(suggestions) {
    const newest = LiveSuggestions.newest(suggestions);
    if (this.rev === null || newest > this.rev) {
      this.listing = { data: suggestions, rev: newest };
      return;
    }
    this.listing = null;
    this.byId = new Map();
    for (const suggestion of suggestions) this.place(suggestion);
    this.changed();
  }

  /** One suggestion as the API gives it (from an event, or the answer to a `suggest`). */
  put(suggestion) {
    if (this.rev === null || (CARRIED.has(suggestion.status) && suggestion.rev > this.rev)) {
      this.held.set(suggestion.id, suggestion);
      return;
    }
    this.held.delete(suggestion.id);
    this.place(suggestion);
    this.changed();
  }

  /** Keep `suggestion`, carried from its revision to this one through the logged changes. */
  place(suggestion) {
    if (!CARRIED.has(suggestion.status) || suggestion.rev === this.rev) {
      this.byId.set(suggestion.id, { ...suggestion });
      return;
    }
    const later = this.log.filter(({ rev }) => rev > suggestion.rev && rev <= this.rev);
    if (later.length !== this.rev - suggestion.rev) {
      // The changes since are no longer known here: list the suggestions again.
      for (const listener of this.stale) listener();
      return;
    }
    const now = follow(suggestion, later.map(({ op }) => op));
    this.byId.set(suggestion.id, now ? { ...now, rev: this.rev } : { ...suggestion, status: "outdated" });
  }

  get(id) {
    return this.byId.get(id);
  }

  /** The ones that follow the text, where they show in it: carried through `pending`. */
  shown(pending) {
    const result = [];
    for (const suggestion of this.byId.values()) {
      if (!CARRIED.has(suggestion.status)) continue;
      const now = follow(suggestion, pending);
      if (now) result.push(now);
    }
    return result.sort((a, b) => a.start - b.start || a.id - b.id);
  }
}
