// Text operations in the JSON form of ot.js, counted in Unicode code points: the browser's
// copy of the server's algebra, giving the same normal form for the same input, so that
// both sides agree on every text and every caret.
//
// An operation is an array of components that walks the whole base text from its start: a
// positive integer retains that many characters, a string inserts itself, a negative
// integer deletes that many. Retains plus deletes equal the base text's length; zero and
// empty components are invalid.
//
// JavaScript strings are UTF-16, where an emoji takes two units, but the protocol counts
// code points. Rather than turning whole texts into arrays of code points on every
// keystroke, the functions here walk strings unit by unit and step over surrogate pairs.
//
// Invariants (the same as the server's, checked against it by the browser tests):
// - apply(apply(s, a), b) === apply(s, compose(a, b))
// - with [a2, b2] = transform(a, b): apply(apply(s, b), a2) === apply(apply(s, a), b2)
// - apply(apply(s, a), invert(a, s)) === s
// Operations built here are normalised: no two neighbours of one kind, and an insert always
// stands before a delete it touches, so equal edits compare equal.

import {
  advance,
  codePointLength,
  codePointToUtf16,
  retreat,
  splitsPair,
  utf16ToCodePoint,
} from "./codepoints.js";

/** The operation is malformed or does not fit the text it is applied to. */
export class InvalidOperation extends Error {
  constructor(message) {
    super(message);
    this.name = "InvalidOperation";
  }
}

// ---- Code points in UTF-16 strings (codepoints.js) ----

export { codePointLength, codePointToUtf16, utf16ToCodePoint };

// The first `count` code points of `s` and the rest.
function splitAt(s, count) {
  const cut = advance(s, 0, count);
  return [s.slice(0, cut), s.slice(cut)];
}

// ---- Components ----

function isRetain(c) {
  return typeof c === "number" && c > 0;
}

function isDelete(c) {
  return typeof c === "number" && c < 0;
}

function isInsert(c) {
  return typeof c === "string";
}

function componentLength(c) {
  return isInsert(c) ? codePointLength(c) : Math.abs(c);
}

// Accumulates components in normal form.
class Builder {
  constructor() {
    this.ops = [];
  }

  retain(n) {
    if (n <= 0) return;
    const ops = this.ops;
    if (ops.length && isRetain(ops[ops.length - 1])) ops[ops.length - 1] += n;
    else ops.push(n);
  }

  insert(s) {
    if (!s) return;
    const ops = this.ops;
    const last = ops.length - 1;
    if (last >= 0 && isInsert(ops[last])) {
      ops[last] += s;
    } else if (last >= 0 && isDelete(ops[last])) {
      // Insert before a delete: the same edit, one canonical spelling.
      if (last >= 1 && isInsert(ops[last - 1])) ops[last - 1] += s;
      else ops.splice(last, 0, s);
    } else {
      ops.push(s);
    }
  }

  delete(n) {
    if (n <= 0) return;
    const ops = this.ops;
    if (ops.length && isDelete(ops[ops.length - 1])) ops[ops.length - 1] -= n;
    else ops.push(-n);
  }
}

// ---- The algebra ----

/**
 * Check the JSON form of an operation and return a copy of it. Integers must be safe
 * integers (no text is 2^53 characters long).
 * @param {unknown} raw
 * @returns {Array<number|string>}
 * @throws {InvalidOperation}
 */
export function parse(raw) {
  if (!Array.isArray(raw)) {
    throw new InvalidOperation("An operation is a list of retains, inserts and deletes.");
  }
  for (const component of raw) {
    if (!isInsert(component) && !Number.isSafeInteger(component)) {
      throw new InvalidOperation("Each component is an integer or a string.");
    }
    if (component === 0 || component === "") {
      throw new InvalidOperation("Zero retains and empty inserts are not allowed.");
    }
  }
  return raw.slice();
}

/**
 * The canonical spelling of `op`, which must already be valid.
 * @param {Array<number|string>} op
 * @returns {Array<number|string>}
 */
export function normalise(op) {
  const builder = new Builder();
  for (const c of op) {
    if (isInsert(c)) builder.insert(c);
    else if (c > 0) builder.retain(c);
    else builder.delete(-c);
  }
  return builder.ops;
}

/**
 * The length of the text the operation applies to, in code points.
 * @param {Array<number|string>} op
 * @returns {number}
 */
export function baseLength(op) {
  let length = 0;
  for (const c of op) if (!isInsert(c)) length += Math.abs(c);
  return length;
}

/**
 * The length of the text the operation produces, in code points.
 * @param {Array<number|string>} op
 * @returns {number}
 */
export function targetLength(op) {
  let length = 0;
  for (const c of op) length += isInsert(c) ? codePointLength(c) : Math.max(c, 0);
  return length;
}

/**
 * Whether the operation changes nothing (only retains, or nothing at all).
 * @param {Array<number|string>} op
 * @returns {boolean}
 */
export function isNoop(op) {
  return op.every(isRetain);
}

/**
 * Apply `op` to `text`, which must be exactly as long as the operation's base.
 * @param {string} text
 * @param {Array<number|string>} op
 * @returns {string}
 * @throws {InvalidOperation}
 */
export function apply(text, op) {
  const expected = baseLength(op);
  const actual = codePointLength(text);
  if (expected !== actual) {
    throw new InvalidOperation(
      `The operation covers ${expected} characters but the text has ${actual}.`,
    );
  }
  // Concatenation, unlike join, lets the engine share the unchanged stretches of a long text.
  let result = "";
  let index = 0; // in UTF-16 units
  for (const c of op) {
    if (isInsert(c)) {
      result += c;
    } else if (c > 0) {
      const end = advance(text, index, c);
      result += text.slice(index, end);
      index = end;
    } else {
      index = advance(text, index, -c);
    }
  }
  return result;
}

/**
 * Everything the operation inserts, in order.
 * @param {Array<number|string>} op
 * @returns {string}
 */
export function inserted(op) {
  return op.filter(isInsert).join("");
}

/**
 * Everything the operation deletes from `text`, in order.
 * @param {Array<number|string>} op
 * @param {string} text
 * @returns {string}
 */
export function deleted(op, text) {
  const parts = [];
  let index = 0;
  for (const c of op) {
    if (isInsert(c)) continue;
    const end = advance(text, index, Math.abs(c));
    if (c < 0) parts.push(text.slice(index, end));
    index = end;
  }
  return parts.join("");
}

/**
 * The operation that undoes `op` once it has been applied to `text`.
 * @param {Array<number|string>} op
 * @param {string} text the text before `op`
 * @returns {Array<number|string>}
 */
export function invert(op, text) {
  const builder = new Builder();
  let index = 0;
  for (const c of op) {
    if (isInsert(c)) {
      builder.delete(codePointLength(c));
    } else if (c > 0) {
      builder.retain(c);
      index = advance(text, index, c);
    } else {
      const end = advance(text, index, -c);
      builder.insert(text.slice(index, end));
      index = end;
    }
  }
  return builder.ops;
}

// Walks an operation component by component, splitting them where needed. `size` is the
// head's length in code points, kept so that a long insert is not measured again and again.
class Cursor {
  constructor(op) {
    this.ops = op;
    this.index = -1;
    this.advance();
  }

  advance() {
    this.index++;
    this.head = this.index < this.ops.length ? this.ops[this.index] : null;
    this.size = this.head === null ? 0 : componentLength(this.head);
  }

  // Take up to n characters' worth from the head (all of it when n covers it).
  take(n) {
    const head = this.head;
    if (this.size <= n) {
      this.advance();
      return head;
    }
    this.size -= n;
    if (isInsert(head)) {
      const [taken, rest] = splitAt(head, n);
      this.head = rest;
      return taken;
    }
    this.head = head > 0 ? head - n : head + n;
    return head > 0 ? n : -n;
  }

  takeAll() {
    return this.take(this.size);
  }
}

/**
 * One operation with the effect of `a` followed by `b`.
 * @param {Array<number|string>} a
 * @param {Array<number|string>} b an operation on the text `a` produces
 * @returns {Array<number|string>}
 * @throws {InvalidOperation}
 */
export function compose(a, b) {
  if (targetLength(a) !== baseLength(b)) {
    throw new InvalidOperation("The second operation does not start where the first ends.");
  }
  const builder = new Builder();
  const first = new Cursor(a);
  const second = new Cursor(b);
  while (first.head !== null || second.head !== null) {
    if (first.head !== null && isDelete(first.head)) {
      builder.delete(-first.takeAll());
      continue;
    }
    if (second.head !== null && isInsert(second.head)) {
      builder.insert(second.takeAll());
      continue;
    }
    if (first.head === null || second.head === null) {
      throw new InvalidOperation("The operations do not line up.");
    }
    const n = Math.min(first.size, second.size);
    const x = first.take(n);
    const y = second.take(n);
    if (isRetain(y)) {
      // b keeps what a produced: a retain stays a retain, an insert stays an insert.
      if (isInsert(x)) builder.insert(x);
      else builder.retain(x);
    } else if (!isInsert(x)) {
      builder.delete(n); // b deletes what a retained
    }
    // else: b deletes what a inserted, so neither appears.
  }
  return builder.ops;
}

/**
 * Make two concurrent operations on one text apply after each other: returns [a2, b2] with
 * apply(apply(s, b), a2) === apply(apply(s, a), b2). Where both insert at one position,
 * `a`'s insert goes first, as on the server, where transform(incoming, applied) places the
 * change sequenced later first.
 * @param {Array<number|string>} a
 * @param {Array<number|string>} b
 * @returns {[Array<number|string>, Array<number|string>]}
 * @throws {InvalidOperation}
 */
export function transform(a, b) {
  if (baseLength(a) !== baseLength(b)) {
    throw new InvalidOperation("Concurrent operations must start from texts of equal length.");
  }
  const a2 = new Builder();
  const b2 = new Builder();
  const left = new Cursor(a);
  const right = new Cursor(b);
  while (left.head !== null || right.head !== null) {
    if (left.head !== null && isInsert(left.head)) {
      const size = left.size;
      a2.insert(left.takeAll());
      b2.retain(size);
      continue;
    }
    if (right.head !== null && isInsert(right.head)) {
      const size = right.size;
      a2.retain(size);
      b2.insert(right.takeAll());
      continue;
    }
    if (left.head === null || right.head === null) {
      throw new InvalidOperation("The operations do not line up.");
    }
    const n = Math.min(left.size, right.size);
    const x = left.take(n);
    const y = right.take(n);
    if (x > 0 && y > 0) {
      a2.retain(n);
      b2.retain(n);
    } else if (x < 0 && y > 0) {
      a2.delete(n);
    } else if (y < 0 && x > 0) {
      b2.delete(n);
    }
    // both delete the same stretch: nothing is left to do for either.
  }
  return [a2.ops, b2.ops];
}

/**
 * Where a caret at code point `position` stands after `op` (ot.js's transformIndex): text
 * inserted exactly at the caret goes before it, so a caret follows what is typed at it
 * (with `insertedAfter`, after it: the caret stays put); text deleted before the caret pulls
 * it back.
 * @param {number} position
 * @param {Array<number|string>} op
 * @param {{insertedAfter?: boolean}} [options]
 * @returns {number}
 */
export function transformPosition(position, op, { insertedAfter = false } = {}) {
  let newPosition = position;
  let index = 0;
  for (const c of op) {
    if (index > position) break;
    if (isInsert(c)) {
      if (index < position || !insertedAfter) newPosition += codePointLength(c);
    } else if (c > 0) {
      index += c;
    } else {
      newPosition -= Math.min(-c, position - index);
      index -= c;
    }
  }
  return newPosition;
}

/**
 * A selection or passage [start, end) after `op`; it never turns inside out.
 * @param {number} start
 * @param {number} end
 * @param {Array<number|string>} op
 * @returns {[number, number]}
 */
export function transformRange(start, end, op) {
  const newStart = transformPosition(start, op);
  return [newStart, Math.max(newStart, transformPosition(end, op))];
}

// ---- From a text area's change ----

/**
 * The normalised operation that turns `oldText` into `newText`, as one replacement between
 * their common start and common end (compared by code point, so a surrogate pair is never
 * split). Where the change could sit in several places, as when a letter is typed in a run
 * of the same letter, `hintCursor` decides: the caret's UTF-16 index in `newText` after the
 * change (a textarea's `selectionEnd`), where typed text ends and deleted text was. Without
 * a hint the change goes as late as it can.
 * @param {string} oldText
 * @param {string} newText
 * @param {number} [hintCursor]
 * @returns {Array<number|string>}
 */
export function fromDiff(oldText, newText, hintCursor) {
  // Common start, compared unit by unit and then kept off the middle of a pair.
  const shorter = Math.min(oldText.length, newText.length);
  let head = 0;
  while (head < shorter && oldText.charCodeAt(head) === newText.charCodeAt(head)) head++;
  if (head === oldText.length && head === newText.length) {
    return normalise([codePointLength(oldText)]);
  }
  if (splitsPair(oldText, head) || splitsPair(newText, head)) head--;

  // Common end, walked back as far as it goes, even into the common start.
  let oldEnd = oldText.length;
  let newEnd = newText.length;
  while (oldEnd > 0 && newEnd > 0 && oldText.charCodeAt(oldEnd - 1) === newText.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  if (splitsPair(oldText, oldEnd) || splitsPair(newText, newEnd)) {
    oldEnd++;
    newEnd++;
  }

  const headPoints = codePointLength(oldText.slice(0, head));
  const tailPoints = codePointLength(oldText.slice(oldEnd));
  const oldLength = codePointLength(oldText);
  const newLength = codePointLength(newText);
  const builder = new Builder();
  if (headPoints + tailPoints < Math.min(oldLength, newLength)) {
    // A replacement: the common start and end do not meet, so it has one place only.
    builder.retain(headPoints);
    builder.insert(newText.slice(head, newEnd));
    builder.delete(oldLength - headPoints - tailPoints);
    builder.retain(tailPoints);
    return builder.ops;
  }

  // A pure insert or delete of `size` code points, which may start anywhere in [earliest,
  // headPoints]: the text after it is common to both.
  const growing = newLength > oldLength;
  const size = Math.abs(newLength - oldLength);
  const earliest = Math.max(0, Math.min(oldLength, newLength) - tailPoints);
  let at = headPoints;
  if (hintCursor !== undefined && hintCursor !== null) {
    const caret = utf16ToCodePoint(newText, hintCursor);
    at = Math.max(earliest, Math.min(headPoints, growing ? caret - size : caret));
  }
  const start = retreat(oldText, head, headPoints - at);
  builder.retain(at);
  if (growing) {
    builder.insert(newText.slice(start, advance(newText, start, size)));
    builder.retain(oldLength - at);
  } else {
    builder.delete(size);
    builder.retain(newLength - at);
  }
  return builder.ops;
}
