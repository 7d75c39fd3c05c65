// The comment box of the comments panel, and where the focus goes once a comment is posted.

import { el, onSubmit } from "../ui.js";

/**
 * Give `target` the focus after something was posted from `form`, unless the person has moved
 * on while it was sent (started an edit, say): their new place keeps the focus.
 */
export function focusAfterPosting(target, form) {
  const now = document.activeElement;
  if (target && (now === null || now === document.body || form.contains(now) || !now.isConnected)) {
    target.focus();
  }
}

/** A box to write a comment in: Ctrl+Enter sends it, Escape cancels. */
export function textForm({ label, submit, value = "", onSave, onCancel }) {
  const box = el("textarea", { name: "body", rows: "2", required: true, "aria-label": label });
  box.value = value;
  const form = el("form", { class: "comment-form" },
    el("p", { class: "form-error", role: "alert", hidden: true }),
    box,
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "button button-small", text: submit }),
      onCancel ? el("button", { type: "button", class: "link-button", text: "Cancel", onClick: onCancel }) : null));
  onSubmit(form, async (data) => {
    await onSave(String(data.get("body")));
    form.reset();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    if (event.key === "Escape" && onCancel) onCancel();
  });
  return form;
}
