// The text area adapter: turns what the person types into operations, applies others'
// operations while keeping the caret and selection where the person expects them, and keeps
// an undo history of the person's own changes (inverted, and transformed over others').
// Positions outside this module count code points; the text area counts UTF-16 units.

import {
  apply,
  codePointLength,
  codePointToUtf16,
  compose,
  fromDiff,
  invert,
  isNoop,
  transform,
  utf16ToCodePoint,
} from "./operation.js";

const MERGE_TYPING_MS = 1000; // edits closer together than this undo as one

/** Where the person's own caret goes after `op`: text inserted at it stays after it. */
export function caretAfter(position, op) {
  let result = position;
  let index = 0;
  for (const component of op) {
    if (index > position) break;
    if (typeof component === "string") {
      if (index < position) result += codePointLength(component);
    } else if (component > 0) {
      index += component;
    } else {
      result -= Math.min(-component, Math.max(0, position - index));
      index -= component;
    }
  }
  return result;
}

/** The code point just after the last thing `op` changes: where undo leaves the caret. */
function endOfChange(op) {
  let index = 0;
  let end = 0;
  for (const component of op) {
    if (typeof component === "string") {
      index += codePointLength(component);
      end = index;
    } else if (component > 0) {
      index += component;
    } else {
      end = index;
    }
  }
  return end;
}

function transformStack(stack, op) {
  const result = [];
  let incoming = op;
  for (let index = stack.length - 1; index >= 0; index -= 1) {
    const [entry, rest] = transform(stack[index], incoming);
    if (!isNoop(entry)) result.push(entry);
    incoming = rest;
  }
  return result.reverse();
}

export class TextEditor {
  /**
   * @param {HTMLTextAreaElement} textarea
   * @param {object} handlers `change(op)` for each local edit, `selection()` when the caret
   *   moves, `compositionEnd()` when an input method finishes composing, `saveAsked()` on
   *   Ctrl+S
   */
  constructor(textarea, handlers) {
    this.textarea = textarea;
    this.handlers = handlers;
    this.value = textarea.value;
    this.composing = false;
    this.undoStack = [];
    this.redoStack = [];
    this.lastEditAt = 0;
    // While set, what the person types is not made: each change goes to `divert(op)` and the
    // text area goes back as it was (Suggesting mode).
    this.divert = null;
    // While set, `guard(op, before)` may refuse a change the person made (returning false):
    // it is taken back out of the text area, and undo and redo do not make it either.
    this.guard = null;
    textarea.addEventListener("input", (event) => {
      if (!event.isComposing && !this.composing) this.takeInput();
    });
    textarea.addEventListener("compositionstart", () => { this.composing = true; });
    textarea.addEventListener("compositionend", () => {
      this.composing = false;
      this.takeInput();
      handlers.compositionEnd();
    });
    textarea.addEventListener("beforeinput", (event) => {
      if (event.inputType === "historyUndo" || event.inputType === "historyRedo") {
        event.preventDefault();
        if (event.inputType === "historyUndo") this.undo(); else this.redo();
      }
    });
    textarea.addEventListener("keydown", (event) => this.shortcut(event));
    document.addEventListener("selectionchange", () => {
      if (document.activeElement === textarea) handlers.selection();
    });
    textarea.addEventListener("blur", () => handlers.selection());
  }

  set readOnly(value) {
    this.textarea.readOnly = value;
  }

  /**
   * Replace the whole text (on first load, or the server's again after a refused change): no
   * undo history survives it; the caret stays where it was, as far as the text reaches.
   */
  setText(text) {
    const caret = utf16ToCodePoint(this.value, this.textarea.selectionStart);
    this.value = text;
    this.textarea.value = text;
    this.setSelection(Math.min(caret, codePointLength(text)), Math.min(caret, codePointLength(text)));
    this.undoStack = [];
    this.redoStack = [];
    this.resize();
  }

  resize() {
    const area = this.textarea;
    area.style.height = "auto";
    area.style.height = `${area.scrollHeight}px`;
  }

  /** The selection in code points ({anchor, head}), or null when the text area is not focused. */
  selection() {
    const area = this.textarea;
    if (document.activeElement !== area) return null;
    const start = utf16ToCodePoint(this.value, area.selectionStart);
    const end = utf16ToCodePoint(this.value, area.selectionEnd);
    return area.selectionDirection === "backward" ? { anchor: end, head: start } : { anchor: start, head: end };
  }

  /** The selected range in code points, focused or not (a text area keeps its selection). */
  selectedRange() {
    const area = this.textarea;
    return {
      start: utf16ToCodePoint(this.value, area.selectionStart),
      end: utf16ToCodePoint(this.value, area.selectionEnd),
    };
  }

  setSelection(start, end, direction = "forward") {
    this.textarea.setSelectionRange(codePointToUtf16(this.value, start), codePointToUtf16(this.value, end), direction);
  }

  takeInput() {
    const next = this.textarea.value;
    if (next === this.value) return;
    const op = fromDiff(this.value, next, this.textarea.selectionEnd);
    const before = this.value;
    this.value = next;
    if (this.divert) {
      this.replace(invert(op, before));
      this.divert(op);
      return;
    }
    if (this.guard?.(op, before) === false) {
      this.replace(invert(op, before));
      return;
    }
    this.resize();
    this.record(op, before);
    this.handlers.change(op);
  }

  record(op, before, { merge = true } = {}) {
    const inverse = invert(op, before);
    const now = Date.now();
    const top = this.undoStack.length - 1;
    if (merge && top >= 0 && now - this.lastEditAt < MERGE_TYPING_MS) {
      this.undoStack[top] = compose(inverse, this.undoStack[top]);
    } else {
      this.undoStack.push(inverse);
    }
    this.lastEditAt = merge ? now : 0;
    this.redoStack = [];
  }

  /**
   * A change from elsewhere: apply it to the text area, keeping caret, selection and scroll.
   * With `undoable`, it is this person's own (a version they restored from this page) and
   * becomes an undo step; otherwise the undo history is transformed over it.
   */
  applyRemote(op, { undoable = false } = {}) {
    const area = this.textarea;
    const focused = document.activeElement === area;
    const start = utf16ToCodePoint(this.value, area.selectionStart);
    const end = utf16ToCodePoint(this.value, area.selectionEnd);
    const direction = area.selectionDirection;
    const before = this.value;
    this.replace(op);
    if (undoable) {
      this.undoStack.push(invert(op, before));
      this.redoStack = [];
    } else {
      this.undoStack = transformStack(this.undoStack, op);
      this.redoStack = transformStack(this.redoStack, op);
    }
    this.lastEditAt = 0; // typing after someone else's change starts a new undo step
    if (focused) this.setSelection(caretAfter(start, op), caretAfter(end, op), direction);
  }

  /** Apply `op` to the text area in place, one stretch at a time, from the end backwards. */
  replace(op) {
    const edits = [];
    let unit = 0;
    const text = this.value;
    const advance = (count) => {
      for (let seen = 0; seen < count; seen += 1) {
        unit += text.codePointAt(unit) > 0xffff ? 2 : 1;
      }
    };
    for (const component of op) {
      if (typeof component === "string") {
        edits.push([unit, unit, component]);
      } else if (component > 0) {
        advance(component);
      } else {
        const from = unit;
        advance(-component);
        edits.push([from, unit, ""]);
      }
    }
    const scroll = window.scrollY;
    for (const [from, to, insert] of edits.reverse()) {
      this.textarea.setRangeText(insert, from, to, "preserve");
    }
    this.value = apply(text, op);
    if (this.textarea.value !== this.value) this.textarea.value = this.value; // never drift
    this.resize();
    window.scrollTo({ top: scroll });
  }

  shortcut(event) {
    const mod = event.ctrlKey || event.metaKey;
    if (!mod || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === "s") {
      event.preventDefault(); // there is nothing to save by hand: every change is sent
      this.handlers.saveAsked?.();
    } else if (key === "z" && !event.shiftKey) {
      event.preventDefault();
      this.undo();
    } else if ((key === "z" && event.shiftKey) || (key === "y" && !event.shiftKey)) {
      event.preventDefault();
      this.redo();
    }
  }

  undo() {
    this.step(this.undoStack, this.redoStack);
  }

  redo() {
    this.step(this.redoStack, this.undoStack);
  }

  step(from, to) {
    if (this.textarea.readOnly || this.composing || this.divert || from.length === 0) return;
    if (this.guard?.(from.at(-1), this.value) === false) return;
    const op = from.pop();
    const before = this.value;
    this.replace(op);
    to.push(invert(op, before));
    this.lastEditAt = 0;
    const caret = endOfChange(op);
    this.setSelection(caret, caret);
    this.handlers.change(op);
  }
}
