// Suggesting mode: what the person types does not change the draft. Each change the text area
// makes is taken back out of it and folded into the person's current suggestion, which is sent
// (and sent again, replacing itself, as it grows) with a `suggest` frame. Typing on where the
// current suggestion puts its text in extends it; Backspace takes back the last letter of it,
// or strikes out one more letter to the left once nothing of its own is left; typing anywhere
// else, or over a selection, starts a new one. So a run of typing in one place is one
// suggestion, not one per keystroke.

import { api } from "../api.js";
import { codePointLength } from "./operation.js";
import { asOperation, carried, singleEdit } from "./suggestions.js";

let refs = 0; // each suggest frame's own number, echoed in its answer
// A suggestion growing as its author types is sent again at most this often: everyone with
// the statement open hears of each sending, and this page draws it at once anyway.
const SEND_EVERY_MS = 300;

/** The first `count` code points of `text` taken off its end. */
function dropLast(text, count) {
  const points = [...text];
  return points.slice(0, Math.max(0, points.length - count)).join("");
}

/**
 * `current` ({start, end, insert} in the text shown, or null) after the person's `edit` (the
 * same shape: what the text area just did), `forward` when it was a forward deletion (the
 * Delete key). Returns {suggestion, caret, fresh}: the current suggestion now (possibly one
 * that changes nothing, to be dropped), where the caret goes, and whether it is a new one.
 */
export function fold(current, edit, { forward = false } = {}) {
  const { start, end, insert } = edit;
  if (current && start === end && current.start <= start && start <= current.end) {
    const suggestion = { ...current, insert: current.insert + insert };
    return { suggestion, caret: suggestion.end, fresh: false };
  }
  if (current && start < end && !insert) {
    if (current.insert && end === current.end && !forward) {
      const suggestion = { ...current, insert: dropLast(current.insert, end - start) };
      return { suggestion, caret: suggestion.end, fresh: false };
    }
    if (!current.insert && end >= current.start && start <= current.end) {
      const suggestion = { ...current, start: Math.min(current.start, start), end: Math.max(current.end, end) };
      return { suggestion, caret: forward ? suggestion.end : start, fresh: false };
    }
  }
  return { suggestion: { start, end, insert }, caret: forward || insert ? end : start, fresh: true };
}

const isEmpty = (suggestion) => suggestion.start === suggestion.end && !suggestion.insert;
const synced = (draft) => draft.sentVersion === draft.version;

/**
 * The mode on one live session. `live` is the page's LiveSuggestions; handlers: `changed()`
 * when the current suggestion changed (to redraw), `reasonUsed()` when a new suggestion
 * starts and the reason given belonged to the one before, `refused(message)`.
 */
export class Suggesting {
  constructor(session, live, handlers) {
    this.session = session;
    this.live = live;
    this.handlers = handlers;
    this.on = false;
    // Suggestions typed here, in the text shown: {key, id, start, end, insert, reason,
    // version, sentVersion}. The current one is typed into; the others wait to be sent.
    this.current = null;
    this.unsent = [];
    this.sent = null; // {ref, key, version} of the frame awaiting its answer
    this.version = 0;
    this.reason = "";
    this.forward = false;
    this.waiting = null; // stops waiting for this page's own changes to be confirmed
    this.later = null; // the timer that sends once SEND_EVERY_MS has passed
    this.sentAt = -Infinity;
    const area = session.editor.textarea;
    area.addEventListener("beforeinput", (event) => {
      this.forward = event.inputType.startsWith("delete") && event.inputType.endsWith("Forward");
    });
    // Others' changes move these suggestions, or outdate them (the server knows that too).
    session.trackers.add((op) => {
      if (this.current) this.current = carried(this.current, op);
      this.unsent = this.unsent.map((draft) => carried(draft, op)).filter(Boolean);
    });
  }

  /** Turn the mode on or off. */
  set(on) {
    this.on = on;
    this.finish();
    this.session.editor.divert = on ? (op) => this.take(op) : null;
    this.handlers.changed();
  }

  /** The current suggestion is done: typing from now on starts another. */
  finish() {
    if (this.current && !synced(this.current)) this.unsent.push(this.current);
    this.current = null;
  }

  /** A change the text area made (and has taken back), on the text shown. */
  take(op) {
    const edit = singleEdit(op);
    if (!edit) return;
    const { suggestion, caret, fresh } = fold(this.current, edit, { forward: this.forward });
    if (fresh && this.current) {
      this.finish();
      if (this.reason) {
        this.reason = "";
        this.handlers.reasonUsed();
      }
    }
    this.version += 1;
    const key = fresh ? this.version : suggestion.key;
    this.current = { ...suggestion, key, id: fresh ? null : suggestion.id, reason: this.reason, version: this.version };
    this.session.editor.setSelection(caret, caret);
    this.handlers.changed();
    this.flush();
  }

  /** The reason given for the current suggestion (and for the next, until one starts). */
  setReason(reason) {
    this.reason = reason.trim();
    if (!this.current || this.current.reason === this.reason) return;
    this.version += 1;
    this.current = { ...this.current, reason: this.reason, version: this.version };
    this.flush();
  }

  /** Send the first suggestion the server has not got as it is now. */
  flush() {
    if (this.sent || this.waiting || this.later) return;
    const draft = [...this.unsent, this.current].find((one) => one && !synced(one));
    if (!draft) return;
    const wait = this.sentAt + SEND_EVERY_MS - performance.now();
    if (wait > 0) {
      this.later = setTimeout(() => {
        this.later = null;
        this.flush();
      }, wait);
      return;
    }
    const client = this.session.client;
    if (!client.synchronized) {
      // Positions are sent on the server's revision: wait until the page's changes are on it.
      this.waiting = client.onChange(() => {
        if (!client.synchronized) return;
        this.waiting();
        this.waiting = null;
        this.flush();
      });
      return;
    }
    if (isEmpty(draft)) {
      this.forget(draft);
      if (draft.id) this.withdraw(draft.id);
      this.flush();
      return;
    }
    refs += 1;
    this.sentAt = performance.now();
    this.sent = { ref: refs, key: draft.key, version: draft.version };
    const length = codePointLength(this.session.editor.value);
    this.session.connection.send({
      type: "suggest",
      ref: refs,
      base_rev: client.rev,
      op: asOperation(draft, length),
      ...(draft.reason ? { reason: draft.reason } : {}),
      ...(draft.id ? { replaces: draft.id } : {}),
    });
  }

  forget(draft) {
    if (this.current?.key === draft.key) this.current = null;
    this.unsent = this.unsent.filter((one) => one.key !== draft.key);
  }

  async withdraw(id) {
    try {
      await api(`/statements/${this.session.statementId}/suggestions/${id}/withdraw`, { method: "POST" });
    } catch (failure) {
      this.handlers.refused(failure.detail ?? failure.message);
    }
  }

  /** A frame for this mode (`suggested`, or an error naming a `ref`); false if not one. */
  frame(frame) {
    if (!this.sent || frame.ref !== this.sent.ref) return false;
    const sent = this.sent;
    this.sent = null;
    const draft = [...this.unsent, this.current].find((one) => one?.key === sent.key);
    if (frame.type === "error") {
      if (draft) this.forget(draft);
      this.handlers.refused(`Your suggestion could not be made: ${frame.message}`);
    } else {
      this.live.put(frame.suggestion);
      if (draft) {
        draft.id = frame.suggestion.id;
        if (draft.version === sent.version) draft.sentVersion = sent.version;
        if (draft !== this.current && synced(draft)) this.forget(draft);
      }
    }
    this.handlers.changed();
    this.flush();
    return true;
  }

  /** The socket is back: a frame sent while it was going may never have arrived. */
  reconnected() {
    this.sent = null;
    this.flush();
  }

  /** A suggestion decided, withdrawn or outdated elsewhere is no longer typed into here. */
  updated(suggestion) {
    if (suggestion.status === "open") return;
    const draft = [...this.unsent, this.current].find((one) => one?.id === suggestion.id);
    if (draft) {
      this.forget(draft);
      this.handlers.changed();
    }
  }

  /** The suggestions typed here, as the marks draw them, made by `me`. */
  shown(me) {
    return [...this.unsent, this.current]
      .filter((one) => one && !isEmpty(one))
      .map((one) => ({ ...one, status: "open", author: me, delete: "" }));
  }
}
