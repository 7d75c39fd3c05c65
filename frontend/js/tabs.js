// Tabs with the ARIA pattern: a tablist of buttons, one visible panel, arrow keys to move.

import { el } from "./ui.js";

let made = 0;

/**
 * `sections`: [{name, content}] in order. Returns {node, show(name), panel(name)}.
 * The first tab shows at first; the others' panels are hidden.
 */
export function tabs(label, sections) {
  made += 1;
  const buttons = [];
  const panels = [];
  sections.forEach((section, index) => {
    const id = `tab-${made}-${index}`;
    buttons.push(el("button", {
      type: "button",
      role: "tab",
      id,
      "aria-controls": `${id}-panel`,
      "aria-selected": index === 0 ? "true" : "false",
      tabindex: index === 0 ? "0" : "-1",
      text: section.name,
    }));
    const panel = el("div", { role: "tabpanel", id: `${id}-panel`, "aria-labelledby": id, class: "tab-panel" }, section.content);
    panel.hidden = index !== 0;
    panels.push(panel);
  });

  function select(index, focus = false) {
    buttons.forEach((button, other) => {
      const chosen = other === index;
      button.setAttribute("aria-selected", chosen ? "true" : "false");
      button.tabIndex = chosen ? 0 : -1;
      panels[other].hidden = !chosen;
    });
    if (focus) buttons[index].focus();
  }

  buttons.forEach((button, index) => {
    button.addEventListener("click", () => select(index));
    button.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: buttons.length - 1 - index };
      if (!(event.key in moves)) return;
      event.preventDefault();
      select((index + moves[event.key] + buttons.length) % buttons.length, true);
    });
  });

  const node = el("div", { class: "tabs" },
    el("div", { role: "tablist", "aria-label": label, class: "tab-list" }, buttons),
    panels);
  return {
    node,
    show: (name) => select(sections.findIndex((section) => section.name === name)),
    /** Change what a tab says (a count beside its name, say). */
    label: (name, text) => {
      buttons[sections.findIndex((section) => section.name === name)].textContent = text;
    },
  };
}
