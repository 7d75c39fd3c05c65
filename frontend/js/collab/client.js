// The client side of the live editing protocol, as ot.js's client: at most one change in
// flight (AwaitingConfirm), the rest composed into a buffer (AwaitingWithBuffer), remote
// changes transformed over both. It knows nothing of sockets or text areas: `send` puts a
// frame on the wire (or nowhere while offline), and the caller applies what `remote`
// returns to the text it shows.

import { compose, transform } from "./operation.js";

export class Client {
  /**
   * @param {number} rev the revision the text shown was made from
   * @param {object} options `send(frame)`; `clientId` and `seq` to go on from a journal;
   *   `inflight` ({seq, op, count}) and `buffer` ({op, count}) changes not yet acknowledged
   */
  constructor(rev, { send, clientId, seq = 0, inflight = null, buffer = null }) {
    this.rev = rev;
    this.send = send;
    this.clientId = clientId;
    this.seq = seq;
    this.inflight = inflight;
    this.buffer = buffer;
    this.listeners = new Set();
  }

  /** How many of this person's edits the server has not confirmed yet. */
  get unsynced() {
    return (this.inflight?.count ?? 0) + (this.buffer?.count ?? 0);
  }

  get synchronized() {
    return this.inflight === null && this.buffer === null;
  }

  /** Call `listener()` whenever the unconfirmed changes or the revision change; returns a
   * function that stops it. */
  onChange(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed() {
    for (const listener of this.listeners) listener(this);
  }

  /** An edit made here, on the text as shown. */
  local(op) {
    if (this.inflight === null) {
      this.seq += 1;
      this.inflight = { seq: this.seq, op, count: 1 };
      this.sendInflight();
    } else if (this.buffer === null) {
      this.buffer = { op, count: 1 };
    } else {
      this.buffer = { op: compose(this.buffer.op, op), count: this.buffer.count + 1 };
    }
    this.changed();
  }

  sendInflight() {
    const { seq, op } = this.inflight;
    this.send({ type: "op", base_rev: this.rev, seq, op });
  }

  /** The server made the change in flight revision `rev`; the buffer goes next. */
  ack(seq, rev, { sendNext = true } = {}) {
    if (this.inflight === null || seq !== this.inflight.seq) return;
    this.rev = rev;
    this.inflight = null;
    if (this.buffer !== null) {
      this.seq += 1;
      this.inflight = { seq: this.seq, ...this.buffer };
      this.buffer = null;
      if (sendNext) this.sendInflight();
    }
    this.changed();
  }

  /**
   * Someone else's change, revision `rev`, made on the revision before it. Returns the
   * operation to apply to the text shown (transformed over what is not confirmed yet).
   */
  remote(rev, op) {
    let incoming = op;
    if (this.inflight !== null) {
      const [mine, theirs] = transform(this.inflight.op, incoming);
      this.inflight = { ...this.inflight, op: mine };
      incoming = theirs;
    }
    if (this.buffer !== null) {
      const [mine, theirs] = transform(this.buffer.op, incoming);
      this.buffer = { ...this.buffer, op: mine };
      incoming = theirs;
    }
    this.rev = rev;
    this.changed();
    return incoming;
  }

  /**
   * Catch up after (re)connecting: `changes` are the hello's missed ones. Our own change in
   * flight may be among them (its acknowledgement was lost): it counts as acknowledged.
   * Returns the operations to apply to the text shown, in order, each as {op, author}
   * (the author's user id). Then the change still in
   * flight is sent again with its own seq, so the server applies it once.
   */
  catchUp(changes) {
    const toApply = [];
    for (const change of changes) {
      if (this.inflight !== null && change.client_id === this.clientId && change.seq === this.inflight.seq) {
        this.ack(change.seq, change.rev, { sendNext: false });
      } else {
        toApply.push({ op: this.remote(change.rev, change.op), author: change.author_id });
      }
    }
    if (this.inflight !== null) this.sendInflight();
    return toApply;
  }

  /** What a journal keeps so that another page can deliver these changes. */
  state() {
    return { clientId: this.clientId, rev: this.rev, seq: this.seq, inflight: this.inflight, buffer: this.buffer };
  }
}
