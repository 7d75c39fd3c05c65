// My account: name and organisation, password, email notifications, personal API tokens,
// signing out here or elsewhere.

import { api } from "../api.js";
import { renderHeader, signOut, startPage } from "../layout.js";
import { setUpNotificationSettings } from "./account-notifications.js";
import {
  byId, copyText, el, fill, formatDate, formatDateTime, notify, onSubmit, reportFailure, showFormError,
} from "../ui.js";

function setUpProfile(user) {
  const form = byId("profile-form");
  byId("account-email").textContent = user.email;
  form.elements.name.value = user.name;
  form.elements.organisation.value = user.organisation;
  onSubmit(form, async (data) => {
    const updated = await api("/me", {
      method: "PATCH",
      body: { name: data.get("name"), organisation: data.get("organisation") },
    });
    renderHeader(updated);
    notify("Your name and organisation are saved.");
  });
}

function setUpPassword(user) {
  const form = byId("password-form");
  // For password managers: whose password this is.
  form.elements.username.value = user.email;
  onSubmit(form, async (data) => {
    await api("/me/password", {
      method: "POST",
      body: { current_password: data.get("current_password"), new_password: data.get("new_password") },
    });
    form.reset();
    form.elements.username.value = user.email;
    notify("Your password is changed; every other browser was signed out.");
  });
}

async function revoke(token) {
  try {
    await api(`/tokens/${token.id}`, { method: "DELETE" });
  } catch (error) {
    showFormError(byId("tokens"), error.detail ?? error.message);
    return;
  }
  notify(`The token "${token.name}" was revoked; scripts using it are refused from now on.`);
  await loadTokens();
}

function row(token) {
  const revoked = Boolean(token.revoked_at);
  return el("tr", {},
    el("th", { scope: "row", text: token.name }),
    el("td", {}, el("span", { class: "cell-label", text: "Created " }), formatDate(token.created_at)),
    el("td", {},
      el("span", { class: "cell-label", text: "Last used " }),
      token.last_used_at ? formatDateTime(token.last_used_at) : "never"),
    el("td", {}, el("span", {
      class: `badge badge-${revoked ? "revoked" : "active"}`,
      text: revoked ? `Revoked ${formatDate(token.revoked_at)}` : "Active",
    })),
    el("td", { class: "cell-action" }, revoked ? null : el("button", {
      type: "button",
      class: "button button-small button-danger",
      text: "Revoke",
      "aria-label": `Revoke the token ${token.name}`,
      onClick: () => revoke(token),
    })));
}

async function loadTokens() {
  const container = byId("tokens");
  const { data } = await api("/tokens");
  if (data.length === 0) {
    fill(container, el("p", { class: "muted", text: "You have no API tokens." }));
    return;
  }
  fill(container,
    el("p", { class: "form-error", role: "alert", hidden: true }),
    el("div", { class: "table-wrap" },
      el("table", { class: "table" },
        el("caption", { class: "visually-hidden", text: "Your API tokens" }),
        el("thead", {}, el("tr", {},
          ["Name", "Created", "Last used", "Status"].map((text) => el("th", { scope: "col", text })),
          el("th", { scope: "col" }, el("span", { class: "visually-hidden", text: "Actions" })))),
        el("tbody", {}, data.map(row)))));
}

function setUpTokens() {
  const form = byId("token-form");
  onSubmit(form, async (data) => {
    const created = await api("/tokens", { method: "POST", body: { name: data.get("name") } });
    const input = byId("new-token-secret");
    input.value = created.token;
    byId("new-token").hidden = false;
    form.reset();
    input.focus();
    input.select();
    await loadTokens();
  });
  byId("copy-token").addEventListener("click", () => {
    const input = byId("new-token-secret");
    copyText(input.value, input);
  });
}

async function signOutElsewhere() {
  try {
    const { ended } = await api("/sessions", { method: "DELETE" });
    notify(ended === 0
      ? "You were signed in nowhere else."
      : `Signed out of ${ended} other ${ended === 1 ? "browser" : "browsers"}.`);
  } catch (error) {
    notify(error.detail ?? error.message, "error");
  }
}

async function main() {
  const user = await startPage();
  setUpProfile(user);
  setUpPassword(user);
  setUpTokens();
  byId("sign-out-button").addEventListener("click", signOut);
  byId("sign-out-elsewhere").addEventListener("click", signOutElsewhere);
  const notifications = setUpNotificationSettings();
  try {
    await loadTokens();
  } catch (error) {
    fill(byId("tokens"), el("p", { class: "alert", role: "alert", text: error.detail ?? error.message }));
  }
  await notifications;
}

main().catch(reportFailure);
