// A small Markdown renderer for previews: headings, paragraphs, lists, quotes, code, rules,
// emphasis, strong, inline code and links. It builds DOM nodes from text nodes only, so
// nothing a person writes can become markup or script; links go only to http(s) and mailto.
// Every step is linear in the text, so that no draft, however it was crafted, hangs the page:
// patterns cannot backtrack across the text, and quotes nest only so deep.

import { el } from "./ui.js";

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;
const MAX_QUOTE_DEPTH = 20;
const MAX_EMPHASIS = 1000; // characters an emphasis may span

// Global patterns: each is asked for its next match from a position onwards.
const INLINE = [
  { pattern: /`([^`]+)`/g, build: (m) => el("code", { text: m[1] }) },
  { pattern: /\*\*(.+?)\*\*|__(.+?)__/g, build: (m) => el("strong", {}, inline(m[1] ?? m[2])) },
  {
    pattern: new RegExp(`\\*(?!\\s)(.{1,${MAX_EMPHASIS}}?)\\*|(?<![\\w])_(?!\\s)(.{1,${MAX_EMPHASIS}}?)_(?![\\w])`, "g"),
    build: (m) => el("em", {}, inline(m[1] ?? m[2])),
  },
  {
    // Neither label nor address holds a bracket, so no run of them rescans the text.
    pattern: /\[([^[\]]+)\]\(([^)\s[\]]+)\)/g,
    build: (m) => (SAFE_LINK.test(m[2])
      ? el("a", { href: m[2], rel: "noopener noreferrer nofollow" }, inline(m[1]))
      : document.createTextNode(m[0])),
  },
];

/** Inline Markdown in `text` as a list of nodes. */
export function inline(text) {
  const nodes = [];
  // Each rule's next match at or after `at` (null: none left), found again only once passed.
  const next = INLINE.map(() => undefined);
  let at = 0;
  for (;;) {
    let first = -1;
    INLINE.forEach((rule, index) => {
      if (next[index] === undefined || (next[index] !== null && next[index].index < at)) {
        rule.pattern.lastIndex = at;
        next[index] = rule.pattern.exec(text);
      }
      // The earliest match wins; of two at one place, the rule listed first.
      if (next[index] !== null && (first === -1 || next[index].index < next[first].index)) first = index;
    });
    if (first === -1) break;
    const match = next[first];
    if (match.index > at) nodes.push(document.createTextNode(text.slice(at, match.index)));
    nodes.push(INLINE[first].build(match));
    at = match.index + match[0].length;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

/** A heading's level and words, closing hashes dropped, or null. */
function heading(line) {
  const marks = /^#{1,6}/.exec(line)?.[0] ?? "";
  if (!marks || !/\s/.test(line.charAt(marks.length))) return null;
  let words = line.slice(marks.length).trim();
  let end = words.length;
  while (end > 0 && words[end - 1] === "#") end -= 1;
  words = words.slice(0, end).trimEnd();
  return { level: marks.length, words };
}

const BLOCK_START = /^(#{1,6}\s|>|\s*([-*+]|\d+[.)])\s|```|(\s*[-*_]){3,}\s*$)/;

/** Render Markdown `source` into a fragment of block elements. */
export function render(source, depth = 0) {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (!line.trim()) {
      index += 1;
      continue;
    }
    const title = heading(line);
    if (title) {
      blocks.push(el(`h${title.level}`, {}, inline(title.words)));
      index += 1;
    } else if (line.startsWith("```")) {
      const code = [];
      index += 1;
      while (index < lines.length && !lines[index].startsWith("```")) code.push(lines[index++]);
      index += 1;
      blocks.push(el("pre", {}, el("code", { text: code.join("\n") })));
    } else if (/^(\s*[-*_]){3,}\s*$/.test(line)) {
      blocks.push(el("hr"));
      index += 1;
    } else if (line.startsWith(">")) {
      const quoted = [];
      while (index < lines.length && lines[index].startsWith(">")) quoted.push(lines[index++].replace(/^>\s?/, ""));
      const inner = quoted.join("\n");
      // Deeper quotes show their remaining marks as text, as CommonMark renderers cap nesting.
      blocks.push(el("blockquote", {}, depth < MAX_QUOTE_DEPTH ? render(inner, depth + 1) : el("p", {}, inline(inner))));
    } else if (/^\s*([-*+]|\d+[.)])\s/.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items = [];
      while (index < lines.length && /^\s*([-*+]|\d+[.)])\s/.test(lines[index])) {
        items.push(el("li", {}, inline(lines[index].replace(/^\s*([-*+]|\d+[.)])\s+/, ""))));
        index += 1;
      }
      blocks.push(el(ordered ? "ol" : "ul", {}, items));
    } else {
      const paragraph = [];
      while (index < lines.length && lines[index].trim() && !BLOCK_START.test(lines[index])) {
        paragraph.push(lines[index++]);
      }
      if (paragraph.length === 0) paragraph.push(lines[index++]);
      blocks.push(el("p", {}, inline(paragraph.join("\n"))));
    }
  }
  const fragment = document.createDocumentFragment();
  fragment.append(...blocks);
  return fragment;
}
