// Markup the server built for a diff (user text escaped, then <ins>, <del> and <span>) is
// still rebuilt here node by node from an inert parse: only those elements and their `class`
// and `data-move`/`data-authors` survive, so nothing else could ever reach the page.

const KEPT = new Set(["INS", "DEL", "SPAN"]);
const ATTRIBUTES = ["class", "data-move", "data-authors"];

function rebuild(source, target) {
  for (const node of source.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      target.append(document.createTextNode(node.data));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      if (KEPT.has(node.tagName)) {
        const copy = document.createElement(node.tagName.toLowerCase());
        for (const name of ATTRIBUTES) {
          const value = node.getAttribute(name);
          if (value !== null) copy.setAttribute(name, value);
        }
        rebuild(node, copy);
        target.append(copy);
      } else {
        target.append(document.createTextNode(node.textContent));
      }
    }
  }
}

/** A fragment of the allowed elements and text of `html`. */
export function diffMarkup(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const fragment = document.createDocumentFragment();
  rebuild(parsed.body, fragment);
  return fragment;
}
