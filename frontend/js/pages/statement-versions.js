// The versions panel: save the live text as a named version, list them, compare and restore.

import { api } from "../api.js";
import { plural } from "../labels.js";
import { askFirst, el, fill, formatDateTime, formatRelative, notify, onSubmit } from "../ui.js";

function field(label, control, hint) {
  return el("div", { class: "field" }, el("label", { for: control.id }, label), control,
    hint ? el("p", { class: "hint", text: hint }) : null);
}

function saveForm(statementId, onSaved) {
  const name = el("input", { type: "text", id: "version-name", name: "name", required: true, maxlength: "200", autocomplete: "off" });
  const note = el("textarea", { id: "version-note", name: "note", rows: "2", maxlength: "10000" });
  const form = el("form", { class: "form version-form", "aria-label": "Save a version" },
    el("p", { class: "form-error", role: "alert", hidden: true }),
    field("Version name", name, "For example “Draft 2, after day 2”."),
    field(["Note ", el("span", { class: "optional", text: "(optional)" })], note),
    el("button", { type: "submit", class: "button", text: "Save version" }));
  onSubmit(form, async (data) => {
    const version = await api(`/statements/${statementId}/versions`, {
      method: "POST",
      body: { name: data.get("name"), note: data.get("note") },
    });
    form.reset();
    notify(`Saved version ${version.number}, “${version.name}”.`);
    onSaved();
  });
  return form;
}

function item(statementId, version, canEdit, refresh) {
  const actions = el("div", { class: "version-actions" },
    el("a", { href: `/statements/${statementId}/versions/${version.number}`, text: "Read and comment" }),
    el("a", { href: `/statements/${statementId}/compare?from=${version.number}&to=live`, text: "Compare with live" }),
    el("a", { href: `/statements/${statementId}/history?rev=${version.rev}`, text: "Who wrote it" }));
  if (canEdit) {
    const restore = el("button", { type: "button", class: "link-button", text: "Restore", "aria-label": `Restore version ${version.number}` });
    askFirst(restore, {
      question: `Make the live draft read as version ${version.number} again? Everyone sees the change, and it can be undone.`,
      confirm: "Yes, restore",
      compact: true,
      action: async () => {
        const done = await api(`/statements/${statementId}/versions/${version.number}/restore`, { method: "POST" });
        notify(`The live draft reads as version ${version.number} again (revision ${done.rev}).`);
        refresh();
      },
    });
    actions.append(restore);
  }
  return el("li", { class: "version" },
    el("p", { class: "version-title" },
      el("span", { class: "version-number", text: `${version.number}` }),
      el("strong", { text: version.name })),
    version.note ? el("p", { class: "version-note", text: version.note }) : null,
    el("p", { class: "muted version-meta" },
      `${version.created_by.name} · `,
      el("time", { datetime: version.created_at, title: formatDateTime(version.created_at), text: formatRelative(version.created_at) }),
      ` · revision ${version.rev} · ${plural(version.characters, "character")}`),
    actions);
}

/** The panel; `refresh()` reloads the list (on a live event). */
export function versionsPanel(statementId, canEdit) {
  const list = el("ol", { class: "versions", reversed: true });
  const empty = el("p", { class: "muted", text: "No version has been saved yet." });
  const compare = el("a", { href: `/statements/${statementId}/compare`, text: "Compare any two versions" });

  async function refresh() {
    const versions = await api(`/statements/${statementId}/versions`);
    fill(list, versions.data.map((version) => item(statementId, version, canEdit, refresh)));
    empty.hidden = versions.count > 0;
    list.hidden = versions.count === 0;
    compare.hidden = versions.count === 0;
  }

  const node = el("section", { "aria-label": "Versions", class: "stack-tight" },
    canEdit ? saveForm(statementId, refresh) : null,
    empty, list, compare);
  return { node, refresh };
}
