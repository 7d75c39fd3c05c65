// The rule of locked sections, the browser's copy of app/collab/locks.py: a locked section
// keeps its words exactly, heading included, with its heading at the start of a line (the
// preamble: at the start of the text), and after them only white space and then the next
// heading or the end of the text. So text may be typed before its heading when it ends in a
// line break, and blank lines or new sections after it, but not a word inside it.
// Positions count code points, as the server's do; lock words are plain strings.

import { apply, codePointToUtf16, transformPosition } from "./operation.js";

const WHITE = /\s*/y;
// A line that a heading starts: "# …" (up to three spaces in), or words underlined with = or -.
const HEADING = /(?: {0,3}(?:#{1,6}(?:[ \t]|$)|[^\n]*\S[^\n]*\n {0,3}(?:=+|-+)[ \t]*$))/my;

function matchAt(pattern, text, at) {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

/**
 * Whether the locked words (`lock`: {text, preamble}) stand intact as a section at code
 * point `start` of `text`.
 */
export function stands(lock, text, start) {
  const from = codePointToUtf16(text, start);
  const end = from + lock.text.length;
  if (text.slice(from, end) !== lock.text) return false;
  if (lock.preamble) {
    if (from !== 0) return false;
  } else if (from > 0 && !"\n\r".includes(text[from - 1])) {
    return false;
  }
  const white = matchAt(WHITE, text, end)[0];
  if (end + white.length === text.length) return true;
  const line = Math.max(white.lastIndexOf("\n"), white.lastIndexOf("\r"));
  return line >= 0 && matchAt(HEADING, text, end + line + 1) !== null;
}

/** Where the locked words stand in `text` (a code point), the place nearest `near`; or null. */
export function locate(lock, text, near) {
  let best = null;
  let found = text.indexOf(lock.text);
  while (found >= 0) {
    const at = [...text.slice(0, found)].length;
    if (stands(lock, text, at) && (best === null || Math.abs(at - near) < Math.abs(best - near))) best = at;
    found = text.indexOf(lock.text, found + 1);
  }
  return best;
}

/**
 * The first standing lock (of `locks`, each {text, preamble, start, standing} on `before`)
 * that `op` would break, applied to `before`; or null when it breaks none.
 */
export function brokenBy(locks, op, before) {
  const standing = locks.filter((lock) => lock.standing);
  if (!standing.length) return null;
  let after;
  try {
    after = apply(before, op);
  } catch {
    return null; // not a change of this text: the server judges it
  }
  return standing.find((lock) => !stands(lock, after, transformPosition(lock.start, op))) ?? null;
}
