// Keeps what the person types out of locked sections, by the rule the server holds to
// (lock-rule.js): each edit the text area is about to make is worked out from the selection
// and refused before it is made; an edit that cannot be foreseen (a word deleted, text
// dropped, an input method's) is taken back once made. Suggesting mode is never held back:
// suggestions are how a locked section is reopened.

import { codePointLength, utf16ToCodePoint } from "./operation.js";

const LINE_BREAKS = new Set(["insertLineBreak", "insertParagraph"]);

/** The change replacing code points [from, to) of `text` with `insert`, as an operation. */
function replacing(text, from, to, insert) {
  const op = [];
  if (from > 0) op.push(from);
  if (insert) op.push(insert);
  if (to > from) op.push(from - to);
  const rest = codePointLength(text) - to;
  if (rest > 0) op.push(rest);
  return op;
}

/**
 * What a `beforeinput` of `type` with `data` would do to the text area `area` whose text is
 * `text`: {from, to, insert} in code points, or null when it cannot be foreseen.
 */
function foreseen(area, text, type, data) {
  let from = utf16ToCodePoint(text, area.selectionStart);
  let to = utf16ToCodePoint(text, area.selectionEnd);
  if (LINE_BREAKS.has(type)) return { from, to, insert: "\n" };
  if (type === "insertText" || type === "insertFromPaste" || type === "insertReplacementText") {
    return data === null ? null : { from, to, insert: data };
  }
  if (type === "deleteByCut" || type === "deleteByDrag") return from < to ? { from, to, insert: "" } : null;
  if (!type.startsWith("delete")) return null;
  if (from === to) {
    if (type === "deleteContentBackward") from = Math.max(0, from - 1);
    else if (type === "deleteContentForward") to = Math.min(codePointLength(text), to + 1);
    else return null; // a word or a line: the browser knows how far
  }
  return { from, to, insert: "" };
}

/**
 * Guard `session`'s text area with `places` (a SectionPlaces on the text shown); `refused()`
 * is told each time an edit is held back.
 */
export function guardLocks(session, places, refused) {
  const editor = session.editor;
  const area = editor.textarea;
  const breaks = (from, to, insert) => places.brokenBy(replacing(editor.value, from, to, insert), editor.value);
  const holdBack = (event, edit) => {
    if (!edit || editor.divert || area.readOnly || !breaks(edit.from, edit.to, edit.insert)) return;
    event.preventDefault();
    refused();
  };
  area.addEventListener("beforeinput", (event) => {
    if (event.isComposing || event.inputType === "insertCompositionText") return;
    const data = event.data ?? event.dataTransfer?.getData("text/plain") ?? null;
    holdBack(event, foreseen(area, editor.value, event.inputType, data));
  });
  // A paste is judged on what the clipboard holds, before the text area hears of it.
  area.addEventListener("paste", (event) => {
    const text = editor.value;
    const insert = event.clipboardData?.getData("text/plain") ?? "";
    holdBack(event, { from: utf16ToCodePoint(text, area.selectionStart), to: utf16ToCodePoint(text, area.selectionEnd), insert });
  });
  editor.guard = (op, before) => {
    if (editor.divert || !places.brokenBy(op, before)) return true;
    refused();
    return false;
  };
}
