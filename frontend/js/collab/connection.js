// The websocket to a statement's room: JSON frames in and out, reconnection with
// exponential backoff (and at once when the browser comes back online), and a status that
// the page shows at all times.

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const ACK_PATIENCE_MS = 15_000;

// Close codes after which trying again cannot help.
export const FINAL_CLOSES = {
  4401: "signin",
  4404: "gone",
  4422: "refused",
};

export class Connection {
  /**
   * @param {() => string} url the address to open, asked anew for every attempt
   * @param {object} handlers `frame(frame)`, `open()`, `status(name)` with name one of
   *   connecting, connected, reconnecting, offline, closed; `final(reason, message)`
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.socket = null;
    this.attempts = 0;
    this.timer = null;
    this.watchdog = null;
    this.stopped = false;
    this.status = "connecting";
    window.addEventListener("offline", () => this.wentOffline());
    window.addEventListener("online", () => this.reconnectNow());
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.handlers.status(status);
  }

  open() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    if (!navigator.onLine) {
      this.setStatus("offline");
      return;
    }
    this.setStatus(this.attempts === 0 ? "connecting" : "reconnecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("message", (event) => {
      if (socket !== this.socket) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === "hello") {
        this.attempts = 0;
        this.setStatus("connected");
      }
      this.handlers.frame(frame);
    });
    socket.addEventListener("close", (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      clearTimeout(this.watchdog);
      const final = FINAL_CLOSES[event.code];
      if (final) {
        this.stopped = true;
        this.setStatus("closed");
        this.handlers.final(final, event.reason);
        return;
      }
      this.retryLater(event.code === 4429 ? MAX_DELAY_MS : undefined);
    });
  }

  retryLater(delay) {
    if (this.stopped) return;
    if (!navigator.onLine) {
      this.setStatus("offline");
      return;
    }
    this.setStatus("reconnecting");
    const backoff = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempts);
    this.attempts += 1;
    // Jitter spreads the returning clients of a restarted server over time.
    this.timer = setTimeout(() => this.open(), delay ?? backoff * (0.5 + Math.random() / 2));
  }

  wentOffline() {
    clearTimeout(this.timer);
    this.drop();
    this.setStatus("offline");
  }

  reconnectNow() {
    if (this.stopped || this.socket) return;
    this.attempts = 0;
    this.open();
  }

  /** Close the socket without a final reason; the next attempt follows the backoff. */
  drop() {
    const socket = this.socket;
    this.socket = null;
    clearTimeout(this.watchdog);
    socket?.close();
  }

  /** Send a frame if connected; otherwise the client sends it again after reconnecting. */
  send(frame) {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send(JSON.stringify(frame));
    if (frame.type === "op") {
      // A change not acknowledged in time means a dead connection that has not noticed yet.
      clearTimeout(this.watchdog);
      this.watchdog = setTimeout(() => {
        this.drop();
        this.retryLater();
      }, ACK_PATIENCE_MS);
    }
  }

  /** The acknowledgement arrived: the connection is alive. */
  acknowledged() {
    clearTimeout(this.watchdog);
  }

  get connected() {
    return this.status === "connected";
  }
}
