// The notification bell in the header: the unread count, live through its own socket, and a
// panel with the latest notifications. One bell per page, kept when the header is redrawn.

import { api } from "./api.js";
import { Connection } from "./collab/connection.js";
import { el, fill, formatDateTime, formatRelative } from "./ui.js";

const PAGE_SIZE = 20;
const EXCERPT_CHARS = 140;

// The bell's requests never send the page to the sign-in form by themselves: a page whose
// sign-in ended says so in its own way (the editor keeps what was typed).
function ask(path, options = {}) {
  return api(path, { ...options, signIn: false });
}

function excerpt(text) {
  const characters = Array.from(text ?? "");
  if (characters.length <= EXCERPT_CHARS) return characters.join("");
  return `${characters.slice(0, EXCERPT_CHARS - 1).join("").trimEnd()}…`;
}

// Only a link on this site: a path, never another origin or a script.
function safePath(item) {
  if (typeof item.path === "string" && /^\/(?![/\\])/.test(item.path)) return item.path;
  return item.statement_id ? `/statements/${item.statement_id}` : "/";
}

/** A click that leaves the page in this tab, as opposed to one opening a new tab or window. */
function plainClick(event) {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}

// Until the socket has told the count, the bell gives no number.
function describeCount(count) {
  if (count === null) return "Notifications";
  return count === 0 ? "Notifications, none unread" : `Notifications, ${count} unread`;
}

class Bell {
  constructor() {
    this.count = null; // not known until the socket tells it
    this.items = [];
    this.button = el("button", {
      type: "button",
      class: "bell-button",
      "aria-expanded": "false",
      "aria-controls": "bell-panel",
      "aria-label": describeCount(null),
      onClick: () => (this.panel.hidden ? this.open() : this.close()),
    }, el("span", { class: "bell-icon", "aria-hidden": "true" }), this.badge = el("span", { class: "bell-count", hidden: true }));
    this.said = el("span", { class: "visually-hidden", "aria-live": "polite" });
    this.node = el("div", { class: "bell" }, this.button, this.said, this.buildPanel());
    // Escape closes the panel from within it, or when a click left the focus nowhere.
    document.addEventListener("keydown", (event) => {
      const here = this.node.contains(document.activeElement) || document.activeElement === document.body;
      if (event.key === "Escape" && !this.panel.hidden && here) {
        event.preventDefault();
        this.close({ focus: true });
      }
    });
    this.node.addEventListener("focusout", (event) => {
      if (event.relatedTarget && !this.node.contains(event.relatedTarget)) this.close();
    });
    document.addEventListener("click", (event) => {
      if (!this.panel.hidden && !this.node.contains(event.target)) this.close();
    });
    this.follow();
  }

  buildPanel() {
    this.markAll = el("button", {
      type: "button", class: "link-button link-button-small", text: "Mark all as read",
      onClick: () => this.markAllRead(),
    });
    this.status = el("p", { class: "bell-status muted", hidden: true });
    this.list = el("ul", { class: "bell-list" });
    this.older = el("button", {
      type: "button", class: "link-button link-button-small", text: "Show older", hidden: true,
      onClick: () => this.load({ more: true }),
    });
    this.panel = el("div", { id: "bell-panel", class: "bell-panel", role: "region", "aria-labelledby": "bell-heading", hidden: true },
      el("div", { class: "bell-head" },
        el("h2", { id: "bell-heading", class: "bell-heading", text: "Notifications" }),
        this.markAll),
      this.status,
      this.list,
      el("div", { class: "bell-foot" },
        this.older,
        el("a", { href: "/account#email-notifications", text: "Email settings" })));
    return this.panel;
  }

  /** The live count: the socket says it when it opens and whenever it may have changed. */
  follow() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const connection = new Connection(() => `${scheme}://${window.location.host}/ws/notifications`, {
      frame: (frame) => {
        if (frame.type !== "unread" || !Number.isInteger(frame.count)) return;
        connection.attempts = 0; // it answered: the next drop starts the backoff afresh
        this.setCount(frame.count);
      },
      status: () => {},
      final: () => {}, // signed out: the page itself says so, or leads to the sign-in page
    });
    connection.open();
  }

  setCount(count) {
    const rose = this.count !== null && count > this.count;
    const changed = count !== this.count;
    this.count = count;
    this.button.setAttribute("aria-label", describeCount(count));
    this.badge.textContent = String(count);
    this.badge.hidden = count === 0;
    if (rose) this.said.textContent = `A new notification: ${count} unread.`;
    if (changed && !this.panel.hidden) this.load().catch(() => {});
  }

  async open() {
    this.panel.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    await this.load();
  }

  close({ focus = false } = {}) {
    if (this.panel.hidden) return;
    this.panel.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
    if (focus) this.button.focus();
  }

  /** Read the latest notifications (or, with `more`, those before the last one shown). */
  async load({ more = false } = {}) {
    const last = more ? this.items.at(-1) : null;
    if (!more && this.items.length === 0) this.showStatus("Loading your notifications…");
    let answer;
    try {
      answer = await ask(`/notifications?limit=${PAGE_SIZE}${last ? `&before=${last.id}` : ""}`);
    } catch (error) {
      this.showStatus(error.detail ?? error.message, { alert: true });
      return;
    }
    this.items = more ? [...this.items, ...answer.data] : answer.data;
    this.older.hidden = answer.data.length < PAGE_SIZE;
    this.drawList();
    this.showStatus(this.items.length === 0 ? "Nothing yet: mentions, replies and news of your statements appear here." : "");
    if (Number.isInteger(answer.count)) this.setCount(answer.count);
  }

  /** Draw the list anew, the focus kept on the notification that had it. */
  drawList() {
    const focused = this.list.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    fill(this.list, this.items.map((item) => this.entry(item)));
    if (focused) this.list.querySelector(`[data-id="${focused}"]`)?.focus();
  }

  showStatus(text, { alert = false } = {}) {
    this.status.textContent = text;
    this.status.hidden = !text;
    this.status.setAttribute("role", alert ? "alert" : "status");
  }

  entry(item) {
    const unread = !item.read_at;
    const href = safePath(item);
    const link = el("a", { href, class: "bell-link", "data-id": item.id },
      unread ? el("span", { class: "visually-hidden", text: "Unread: " }) : null,
      el("span", { class: "bell-title", text: item.title }),
      item.body ? el("span", { class: "bell-body", text: excerpt(item.body) }) : null,
      el("span", { class: "bell-time" },
        item.statement_title ? `${item.statement_title} · ` : "",
        el("time", { datetime: item.created_at, title: formatDateTime(item.created_at), text: formatRelative(item.created_at) })));
    link.addEventListener("click", (event) => {
      if (!unread) return;
      if (!plainClick(event)) {
        this.markRead([item.id]).catch(() => {});
        return;
      }
      event.preventDefault();
      this.close();
      // Marked read before leaving: a request still under way would be cut off by the new page.
      this.markRead([item.id]).catch(() => {}).finally(() => window.location.assign(href));
    });
    return el("li", { class: unread ? "bell-item bell-unread" : "bell-item" }, link);
  }

  async markRead(ids) {
    const { count } = await ask("/notifications/read", { method: "POST", body: { ids } });
    const now = new Date().toISOString();
    for (const item of this.items) if (ids.includes(item.id)) item.read_at ??= now;
    this.setCount(count);
  }

  async markAllRead() {
    try {
      const { count } = await ask("/notifications/read", { method: "POST", body: { all: true } });
      const now = new Date().toISOString();
      for (const item of this.items) item.read_at ??= now;
      this.drawList();
      this.setCount(count);
      this.said.textContent = "Every notification is marked as read.";
    } catch (error) {
      this.showStatus(error.detail ?? error.message, { alert: true });
    }
  }
}

let bell = null;

/** The header's bell for the signed-in person: made, and its socket opened, once per page. */
export function notificationBell() {
  bell ??= new Bell();
  return bell.node;
}
