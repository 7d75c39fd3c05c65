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
 * text, and `active` while its owner is at work), when `authorship` is given, runs of
 * [length, writer] that cover the text (writer: {colour, mark, name} or null), and the
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
    for (const [length, writer] of authorship) {
      if (writer) runs.push({ from: position, to: position + length, ...writer });
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
      const classes = ["remote-caret"];
      if (peer.active) classes.push("active");
      if (overlay.dataset.hovered === peer.client_id) classes.push("hovered");
      nodes.push(colourOf(el("span", { class: classes.join(" "), "data-client": peer.client_id },
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
    if (written && !selected) Object.assign(span.dataset, { mark: String(written.mark), writer: written.name });
    nodes.push(selected || written ? colourOf(span, (selected ?? written).colour) : span);
  }
  // A final line break needs something after it to take up its line, as in the text area.
  nodes.push("\u200b");
  overlay.replaceChildren(...nodes.map((node) => (typeof node === "string" ? document.createTextNode(node) : node)));
  keepFlagsInside(overlay);
}

/** A caret near the right edge flies its name to the left, over the text rather than past it. */
function keepFlagsInside(overlay) {
  const flags = overlay.querySelectorAll(".remote-caret-name");
  if (!flags.length) return;
  const edge = overlay.getBoundingClientRect().right;
  for (const flag of flags) {
    if (flag.getBoundingClientRect().right > edge) flag.parentElement.classList.add("flag-left");
  }
}

const NEAR_PX = 5; // how close to a caret the pointer names it

/**
 * The overlay lies under the text area, out of the pointer's reach: follow the pointer over
 * `surface` to name the caret it points at, and to say who wrote the passage under it.
 */
export function followPointer(surface, overlay) {
  const inside = (box, x, y, margin) => x >= box.left - margin && x <= box.right + margin && y >= box.top && y <= box.bottom;
  surface.addEventListener("mousemove", (event) => {
    const { clientX: x, clientY: y } = event;
    const caret = [...overlay.querySelectorAll(".remote-caret")]
      .find((node) => inside(node.getBoundingClientRect(), x, y, NEAR_PX));
    const hovered = caret?.dataset.client ?? "";
    if (hovered !== (overlay.dataset.hovered ?? "")) {
      overlay.dataset.hovered = hovered;
      for (const node of overlay.querySelectorAll(".remote-caret")) node.classList.toggle("hovered", node === caret);
    }
    const passage = [...overlay.querySelectorAll(".authored")]
      .find((node) => [...node.getClientRects()].some((box) => inside(box, x, y, 0)));
    if (passage?.dataset.writer) surface.title = `Written by ${passage.dataset.writer}`;
    else surface.removeAttribute("title");
  });
  surface.addEventListener("mouseleave", () => {
    overlay.dataset.hovered = "";
    for (const node of overlay.querySelectorAll(".remote-caret.hovered")) node.classList.remove("hovered");
    surface.removeAttribute("title");
  });
}
