// A small Markdown renderer for previews: headings, paragraphs, lists, quotes, code, rules,
// emphasis, strong, inline code and links. It builds DOM nodes from text nodes only, so
// nothing a person writes can become markup or script; links go only to http(s) and mailto.

import { el } from "./ui.js";

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

const INLINE = [
  { pattern: /`([^`]+)`/, build: (m) => el("code", { text: m[1] }) },
  { pattern: /\*\*(.+?)\*\*|__(.+?)__/, build: (m) => el("strong", {}, inline(m[1] ?? m[2])) },
  { pattern: /\*(?!\s)(.+?)\*|(?<![\w])_(?!\s)(.+?)_(?![\w])/, build: (m) => el("em", {}, inline(m[1] ?? m[2])) },
  {
    pattern: /\[([^\]]+)\]\(([^)\s]+)\)/,
    build: (m) => (SAFE_LINK.test(m[2])
      ? el("a", { href: m[2], rel: "noopener noreferrer nofollow" }, inline(m[1]))
      : document.createTextNode(m[0])),
  },
];

/** Inline Markdown in `text` as a list of nodes. */
export function inline(text) {
  let first = null;
  for (const rule of INLINE) {
    const match = rule.pattern.exec(text);
    if (match && (first === null || match.index < first.match.index)) first = { rule, match };
  }
  if (first === null) return text ? [document.createTextNode(text)] : [];
  const { rule, match } = first;
  return [
    ...inline(text.slice(0, match.index)),
    rule.build(match),
    ...inline(text.slice(match.index + match[0].length)),
  ];
}

const BLOCK_START = /^(#{1,6}\s|>|\s*([-*+]|\d+[.)])\s|```|(\s*[-*_]){3,}\s*$)/;

/** Render Markdown `source` into a fragment of block elements. */
export function render(source) {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (!line.trim()) {
      index += 1;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      blocks.push(el(`h${heading[1].length}`, {}, inline(heading[2])));
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
      blocks.push(el("blockquote", {}, render(quoted.join("\n"))));
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
