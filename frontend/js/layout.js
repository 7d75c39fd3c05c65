// What every page shares: the header with who is signed in, their notifications, and signing out.

import { api, currentUser, signInUrl } from "./api.js";
import { notificationBell } from "./bell.js";
import { byId, el, fill, notify } from "./ui.js";

export async function signOut() {
  try {
    await api("/session", { method: "DELETE", signIn: false });
  } catch (error) {
    notify(error.detail ?? error.message, "error");
    return;
  }
  window.location.assign("/signin");
}

function navLink(href, text, current) {
  return el("a", { href, text, "aria-current": current === href ? "page" : null });
}

/** Fill the header for `user` (or for a visitor when null). */
export function renderHeader(user, current = window.location.pathname) {
  const nav = byId("site-nav");
  if (!user) {
    fill(nav, navLink("/signin", "Sign in", current));
    return;
  }
  const who = el("span", { class: "who" },
    el("span", { class: "who-name", text: user.name }),
    user.organisation ? el("span", { class: "who-org", text: user.organisation }) : null);
  fill(nav,
    who,
    navLink("/", "My statements", current),
    user.admin ? navLink("/users", "Accounts", current) : null,
    navLink("/account", "Account", current),
    notificationBell(),
    el("button", { type: "button", class: "link-button", text: "Sign out", onClick: signOut }));
}

/**
 * Start a page that needs a signed-in user: sends visitors to sign in, returns the user. Asks
 * `/session`, so that a visitor is sent on without a 401 logged in the console.
 */
export async function startPage() {
  const user = await currentUser();
  if (!user) {
    window.location.assign(signInUrl());
    return new Promise(() => {});
  }
  renderHeader(user);
  return user;
}

/** Start a page that visitors may see too: returns the user or null. */
export async function startOpenPage() {
  const user = await currentUser();
  renderHeader(user);
  return user;
}

/** The numeric id in /statements/{id}[/...]. */
export function statementIdFromPath() {
  const match = window.location.pathname.match(/^\/statements\/(\d+)/);
  return match ? Number(match[1]) : null;
}
