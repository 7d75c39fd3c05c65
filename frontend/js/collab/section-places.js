// Where the draft's sections stand in the text shown, and the words of the locked ones: taken
// from the API's list of sections (on the server's revision it names) and kept in step with
// every change shown between two lists, the way passages.js keeps comment passages.

import { codePointToUtf16, fromDiff, transformPosition } from "./operation.js";
import { brokenBy, locate, stands } from "./lock-rule.js";

/** The code points [start, end) of `text`, without the white space after them. */
function words(text, start, end) {
  return text.slice(codePointToUtf16(text, start), codePointToUtf16(text, end)).trimEnd();
}

export class SectionPlaces {
  constructor() {
    this.sections = []; // as the API lists them, `start` moved to the text shown
    this.locks = []; // {key, text, preamble, start, standing, lockedBy} on the text shown
  }

  /**
   * The API's `sections`, on the text `text` of their revision, placed in `shown` (the text
   * on show now): positions through the change between the two, each locked section found by
   * its words where they stand nearest to that.
   */
  take(sections, text, shown) {
    const op = text === shown ? null : fromDiff(text, shown);
    const place = (position) => (op ? transformPosition(position, op) : position);
    this.sections = sections.map((section) => ({ ...section, start: place(section.start) }));
    this.locks = sections.filter((section) => section.locked).map((section) => {
      const lock = { key: section.id, text: words(text, section.start, section.end), preamble: section.level === 0, lockedBy: section.locked_by };
      const found = locate(lock, shown, place(section.start));
      return { ...lock, start: found ?? place(section.start), standing: found !== null };
    });
  }

  /** A change shown, making `after`: everything moves with it. */
  move(op, after) {
    for (const section of this.sections) section.start = transformPosition(section.start, op);
    for (const lock of this.locks) {
      lock.start = transformPosition(lock.start, op);
      lock.standing = lock.standing && stands(lock, after, lock.start);
    }
  }

  /** The text shown was set anew (`text`, after a refused change): find the locks again. */
  relocate(text) {
    for (const lock of this.locks) {
      const found = locate(lock, text, lock.start);
      lock.standing = found !== null;
      if (found !== null) lock.start = found;
    }
  }

  /** The locked section that `op` on `before` (the text shown) would change, or null. */
  brokenBy(op, before) {
    return brokenBy(this.locks, op, before);
  }

  /** The locked sections standing in the text shown: {key, start, end, lockedBy}. */
  locked() {
    return this.locks.filter((lock) => lock.standing)
      .map((lock) => ({ key: lock.key, start: lock.start, end: lock.start + [...lock.text].length, lockedBy: lock.lockedBy }));
  }

  /** Where section `key` starts in the text shown, or null. */
  startOf(key) {
    return this.sections.find((section) => section.id === key)?.start ?? null;
  }
}
