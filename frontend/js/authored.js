// A text shown with who wrote each passage: runs of [length, writer id] cover it in order.

import { advance } from "./collab/codepoints.js";
import { el } from "./ui.js";

/** Nodes for `text`, each passage shaded in its writer's colour (`writers` maps id → {name, colour, mark}). */
export function authoredText(text, runs, writers) {
  const nodes = [];
  let unit = 0;
  for (const [length, writer] of runs ?? []) {
    const end = advance(text, unit, length);
    const piece = text.slice(unit, end);
    const who = writers.get(writer);
    if (who) {
      // The underline's style tells writers apart where colours cannot.
      const span = el("span", { class: "authored", title: who.name, "data-mark": String(who.mark ?? 0), text: piece });
      span.style.setProperty("--peer", who.colour);
      nodes.push(span);
    } else {
      nodes.push(piece);
    }
    unit = end;
  }
  if (unit < text.length) nodes.push(text.slice(unit));
  return nodes;
}
