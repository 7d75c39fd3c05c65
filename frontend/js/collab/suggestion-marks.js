// Suggestions drawn over the text area: what one would remove is struck through in its
// suggester's colour, and what it would put in stands in a small flag at its point, underlined
// in that colour. The layer holds the same text in the same font and width as the text area,
// invisible, so the strikes fall exactly on the letters; the flags take no room in the line,
// so nothing after them moves.

import { el } from "../ui.js";
import { codePointToUtf16 } from "./operation.js";

function coloured(node, colour) {
  node.style.setProperty("--peer", colour);
  return node;
}

function insertion(suggestion, colour) {
  const flag = el("span", { class: "suggested-insert-text", text: suggestion.insert });
  return coloured(el("span", {
    class: "suggested-insert",
    "data-suggestion": suggestion.id ?? "",
    title: `${suggestion.author.name} suggests adding this`,
  }, flag), colour);
}

/**
 * Draw `suggestions` ({id, start, end, insert, author}, in code points of `text`, in order of
 * `start`) on `layer`; `colourOf(author)` gives each suggester's colour.
 */
export function drawSuggestions(layer, text, suggestions, colourOf) {
  const cuts = new Set([0]);
  const points = new Map(); // position → suggestions putting text in there
  for (const suggestion of suggestions) {
    cuts.add(suggestion.start).add(suggestion.end);
    if (!suggestion.insert) continue;
    if (!points.has(suggestion.end)) points.set(suggestion.end, []);
    points.get(suggestion.end).push(suggestion);
  }
  const ordered = [...cuts].sort((a, b) => a - b);
  const nodes = [];
  for (let index = 0; index < ordered.length; index += 1) {
    const from = ordered[index];
    for (const suggestion of points.get(from) ?? []) nodes.push(insertion(suggestion, colourOf(suggestion.author)));
    const to = index + 1 < ordered.length ? ordered[index + 1] : null;
    const piece = text.slice(codePointToUtf16(text, from), to === null ? undefined : codePointToUtf16(text, to));
    if (!piece) continue;
    const striking = suggestions.filter((s) => s.start <= from && to !== null && to <= s.end);
    if (!striking.length) {
      nodes.push(document.createTextNode(piece));
      continue;
    }
    const span = el("span", { class: "suggested-delete", "data-suggestion": striking.map((s) => s.id ?? "").join(" "), text: piece });
    nodes.push(coloured(span, colourOf(striking[0].author)));
  }
  // A final line break needs something after it to take up its line, as in the text area.
  nodes.push(document.createTextNode("\u200b"));
  layer.replaceChildren(...nodes);
}

/** The suggestion whose text holds `position` (its point, for a pure insertion), if any. */
export function suggestionAt(suggestions, position) {
  return suggestions.find((s) => s.start <= position && position <= s.end) ?? null;
}
