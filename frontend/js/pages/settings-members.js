// The members table of the settings page. A role is saved only when the facilitator says
// so: arrowing through a select would otherwise save every option on the way, and could
// demote the last facilitator halfway.

import { api } from "../api.js";
import { ROLES, roleLabel } from "../labels.js";
import { askFirst, clearFormError, el, fill, notify, showFormError } from "../ui.js";

async function change(member, body, context) {
  clearFormError(context.container);
  try {
    return await api(`/statements/${context.statementId}/members/${member.user_id}`, { method: "PATCH", body });
  } catch (error) {
    showFormError(context.container, error.detail ?? error.message);
    return null;
  }
}

// The role picker; Save and Cancel show below it only while it differs from the saved role.
function roleCell(member, context) {
  if (!context.canManage) return el("td", { text: roleLabel(member.role) });
  const select = el("select", { "aria-label": `Role of ${member.name}` },
    ROLES.map((role) => el("option", { value: role, text: roleLabel(role), selected: role === member.role })));
  const save = el("button", {
    type: "button",
    class: "button button-small",
    text: "Save",
    "aria-label": `Save the role of ${member.name}`,
  });
  const cancel = el("button", {
    type: "button",
    class: "button button-small button-secondary",
    text: "Cancel",
    "aria-label": `Keep the role of ${member.name}`,
  });
  const pending = el("div", { class: "actions", hidden: true }, save, cancel);
  const showPending = () => { pending.hidden = select.value === member.role; };
  const revert = () => {
    select.value = member.role;
    showPending();
    select.focus();
  };
  const submit = async () => {
    if (select.value === member.role) return;
    select.disabled = true;
    save.disabled = true;
    const changed = await change(member, { role: select.value }, context);
    select.disabled = false;
    save.disabled = false;
    if (changed) {
      member.role = changed.role;
      notify(`${member.name} is now ${roleLabel(changed.role).toLowerCase()}.`);
      // A facilitator who stepped down may no longer manage: show the page as they now may.
      if (member.user_id === context.me.id && changed.role !== "facilitator") window.location.reload();
    }
    revert();
  };
  select.addEventListener("change", showPending);
  select.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      submit();
    } else if (event.key === "Escape") {
      revert();
    }
  });
  save.addEventListener("click", submit);
  cancel.addEventListener("click", revert);
  return el("td", {}, el("div", { class: "inline-edit" }, select, pending));
}

function organisationText(member) {
  return member.organisation || "—";
}

// The organisation a member speaks for here (quorum rules count these): text with a Change
// button, which turns into a field with Save and Cancel.
function organisationCell(member, context) {
  const cell = el("td", { class: "cell-secondary" });
  if (!context.canManage) return fill(cell, organisationText(member));
  const show = () => {
    const edit = el("button", {
      type: "button",
      class: "link-button link-button-small",
      text: "Change",
      "aria-label": `Change the organisation of ${member.name}`,
      onClick: () => editing(),
    });
    fill(cell, el("span", { class: "organisation-text", text: organisationText(member) }), edit);
    return edit;
  };
  const editing = () => {
    const input = el("input", {
      type: "text",
      maxlength: "200",
      value: member.organisation,
      "aria-label": `Organisation of ${member.name}`,
    });
    const save = async () => {
      input.disabled = true;
      const changed = await change(member, { organisation: input.value }, context);
      if (!changed) {
        input.disabled = false;
        input.focus();
        return;
      }
      member.organisation = changed.organisation;
      show().focus();
      notify(changed.organisation
        ? `${member.name} now speaks for ${changed.organisation} in this statement.`
        : `${member.name} now speaks for no organisation in this statement.`);
    };
    const cancel = () => show().focus();
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        save();
      } else if (event.key === "Escape") {
        cancel();
      }
    });
    fill(cell, el("div", { class: "inline-edit" }, input, el("div", { class: "actions" },
      el("button", { type: "button", class: "button button-small", text: "Save", onClick: save }),
      el("button", { type: "button", class: "button button-small button-secondary", text: "Cancel", onClick: cancel }))));
    input.focus();
    input.select();
  };
  show();
  return cell;
}

function removeCell(member, context) {
  const you = member.user_id === context.me.id;
  const button = el("button", {
    type: "button",
    class: "button button-small button-danger",
    "aria-label": you ? "Leave this statement" : `Remove ${member.name}`,
    text: you ? "Leave" : "Remove",
  });
  const cell = el("td", { class: "cell-action" }, button);
  askFirst(button, {
    question: you
      ? "Leave this statement? You will need a new invitation to come back."
      : `Remove ${member.name} from this statement? What they wrote stays.`,
    confirm: you ? "Yes, leave" : "Yes, remove",
    compact: true,
    onError: (message) => showFormError(context.container, message),
    action: async () => {
      clearFormError(context.container);
      await api(`/statements/${context.statementId}/members/${member.user_id}`, { method: "DELETE" });
      if (you) {
        window.location.assign("/");
        return;
      }
      context.members = context.members.filter((other) => other.user_id !== member.user_id);
      draw(context);
      notify(`${member.name} was removed.`);
    },
  });
  return cell;
}

function row(member, context) {
  const you = member.user_id === context.me.id;
  return el("tr", {},
    el("th", { scope: "row" }, member.name, you ? el("span", { class: "muted", text: " (you)" }) : null),
    organisationCell(member, context),
    roleCell(member, context),
    context.canManage ? removeCell(member, context) : null);
}

function draw(context) {
  const head = ["Name", "Organisation", "Role"];
  if (context.canManage) head.push("");
  fill(context.container,
    el("p", { class: "form-error", role: "alert", hidden: true }),
    el("div", { class: "table-wrap" },
      el("table", { class: "table table-members" },
        el("caption", { class: "visually-hidden", text: "Members and their roles" }),
        el("thead", {}, el("tr", {}, head.map((text) => el("th", { scope: "col" }, text ? text : el("span", { class: "visually-hidden", text: "Actions" }))))),
        el("tbody", {}, context.members.map((member) => row(member, context))))));
}

/**
 * Draw the members; facilitators get, per row, the organisation to change, a role picker
 * with its Save button, and a remove button.
 */
export function renderMembers(container, { statementId, members, canManage, me }) {
  draw({ container, statementId, members, canManage, me });
}
