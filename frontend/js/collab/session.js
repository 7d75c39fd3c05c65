// One person's live session on a statement: the text area, the OT client, the socket and
// the journal wired together. The page gets the status, the people here and final reasons.

import { api } from "../api.js";
import { Client } from "./client.js";
import { Connection } from "./connection.js";
import { TextEditor } from "./editor.js";
import { applyToRuns } from "./authorship.js";
import { adopt, claim, release, save } from "./journal.js";
import { Passages, movePassage } from "./passages.js";
import { apply, transformPosition } from "./operation.js";
import { drawOverlay } from "./overlay.js";

const PRESENCE_EVERY_MS = 120;
const ACTIVE_MS = 4000; // a caret is named this long after its owner last typed or moved it
const MARKS = 4; // underline styles that tell writers apart without colour
const RETRY_REFUSED_MS = 1000;

function newClientId() {
  return crypto.randomUUID().replaceAll("-", "");
}

function socketUrl(statementId, clientId, since) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}/ws/statements/${statementId}?client_id=${clientId}&since=${since}`;
}

/** Where a position on the server's revision stands in the text shown here. */
function local(position, client) {
  let result = position;
  if (client.inflight) result = transformPosition(result, client.inflight.op);
  if (client.buffer) result = transformPosition(result, client.buffer.op);
  return result;
}

export class LiveSession {
  /**
   * @param {object} options `statementId`, `me` (the signed-in user), `role` (as the page loaded it), `textarea`,
   *   `overlay`, and handlers: `status(name, unsynced)`, `peers(list)`, `roleChanged(role)`, `refused(message)`,
   *   `final(reason, message, unsynced)`, `drawn(text)` after the text shown changed, `saveAsked()` on Ctrl+S,
   *   `event(frame)` for every live event, `frame(frame)` for other frames and errors that name a `ref`
   */
  constructor({ statementId, me, role, textarea, overlay, ...handlers }) {
    this.statementId = statementId;
    this.myId = me.id;
    this.role = role;
    this.overlay = overlay;
    this.handlers = handlers;
    this.peers = new Map(); // client id → {user, client_id, selection (local), activeAt}
    this.held = []; // frames held back while an input method composes
    this.runs = null; // authorship runs of the text shown, when they are on show
    this.authorLog = null; // changes shown while the runs are being fetched
    this.colours = new Map(); // writer id → colour
    this.writers = new Map(); // writer id → {name, colour, mark}: how passages show their writer
    this.fading = null; // the timer that redraws when a caret's owner stops being active
    this.passages = new Passages(); // where comment threads are anchored in the live draft
    this.followers = new Set([this.passages]); // told of every change the server sequences
    this.activeThread = null;
    this.trackers = new Set(); // functions told of every change shown
    this.presenceTimer = null;
    this.ended = false; // the server closed the session for good
    this.editor = new TextEditor(textarea, {
      change: (op) => {
        this.movePeers(op);
        this.track(op, this.myId);
        this.client.local(op);
        this.redraw();
      },
      selection: () => this.schedulePresence(),
      compositionEnd: () => this.releaseHeld(),
      saveAsked: () => handlers.saveAsked?.(),
    });
    textarea.addEventListener("input", () => this.redraw());
  }

  /** Load the text (and any journal left by an earlier page), then connect. */
  async start() {
    const journal = await adopt(this.statementId, this.myId);
    const clientId = journal?.clientId ?? newClientId();
    if (!journal) await claim(clientId);
    const query = journal ? `?rev=${journal.rev}` : "";
    const base = await api(`/statements/${this.statementId}/text${query}`);
    let text = base.text;
    if (journal?.inflight) text = apply(text, journal.inflight.op);
    if (journal?.buffer) text = apply(text, journal.buffer.op);
    this.client = new Client(base.rev, {
      clientId,
      seq: journal?.seq ?? 0,
      inflight: journal?.inflight ?? null,
      buffer: journal?.buffer ?? null,
      send: (frame) => this.connection.send(frame),
    });
    for (const follower of this.followers) follower.begin(this.client.rev, base.text);
    this.client.onChange(() => {
      if (this.ended) return; // the journal is the next page's now
      if (!save(this.statementId, this.client, this.myId)) this.handlers.refused("This browser could not keep a copy of your unsent changes.");
      this.reportStatus();
    });
    this.editor.setText(text);
    // Writing may start before the socket connects (or while the server is away): the
    // journal keeps it until it can be sent.
    this.setRole(this.role);
    this.connection = new Connection(() => socketUrl(this.statementId, clientId, this.client.rev), {
      frame: (frame) => this.receive(frame),
      status: () => this.reportStatus(),
      final: (reason, message) => this.end(reason, message),
    });
    this.connection.open();
    this.redraw();
  }

  reportStatus() {
    this.handlers.status(this.connection?.status ?? "connecting", this.client?.unsynced ?? 0);
  }

  receive(frame) {
    if (this.editor.composing && frame.type !== "presence") {
      this.held.push(frame);
      return;
    }
    switch (frame.type) {
      case "hello": return this.hello(frame);
      case "ack": {
        this.connection.acknowledged();
        const mine = this.client.inflight?.seq === frame.seq ? this.client.inflight.op : null;
        this.client.ack(frame.seq, frame.rev);
        if (mine) this.sequenced(frame.rev, mine);
        return undefined;
      }
      case "op": {
        this.colours.set(frame.author.id, frame.author.colour);
        this.noteWriter(frame.author);
        const peer = this.peers.get(frame.client_id);
        if (peer) peer.activeAt = performance.now();
        // A change this person made through the API (restoring a version) is theirs to undo.
        this.sequenced(frame.rev, frame.op);
        const undoable = frame.author.id === this.myId && frame.undoable === true;
        return this.applyRemote(this.client.remote(frame.rev, frame.op), frame.author.id, { undoable });
      }
      case "presence": return this.presence(frame);
      case "event": return this.event(frame);
      case "error": return frame.ref === undefined ? this.error(frame) : this.handlers.frame?.(frame);
      default: return this.handlers.frame?.(frame);
    }
  }

  sequenced(rev, op) {
    for (const follower of this.followers) follower.sequenced(rev, op);
  }

  releaseHeld() {
    const held = this.held;
    this.held = [];
    for (const frame of held) this.receive(frame);
  }

  hello(frame) {
    this.peers.clear();
    this.setRole(frame.role);
    this.me = frame.you;
    this.colours.set(frame.you.id, frame.you.colour);
    for (const change of frame.ops ?? []) this.sequenced(change.rev, change.op);
    for (const { op, author } of this.client.catchUp(frame.ops ?? [])) this.applyRemote(op, author);
    // Carets as they stand at the hello's revision, idle ones too: drawn at once, unnamed.
    for (const peer of frame.peers) {
      const selection = peer.selection && {
        anchor: local(peer.selection.anchor, this.client),
        head: local(peer.selection.head, this.client),
      };
      this.peers.set(peer.client_id, { user: peer.user, client_id: peer.client_id, selection, activeAt: -Infinity });
    }
    this.redraw();
    this.handlers.peers(this.people());
    this.reportStatus();
    this.sendPresence();
  }

  /**
   * The server closed the session and retrying cannot help (the sign-in ended, or the person
   * left the statement). The text stays on show, read only, since nothing typed from now on
   * could reach anyone; changes not confirmed stay in the journal, given up to the next page
   * that opens the statement, which sends them once the person is signed in again.
   */
  end(reason, message) {
    this.ended = true;
    this.editor.readOnly = true;
    clearTimeout(this.presenceTimer);
    // Who is here and where their carets are is no longer known to this page.
    this.peers.clear();
    this.me = null;
    this.handlers.peers(this.people());
    this.redraw();
    release(this.client.clientId);
    this.handlers.final(reason, message, this.client.unsynced);
  }

  setRole(role) {
    this.role = role;
    this.editor.readOnly = this.ended || !["facilitator", "editor"].includes(role);
    this.handlers.roleChanged(role);
  }

  applyRemote(op, author, { undoable = false } = {}) {
    this.editor.applyRemote(op, { undoable });
    this.movePeers(op);
    this.track(op, author);
    this.redraw();
  }

  /** The threads of the live draft (as the API lists them): their passages are kept here. */
  setThreads(threads, active = this.activeThread) {
    this.passages.take(threads);
    this.activeThread = active;
    this.redraw();
  }

  /**
   * The selected passage, as the server will know it: {start, end, rev, quote}, or null with
   * nothing selected. Waits until this page's changes are confirmed (the passage moving with
   * every change meanwhile), so that its positions are those of revision `rev`.
   */
  async selectedPassage() {
    let { start, end } = this.editor.selectedRange();
    if (start === end) return null;
    const area = this.editor.textarea;
    const quote = area.value.slice(area.selectionStart, area.selectionEnd);
    const track = (op) => { [start, end] = movePassage(start, end, op); };
    this.trackers.add(track);
    try {
      while (!this.client.synchronized) {
        let stop;
        await new Promise((resolve) => { stop = this.client.onChange(resolve); });
        stop();
      }
    } finally {
      this.trackers.delete(track);
    }
    return start < end ? { start, end, rev: this.client.rev, quote } : null;
  }

  /** Where each live thread's passage is in the text shown: id → {start, end}. */
  shownPassages() {
    if (!this.client) return new Map();
    return this.passages.shown([this.client.inflight?.op, this.client.buffer?.op].filter(Boolean));
  }

  /** Select a thread's passage in the text area and bring it into view. */
  showPassage(id) {
    const passage = this.shownPassages().get(id);
    this.activeThread = id;
    this.redraw();
    if (!passage || passage.start === passage.end) return false;
    this.editor.textarea.focus({ preventScroll: true });
    this.editor.setSelection(passage.start, passage.end);
    requestAnimationFrame(() => this.overlay.querySelector(".comment-passage.active")?.scrollIntoView({ block: "center" }));
    return true;
  }

  /** The thread whose passage holds the caret, if any. */
  threadAtCaret() {
    const selection = this.editor.selection();
    if (!selection) return null;
    for (const [id, { start, end }] of this.shownPassages()) {
      if (start < end && start <= selection.head && selection.head <= end) return id;
    }
    return null;
  }

  /** Keep the authorship runs in step with a change shown (or log it while they load). */
  track(op, author) {
    if (this.authorLog) this.authorLog.push([op, author]);
    else if (this.runs) this.runs = applyToRuns(this.runs, op, author);
  }

  /** Everyone with the statement open, this person first. */
  people() {
    const others = [...this.peers.values()];
    return this.me ? [{ user: this.me, client_id: this.client.clientId, selection: null }, ...others] : others;
  }

  movePeers(op) {
    for (const track of this.trackers) track(op);
    for (const peer of this.peers.values()) {
      if (!peer.selection) continue;
      const { anchor, head } = peer.selection;
      peer.selection = { anchor: transformPosition(anchor, op), head: transformPosition(head, op) };
    }
  }

  presence(frame) {
    if (frame.left) {
      this.peers.delete(frame.client_id);
    } else {
      const selection = frame.selection && {
        anchor: local(frame.selection.anchor, this.client),
        head: local(frame.selection.head, this.client),
      };
      const known = this.peers.get(frame.client_id);
      // Arriving is not moving: a caret is named once its owner places or moves it.
      const activeAt = selection ? performance.now() : known?.activeAt ?? -Infinity;
      this.peers.set(frame.client_id, { user: frame.user, client_id: frame.client_id, selection, activeAt });
    }
    this.handlers.peers(this.people());
    this.redraw();
  }

  event(frame) {
    if (frame.name === "member.role_changed") this.setRole(frame.role);
    this.handlers.event?.(frame);
  }

  error(frame) {
    // Too fast: the server reads this page's frames at its rate from now on, dropping none.
    if (frame.code === "rate_limited") return;
    if (frame.code === "not_saved") {
      // Nothing was applied; the change in flight goes again with its own seq.
      setTimeout(() => { if (this.client.inflight) this.client.sendInflight(); }, RETRY_REFUSED_MS);
      return;
    }
    if (frame.seq !== undefined && this.client.inflight?.seq === frame.seq) {
      this.handlers.refused(`Your last change could not be saved: ${frame.message}`);
      this.resync();
    }
  }

  /** Drop what the server refused and start again from its text. */
  async resync() {
    this.client.inflight = this.client.buffer = null;
    this.editor.readOnly = true; // what is typed before the server's text is in would be refused too
    this.client.changed();
    const head = await api(`/statements/${this.statementId}/text`).finally(() => this.setRole(this.role));
    this.client.rev = head.rev;
    for (const follower of this.followers) follower.restart(head.rev, head.text); // listed again
    this.editor.setText(head.text);
    this.connection.drop();
    this.connection.reconnectNow();
    this.redraw();
  }

  schedulePresence() {
    if (this.presenceTimer) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      this.sendPresence();
    }, PRESENCE_EVERY_MS);
  }

  sendPresence() {
    if (!this.client) return;
    this.connection.send({ type: "presence", selection: this.editor.selection(), rev: this.client.rev });
  }

  /**
   * Show or hide who wrote what. The runs come from the server for the revision this page
   * stands on; the changes not confirmed yet, and those shown while the runs load, are
   * applied on top. Returns the writers ({id, name, organisation, colour}) when shown.
   */
  async showAuthorship(on) {
    if (!on) {
      this.runs = null;
      this.authorLog = null;
      this.redraw();
      return [];
    }
    const pending = [this.client.inflight?.op, this.client.buffer?.op].filter(Boolean);
    const log = [];
    this.authorLog = log;
    const found = await api(`/statements/${this.statementId}/authorship?rev=${this.client.rev}`);
    if (this.authorLog !== log) return []; // turned off (or on again) meanwhile
    this.writers.clear();
    for (const writer of found.writers) {
      this.colours.set(writer.id, writer.colour);
      this.noteWriter(writer);
    }
    if (this.me) this.noteWriter(this.me); // for what this person writes from now on
    let runs = found.runs;
    for (const op of pending) runs = applyToRuns(runs, op, this.myId);
    for (const [op, author] of log) runs = applyToRuns(runs, op, author);
    this.authorLog = null;
    this.runs = runs;
    this.redraw();
    return found.writers.map((writer) => ({ ...writer, mark: this.writers.get(writer.id).mark }));
  }

  /** Give a writer, seen for the first time, the next underline style. */
  noteWriter(user) {
    if (!this.writers.has(user.id)) this.writers.set(user.id, { name: user.name, colour: user.colour, mark: this.writers.size % MARKS });
  }

  /** Others' carets, each marked active while its owner typed or moved it lately. */
  shownPeers() {
    const now = performance.now();
    let next = Infinity;
    const shown = [...this.peers.values()].map((peer) => {
      const until = peer.activeAt + ACTIVE_MS;
      if (until > now) next = Math.min(next, until);
      return { ...peer, active: until > now };
    });
    clearTimeout(this.fading);
    if (next < Infinity) this.fading = setTimeout(() => this.redraw(), next - now + 20);
    return shown;
  }

  redraw() {
    if (this.redrawing) return;
    this.redrawing = true;
    requestAnimationFrame(() => {
      this.redrawing = false;
      const authorship = this.runs?.map(([length, writer]) => {
        const colour = this.colours.get(writer);
        const known = this.writers.get(writer);
        return [length, colour ? { colour, mark: known?.mark ?? 0, name: known?.name ?? "" } : null];
      });
      const passages = [...this.shownPassages()].map(([id, { start, end }]) => ({ id, start, end, active: id === this.activeThread }));
      drawOverlay(this.overlay, this.editor.textarea.value, this.shownPeers(), authorship, passages);
      this.handlers.drawn?.(this.editor.textarea.value);
    });
  }
}
