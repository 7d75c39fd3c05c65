// Locked sections drawn under the text area: their words shaded and edged, a "Locked" flag
// above each heading naming who locked it, and a mark where every section starts (to scroll
// to). The layer holds the same text in the same font and width as the text area, invisible,
// so that the shading falls exactly under the words.

import { el } from "../ui.js";
import { codePointToUtf16 } from "./operation.js";

function flag(lock) {
  const text = lock.lockedBy ? `Locked by ${lock.lockedBy}` : "Locked";
  return el("span", { class: "locked-flag", "data-section": lock.key }, el("span", { class: "locked-label", text }));
}

/**
 * Draw `text` on `layer` with the `locked` sections ({key, start, end, lockedBy}, in code
 * points of `text`) and a mark at the start of each of `sections` ({id, start}).
 */
export function drawLocks(layer, text, locked, sections) {
  const length = [...text].length;
  const cuts = new Set([0]);
  const marks = new Map(); // position → nodes to put there
  const at = (position, node) => {
    if (!marks.has(position)) marks.set(position, []);
    marks.get(position).push(node);
    cuts.add(position);
  };
  for (const section of sections) {
    if (section.start <= length) at(section.start, el("span", { class: "section-mark", "data-section": section.id }));
  }
  for (const lock of locked) {
    at(lock.start, flag(lock));
    cuts.add(lock.end);
  }
  const ordered = [...cuts].sort((a, b) => a - b);
  const nodes = [];
  for (let index = 0; index < ordered.length; index += 1) {
    const from = ordered[index];
    nodes.push(...(marks.get(from) ?? []));
    const to = index + 1 < ordered.length ? ordered[index + 1] : null;
    const piece = text.slice(codePointToUtf16(text, from), to === null ? undefined : codePointToUtf16(text, to));
    if (!piece) continue;
    const inside = to !== null && locked.some((lock) => lock.start <= from && to <= lock.end);
    nodes.push(inside ? el("span", { class: "locked-section", text: piece }) : document.createTextNode(piece));
  }
  // A final line break needs something after it to take up its line, as in the text area.
  nodes.push(document.createTextNode("\u200b"));
  layer.replaceChildren(...nodes);
}
