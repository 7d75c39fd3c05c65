// One person's live session on a statement: the text area, the OT client, the socket and
// the journal wired together. The page gets the status, the people here and final reasons.

import { api } from "../api.js";
import { Client } from "./client.js";
import { Connection } from "./connection.js";
import { TextEditor } from "./editor.js";
import { applyToRuns } from "./authorship.js";
import { adopt, claim, save } from "./journal.js";
import { apply, transformPosition } from "./operation.js";
import { drawOverlay } from "./overlay.js";

const PRESENCE_EVERY_MS = 120;
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
   * @param {object} options `statementId`, `me` (the signed-in user), `role` (as the page
   *   loaded it), `textarea`,
   *   `overlay`, and handlers: `status(name,
   *   unsynced)`, `peers(list)`, `roleChanged(role)`, `final(reason, message)`, `refused(message)`,
   *   `drawn(text)` after the text shown changed, `saveAsked()` on Ctrl+S, `event(frame)`
   *   for every live event
   */
  constructor({ statementId, me, role, textarea, overlay, ...handlers }) {
    this.statementId = statementId;
    this.myId = me.id;
    this.role = role;
    this.overlay = overlay;
    this.handlers = handlers;
    this.peers = new Map(); // client id → {user, client_id, selection (local), rev}
    this.held = []; // frames held back while an input method composes
    this.runs = null; // authorship runs of the text shown, when they are on show
    this.authorLog = null; // changes shown while the runs are being fetched
    this.colours = new Map(); // writer id → colour
    this.presenceTimer = null;
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
    const journal = await adopt(this.statementId);
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
    this.client.onChange(() => {
      if (!save(this.statementId, this.client)) this.handlers.refused("This browser could not keep a copy of your unsent changes.");
      this.reportStatus();
    });
    this.editor.setText(text);
    // Writing may start before the socket connects (or while the server is away): the
    // journal keeps it until it can be sent.
    this.setRole(this.role);
    this.connection = new Connection(() => socketUrl(this.statementId, clientId, this.client.rev), {
      frame: (frame) => this.receive(frame),
      status: () => this.reportStatus(),
      final: (reason, message) => this.handlers.final(reason, message),
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
      case "ack":
        this.connection.acknowledged();
        return this.client.ack(frame.seq, frame.rev);
      case "op": {
        this.colours.set(frame.author.id, frame.author.colour);
        // A change this person made through the API (restoring a version) is theirs to undo.
        const undoable = frame.author.id === this.myId && frame.client_id.startsWith("http-");
        return this.applyRemote(this.client.remote(frame.rev, frame.op), frame.author.id, { undoable });
      }
      case "presence": return this.presence(frame);
      case "event": return this.event(frame);
      case "error": return this.error(frame);
      default: return undefined;
    }
  }

  releaseHeld() {
    const held = this.held;
    this.held = [];
    for (const frame of held) this.receive(frame);
  }

  hello(frame) {
    this.peers.clear();
    for (const peer of frame.peers) this.peers.set(peer.client_id, { ...peer, selection: null });
    this.setRole(frame.role);
    this.me = frame.you;
    this.colours.set(frame.you.id, frame.you.colour);
    for (const { op, author } of this.client.catchUp(frame.ops ?? [])) this.applyRemote(op, author);
    this.handlers.peers(this.people());
    this.reportStatus();
    this.sendPresence();
  }

  setRole(role) {
    this.role = role;
    this.editor.readOnly = !["facilitator", "editor"].includes(role);
    this.handlers.roleChanged(role);
  }

  applyRemote(op, author, { undoable = false } = {}) {
    this.editor.applyRemote(op, { undoable });
    this.movePeers(op);
    this.track(op, author);
    this.redraw();
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
    for (const peer of this.peers.values()) {
      if (!peer.selection) continue;
      peer.selection = {
        anchor: transformPosition(peer.selection.anchor, op),
        head: transformPosition(peer.selection.head, op),
      };
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
      this.peers.set(frame.client_id, { user: frame.user, client_id: frame.client_id, selection });
    }
    this.handlers.peers(this.people());
    this.redraw();
  }

  event(frame) {
    if (frame.name === "member.role_changed") this.setRole(frame.role);
    this.handlers.event?.(frame);
  }

  error(frame) {
    if (frame.code === "rate_limited" || frame.code === "not_saved") {
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
    this.client.inflight = null;
    this.client.buffer = null;
    this.client.changed();
    const head = await api(`/statements/${this.statementId}/text`);
    this.client.rev = head.rev;
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
    for (const writer of found.writers) this.colours.set(writer.id, writer.colour);
    let runs = found.runs;
    for (const op of pending) runs = applyToRuns(runs, op, this.myId);
    for (const [op, author] of log) runs = applyToRuns(runs, op, author);
    this.authorLog = null;
    this.runs = runs;
    this.redraw();
    return found.writers;
  }

  redraw() {
    if (this.redrawing) return;
    this.redrawing = true;
    requestAnimationFrame(() => {
      this.redrawing = false;
      const authorship = this.runs?.map(([length, writer]) => [length, this.colours.get(writer) ?? null]);
      drawOverlay(this.overlay, this.editor.textarea.value, [...this.peers.values()], authorship);
      this.handlers.drawn?.(this.editor.textarea.value);
    });
  }
}
