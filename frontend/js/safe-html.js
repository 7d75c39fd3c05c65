// Markup the server built (a diff's <ins> and <del>; a comment's Markdown, sanitised) is
// still rebuilt here node by node from an inert parse: only the expected elements and
// attributes survive, links only to http(s) and mailto, so nothing else could reach the page.

const DIFF = {
  tags: new Set(["INS", "DEL", "SPAN"]),
  attributes: ["class", "data-move", "data-authors"],
};
const COMMENT = {
  tags: new Set([
    "P", "BR", "EM", "STRONG", "DEL", "S", "CODE", "PRE", "BLOCKQUOTE", "UL", "OL", "LI", "A",
    "H1", "H2", "H3", "H4", "H5", "H6", "HR", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD", "MARK",
  ]),
  attributes: ["class", "href", "title", "align", "start"],
};
const SAFE_LINK = /^(https?:|mailto:)/i;

function rebuild(source, target, allowed) {
  for (const node of source.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      target.append(document.createTextNode(node.data));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      if (allowed.tags.has(node.tagName)) {
        const copy = document.createElement(node.tagName.toLowerCase());
        for (const name of allowed.attributes) {
          const value = node.getAttribute(name);
          if (value === null || (name === "href" && !SAFE_LINK.test(value.trim()))) continue;
          copy.setAttribute(name, value);
        }
        if (copy.tagName === "A") copy.setAttribute("rel", "noopener noreferrer nofollow");
        rebuild(node, copy, allowed);
        target.append(copy);
      } else {
        target.append(document.createTextNode(node.textContent));
      }
    }
  }
}

function markup(html, allowed) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const fragment = document.createDocumentFragment();
  rebuild(parsed.body, fragment, allowed);
  return fragment;
}

/** A diff's inline or side-by-side HTML as a fragment of its allowed elements and text. */
export function diffMarkup(html) {
  return markup(html, DIFF);
}

/** A comment's rendered Markdown as a fragment of its allowed elements and text. */
export function commentMarkup(html) {
  return markup(html, COMMENT);
}
