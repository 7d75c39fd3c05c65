// What is drawn behind the text area: others' carets and selections, and, when asked for,
// who wrote which passage. The overlay holds the same text in the same font and width as the
// text area, invisible, so that the marks it draws fall exactly under the characters.

import { el } from "../ui.js";
import { codePointToUtf16 } from "./operation.js";

function colourOf(node, colour) {
  node.style.setProperty("--peer", colour);
  return node;
}

/**
 * Draw `text` with `peers` (each {user, selection: {anchor, head}} in code points of this
 * text), when `authorship` is given, runs of [length, colour] that cover the text, and the
 * commented `passages` ({id, start, end, active}).
 */
export function drawOverlay(overlay, text, peers, authorship, passages = []) {
  const cuts = new Set([0]);
  const starts = new Map(); // position → carets at it
  const selections = [];
  for (const peer of peers) {
    const selection = peer.selection;
    if (!selection) continue;
    const from = Math.min(selection.anchor, selection.head);
    const to = Math.max(selection.anchor, selection.head);
    cuts.add(from).add(to).add(selection.head);
    if (from < to) selections.push({ from, to, colour: peer.user.colour });
    if (!starts.has(selection.head)) starts.set(selection.head, []);
    starts.get(selection.head).push(peer);
  }
  const runs = [];
  if (authorship) {
    let position = 0;
    for (const [length, colour] of authorship) {
      if (colour) runs.push({ from: position, to: position + length, colour });
      position += length;
      cuts.add(position);
    }
  }
  const commented = passages.filter((passage) => passage.start < passage.end);
  for (const passage of commented) cuts.add(passage.start).add(passage.end);
  const ordered = [...cuts].sort((a, b) => a - b);
  const nodes = [];
  let run = 0;
  for (let index = 0; index < ordered.length; index += 1) {
    const from = ordered[index];
    for (const peer of starts.get(from) ?? []) {
      nodes.push(colourOf(el("span", { class: "remote-caret", "data-client": peer.client_id },
        el("span", { class: "remote-caret-name", text: peer.user.name })), peer.user.colour));
    }
    const to = index + 1 < ordered.length ? ordered[index + 1] : null;
    const piece = text.slice(codePointToUtf16(text, from), to === null ? undefined : codePointToUtf16(text, to));
    if (!piece) continue;
    const selected = selections.find((s) => s.from <= from && to !== null && to <= s.to);
    while (run < runs.length && runs[run].to <= from) run += 1;
    const written = runs[run] && runs[run].from <= from ? runs[run] : null;
    const inside = commented.filter((p) => p.start <= from && to !== null && to <= p.end);
    const classes = [];
    if (selected) classes.push("remote-selection");
    else if (written) classes.push("authored");
    if (inside.length) classes.push("comment-passage");
    if (inside.some((p) => p.active)) classes.push("active");
    if (!classes.length) {
      nodes.push(piece);
      continue;
    }
    const span = el("span", { class: classes.join(" "), text: piece });
    if (inside.length) span.dataset.threads = inside.map((p) => p.id).join(" ");
    nodes.push(selected || written ? colourOf(span, (selected ?? written).colour) : span);
  }
  // A final line break needs something after it to take up its line, as in the text area.
  nodes.push("\u200b");
  overlay.replaceChildren(...nodes.map((node) => (typeof node === "string" ? document.createTextNode(node) : node)));
}
