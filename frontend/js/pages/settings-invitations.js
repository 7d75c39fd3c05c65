// Invitation links on the settings page: create one (its URL is shown once), list, withdraw.

import { api } from "../api.js";
import { INVITATION_STATUS_LABELS, ROLES, roleLabel } from "../labels.js";
import { byId, copyText, el, fill, formatDate, notify, onSubmit, showFormError } from "../ui.js";

function describe(invitation) {
  return invitation.label || `${roleLabel(invitation.role)} link`;
}

async function withdraw(statementId, invitation) {
  try {
    await api(`/statements/${statementId}/invitations/${invitation.id}`, { method: "DELETE" });
  } catch (error) {
    showFormError(byId("invitations"), error.detail ?? error.message);
    return;
  }
  notify(`The link "${describe(invitation)}" was withdrawn; nobody else can join with it.`);
  await loadInvitations(statementId);
}

function row(statementId, invitation) {
  const active = invitation.status === "active";
  return el("tr", {},
    el("th", { scope: "row" }, invitation.label || el("span", { class: "muted", text: "No label" })),
    el("td", { text: roleLabel(invitation.role) }),
    el("td", { text: `${invitation.use_count} of ${invitation.max_uses} used` }),
    el("td", {}, el("span", { class: "cell-label", text: "Expires " }), formatDate(invitation.expires_at)),
    el("td", {}, el("span", {
      class: `badge badge-${invitation.status}`,
      text: INVITATION_STATUS_LABELS[invitation.status] ?? invitation.status,
    })),
    el("td", { class: "cell-action" }, active
      ? el("button", {
        type: "button",
        class: "button button-small button-danger",
        text: "Withdraw",
        "aria-label": `Withdraw the link ${describe(invitation)}`,
        onClick: () => withdraw(statementId, invitation),
      })
      : null));
}

async function loadInvitations(statementId) {
  const container = byId("invitations");
  const { data } = await api(`/statements/${statementId}/invitations`);
  if (data.length === 0) {
    fill(container, el("p", { class: "muted", text: "No invitation links yet." }));
    return;
  }
  const head = ["Who it is for", "Role", "Uses", "Expires", "Status", ""];
  fill(container,
    el("p", { class: "form-error", role: "alert", hidden: true }),
    el("div", { class: "table-wrap" },
      el("table", { class: "table" },
        el("caption", { class: "visually-hidden", text: "Invitation links" }),
        el("thead", {}, el("tr", {}, head.map((text) => el("th", { scope: "col" }, text ? text : el("span", { class: "visually-hidden", text: "Actions" }))))),
        el("tbody", {}, data.map((invitation) => row(statementId, invitation))))));
}

function showCreated(created, email) {
  byId("new-invitation-sent").textContent = created.emailed_to
    ? `Sent by email to ${created.emailed_to}.`
    : email
      ? `Not sent to ${email}: this server does not send email. Copy the link and send it yourself.`
      : "";
  const input = byId("new-invitation-url");
  input.value = created.url;
  byId("new-invitation-for").textContent = created.label
    ? `For ${created.label}, as ${roleLabel(created.role).toLowerCase()}.`
    : `For anyone you send it to, as ${roleLabel(created.role).toLowerCase()}.`;
  byId("new-invitation").hidden = false;
  input.focus();
  input.select();
}

/** Wire the invitation form and list the links made so far. */
export async function setUpInvitations(statementId) {
  const form = byId("invitation-form");
  fill(form.elements.role, ROLES.map((role) =>
    el("option", { value: role, text: roleLabel(role), selected: role === "editor" })));
  onSubmit(form, async (data) => {
    const days = String(data.get("expires_in_days") ?? "");
    const email = String(data.get("email") ?? "").trim();
    const created = await api(`/statements/${statementId}/invitations`, {
      method: "POST",
      body: {
        role: data.get("role"),
        label: data.get("label"),
        max_uses: Number(data.get("max_uses") || 1),
        ...(days ? { expires_in_days: Number(days) } : {}),
        ...(email ? { email } : {}),
      },
    });
    showCreated(created, email);
    form.elements.label.value = "";
    form.elements.email.value = "";
    await loadInvitations(statementId);
  });
  byId("copy-invitation").addEventListener("click", () => {
    const input = byId("new-invitation-url");
    copyText(input.value, input);
  });
  byId("invitations-section").hidden = false;
  await loadInvitations(statementId);
}
