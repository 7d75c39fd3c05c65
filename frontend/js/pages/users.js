// Accounts, for a site administrator: who has one, disabling and enabling it, and naming
// other administrators.

import { api } from "../api.js";
import { startPage } from "../layout.js";
import {
  askFirst, byId, clearFormError, el, fill, formatDate, notify, reportFailure, showFormError,
  showPageError,
} from "../ui.js";

function statusCell(account) {
  return el("td", {},
    el("span", {
      class: `badge badge-${account.disabled ? "revoked" : "active"}`,
      text: account.disabled ? "Disabled" : "Active",
    }),
    account.admin ? " " : null,
    account.admin ? el("span", { class: "badge", text: "Administrator" }) : null);
}

async function change(account, body, context) {
  clearFormError(context.container);
  const changed = await api(`/users/${account.id}`, { method: "PATCH", body });
  context.accounts = context.accounts.map((other) => (other.id === changed.id ? changed : other));
  draw(context);
  return changed;
}

function disableButton(account, context) {
  const button = el("button", {
    type: "button",
    class: "button button-small button-danger",
    text: "Disable",
    "aria-label": `Disable ${account.name}`,
  });
  askFirst(button, {
    question: `Disable ${account.name}? They are signed out everywhere and cannot sign in until enabled again.`,
    confirm: "Yes, disable",
    compact: true,
    onError: (message) => showFormError(context.container, message),
    action: async () => {
      await change(account, { disabled: true }, context);
      notify(`${account.name} is disabled and was signed out everywhere.`);
    },
  });
  return button;
}

function plainButton(text, label, onClick) {
  return el("button", {
    type: "button", class: "button button-small button-secondary", text, "aria-label": label, onClick,
  });
}

function actionsCell(account, context) {
  if (account.id === context.me.id) return el("td", { class: "cell-action muted", text: "You" });
  const act = (body, message) => async () => {
    try {
      await change(account, body, context);
      notify(message);
    } catch (error) {
      showFormError(context.container, error.detail ?? error.message);
    }
  };
  return el("td", { class: "cell-action" }, el("div", { class: "actions" },
    account.disabled
      ? plainButton("Enable", `Enable ${account.name}`,
        act({ disabled: false }, `${account.name} may sign in again.`))
      : disableButton(account, context),
    account.admin
      ? plainButton("Remove administrator", `Remove administrator: ${account.name}`,
        act({ admin: false }, `${account.name} is no longer an administrator.`))
      : plainButton("Make administrator", `Make administrator: ${account.name}`,
        act({ admin: true }, `${account.name} is now an administrator.`))));
}

function row(account, context) {
  return el("tr", { class: account.disabled ? "row-muted" : null },
    el("th", { scope: "row" }, account.name,
      account.organisation ? el("div", { class: "muted cell-sub", text: account.organisation }) : null),
    el("td", { text: account.email }),
    el("td", {}, el("span", { class: "cell-label", text: "Since " }), formatDate(account.created_at)),
    statusCell(account),
    actionsCell(account, context));
}

function draw(context) {
  fill(context.container,
    el("p", { class: "form-error", role: "alert", hidden: true }),
    el("p", { class: "muted", text: `${context.accounts.length} accounts, ${
      context.accounts.filter((account) => account.disabled).length} disabled.` }),
    el("div", { class: "table-wrap" },
      el("table", { class: "table" },
        el("caption", { class: "visually-hidden", text: "Accounts" }),
        el("thead", {}, el("tr", {},
          ["Name", "Email", "Created", "Status"].map((text) => el("th", { scope: "col", text })),
          el("th", { scope: "col" }, el("span", { class: "visually-hidden", text: "Actions" })))),
        el("tbody", {}, context.accounts.map((account) => row(account, context))))));
}

async function main() {
  const me = await startPage();
  const container = byId("accounts");
  try {
    const { data } = await api("/users");
    draw({ me, container, accounts: data });
  } catch (error) {
    showPageError(container, error);
  }
}

main().catch(reportFailure);
