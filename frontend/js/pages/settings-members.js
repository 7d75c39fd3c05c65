// The members table of the settings page: roles change as soon as they are picked.

import { api } from "../api.js";
import { ROLES, roleLabel } from "../labels.js";
import { clearFormError, el, fill, notify, showFormError } from "../ui.js";

function roleCell(member, context) {
  if (!context.canManage) return el("td", { text: roleLabel(member.role) });
  const select = el("select", { "aria-label": `Role of ${member.name}` },
    ROLES.map((role) => el("option", { value: role, text: roleLabel(role), selected: role === member.role })));
  select.addEventListener("change", async () => {
    clearFormError(context.container);
    select.disabled = true;
    try {
      const changed = await api(`/statements/${context.statementId}/members/${member.user_id}`, {
        method: "PATCH",
        body: { role: select.value },
      });
      member.role = changed.role;
      notify(`${member.name} is now ${roleLabel(changed.role).toLowerCase()}.`);
    } catch (error) {
      select.value = member.role;
      showFormError(context.container, error.detail ?? error.message);
    } finally {
      select.disabled = false;
    }
  });
  return el("td", {}, select);
}

async function remove(member, context) {
  const leaving = member.user_id === context.me.id;
  const question = leaving
    ? "Leave this statement? You will need a new invitation to come back."
    : `Remove ${member.name} from this statement? What they wrote stays.`;
  if (!window.confirm(question)) return;
  clearFormError(context.container);
  try {
    await api(`/statements/${context.statementId}/members/${member.user_id}`, { method: "DELETE" });
  } catch (error) {
    showFormError(context.container, error.detail ?? error.message);
    return;
  }
  if (leaving) {
    window.location.assign("/");
    return;
  }
  context.members = context.members.filter((other) => other.user_id !== member.user_id);
  draw(context);
  notify(`${member.name} was removed.`);
}

function row(member, context) {
  const you = member.user_id === context.me.id;
  return el("tr", {},
    el("th", { scope: "row" }, member.name, you ? el("span", { class: "muted", text: " (you)" }) : null),
    el("td", { class: "cell-secondary", text: member.organisation || "—" }),
    roleCell(member, context),
    context.canManage
      ? el("td", { class: "cell-action" }, el("button", {
        type: "button",
        class: "button button-small button-danger",
        "aria-label": you ? "Leave this statement" : `Remove ${member.name}`,
        text: you ? "Leave" : "Remove",
        onClick: () => remove(member, context),
      }))
      : null);
}

function draw(context) {
  const head = ["Name", "Organisation", "Role"];
  if (context.canManage) head.push("");
  fill(context.container,
    el("p", { class: "form-error", role: "alert", hidden: true }),
    el("div", { class: "table-wrap" },
      el("table", { class: "table" },
        el("caption", { class: "visually-hidden", text: "Members and their roles" }),
        el("thead", {}, el("tr", {}, head.map((text) => el("th", { scope: "col" }, text ? text : el("span", { class: "visually-hidden", text: "Actions" }))))),
        el("tbody", {}, context.members.map((member) => row(member, context))))));
}

/** Draw the members; facilitators get a role picker and a remove button per row. */
export function renderMembers(container, { statementId, members, canManage, me }) {
  draw({ container, statementId, members, canManage, me });
}
