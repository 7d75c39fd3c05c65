// The consent map's grid: organisations and their people as rows, the round's sections as
// columns, each cell one person's stance on one section, told by a symbol and a word as well
// as by its colour. The table is built once for a set of people and sections; a later reading
// with the same ones rewrites only the cells and headers that differ, so that a live update
// costs little and leaves keyboard focus where it was.

import { el, fill } from "../ui.js";

/** Each stance's symbol and word: what tells it apart without its colour. */
export const MARKS = {
  approve: ["✓", "Approve"],
  abstain: ["○", "Abstain"],
  request_changes: ["✎", "Request changes"],
  block: ["✕", "Block"],
  none: ["…", "Not yet"],
};
export const CARRIED = "↻";
const NO_ORGANISATION = "No organisation";

export function headingOf(section) {
  return section.level === 0 ? "Preamble" : section.heading;
}

/** Organisation → its people: everyone with a say, and anyone else who took a stance. */
function groups(consent) {
  const people = new Map(consent.people.map((person) => [person.user_id, person]));
  for (const section of consent.data) {
    for (const stance of section.stances) {
      if (!people.has(stance.user_id)) people.set(stance.user_id, stance);
    }
  }
  const found = new Map();
  for (const person of people.values()) {
    const name = person.organisation || NO_ORGANISATION;
    if (!found.has(name)) found.set(name, []);
    found.get(name).push(person);
  }
  // Those without an organisation come last, after every organisation.
  const alone = found.get(NO_ORGANISATION);
  if (alone) {
    found.delete(NO_ORGANISATION);
    found.set(NO_ORGANISATION, alone);
  }
  return found;
}

function shapeOf(organisations, sections) {
  const rows = [...organisations].map(([name, people]) => [name, people.map((p) => [p.user_id, p.name])]);
  return JSON.stringify([rows, sections.map((s) => [s.section, headingOf(s)])]);
}

function face(kind, carried) {
  const [symbol, word] = MARKS[kind];
  return el("span", { class: "consent-face" },
    el("span", { class: "consent-symbol", "aria-hidden": "true", text: symbol }),
    el("span", { class: "consent-word", text: word }),
    carried ? el("span", { class: "consent-carried-mark", "aria-hidden": "true", text: CARRIED }) : null);
}

/** One cell's content: the stance, and behind a button its reason and where it came from. */
function drawCell(td, stance, tipId) {
  const kind = stance?.kind ?? "none";
  const carried = stance?.carried_from ?? null;
  td.className = `consent-cell stance-${kind}`;
  td.dataset.stance = kind;
  if (!stance || (!stance.reason && carried === null)) {
    fill(td, face(kind, false));
    return;
  }
  fill(td,
    el("button", { type: "button", class: "consent-stance", "aria-expanded": "false", "aria-describedby": tipId },
      face(kind, carried !== null)),
    el("span", { id: tipId, role: "tooltip", class: "consent-tip" },
      stance.reason ? el("span", { class: "consent-reason", text: stance.reason }) : null,
      carried !== null
        ? el("span", { class: "consent-carried", text: `Carried from version ${carried}, where the section read the same.` })
        : null));
}

function drawMarks(node, section) {
  fill(node,
    section.agreed ? el("span", { class: "consent-mark consent-agreed", text: "✓ Agreed" }) : null,
    section.locked ? el("span", { class: "consent-mark consent-locked", text: "Locked" }) : null);
}

/** Redraw a cell if its stance differs from what it shows; focus stays in it if it was. */
function update(cell, stance) {
  const now = stance ? `${stance.kind}\n${stance.reason}\n${stance.carried_from}` : "";
  if (now === cell.shown) return;
  const focused = cell.td.contains(document.activeElement);
  drawCell(cell.td, stance, cell.tip);
  cell.shown = now;
  if (focused) cell.td.querySelector("button")?.focus();
}

export class ConsentGrid {
  constructor() {
    // The title stays above the grid, which scrolls beneath it on a narrow screen.
    this.scroll = el("div", { class: "consent-scroll", tabindex: "0", role: "region", "aria-labelledby": "consent-grid-heading" });
    this.node = el("section", { class: "consent-map" },
      el("h2", { id: "consent-grid-heading", text: "Stances by organisation and section" }), this.scroll);
    this.shape = "";
    this.columns = new Map(); // section → its cells: { td, user, shown }
    this.marks = new Map(); // section → the span of its header's marks
    this.scroll.addEventListener("click", (event) => this.toggle(event));
    this.scroll.addEventListener("keydown", (event) => this.dismiss(event));
    this.scroll.addEventListener("focusout", (event) => event.target.closest?.(".consent-cell")?.classList.remove("consent-dismissed"));
    this.scroll.addEventListener("mouseout", (event) => {
      const cell = event.target.closest?.(".consent-cell");
      if (cell && !cell.contains(event.relatedTarget)) cell.classList.remove("consent-dismissed");
    });
  }

  /** Show `consent` (the API's reading of the round), changing only what changed. */
  render(consent) {
    const organisations = groups(consent);
    const shape = shapeOf(organisations, consent.data);
    if (shape !== this.shape) this.build(organisations, consent.data, shape);
    for (const section of consent.data) {
      const marks = this.marks.get(section.section);
      const said = `${section.agreed} ${section.locked}`;
      if (marks.dataset.said !== said) {
        marks.dataset.said = said;
        drawMarks(marks, section);
      }
      const held = new Map(section.stances.map((stance) => [stance.user_id, stance]));
      for (const cell of this.columns.get(section.section)) update(cell, held.get(cell.user));
    }
  }

  build(organisations, sections, shape) {
    this.shape = shape;
    this.columns = new Map(sections.map((section) => [section.section, []]));
    this.marks.clear();
    const headers = sections.map((section) => {
      const marks = el("span", { class: "consent-marks", "data-said": "" });
      this.marks.set(section.section, marks);
      return el("th", { scope: "col", class: "consent-section" }, el("span", { class: "consent-heading", text: headingOf(section) }), marks);
    });
    let tips = 0;
    const bodies = [...organisations].map(([name, people]) => el("tbody", {},
      el("tr", { class: "consent-org" },
        el("th", { scope: "rowgroup", colspan: String(sections.length + 1) }, el("span", { class: "consent-org-name", text: name }))),
      people.map((person) => el("tr", {},
        el("th", { scope: "row", class: "consent-person" }, person.name, el("span", { class: "visually-hidden", text: ` (${name})` })),
        sections.map((section) => {
          const td = el("td", { "data-user": String(person.user_id), "data-section": section.section });
          const cell = { td, user: person.user_id, tip: `consent-tip-${++tips}`, shown: null };
          update(cell, null);
          this.columns.get(section.section).push(cell);
          return td;
        })))));
    const table = el("table", { class: "consent-grid", "aria-labelledby": "consent-grid-heading" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col", class: "consent-corner", text: "Organisation and person" }), headers)),
      bodies);
    table.style.setProperty("--sections", String(sections.length));
    fill(this.scroll, table);
  }

  /** A tap or click pins a stance's details open (and closes any other); again closes them. */
  toggle(event) {
    const button = event.target.closest(".consent-stance");
    if (!button) return;
    const open = button.getAttribute("aria-expanded") !== "true";
    for (const other of this.scroll.querySelectorAll(".consent-stance[aria-expanded=true]")) other.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-expanded", String(open));
    button.closest(".consent-cell").classList.toggle("consent-dismissed", !open);
  }

  /** Escape hides the details shown, by hover, focus or a tap, until the pointer or focus leaves. */
  dismiss(event) {
    if (event.key !== "Escape") return;
    const cell = event.target.closest(".consent-cell");
    if (!cell) return;
    cell.querySelector(".consent-stance")?.setAttribute("aria-expanded", "false");
    cell.classList.add("consent-dismissed");
  }
}
