// Who is here, said three ways on a statement's page: a bar of initials at the top of the
// editor, the People list, and one polite live region that announces, rarely, what a person
// listening would want to know: someone came or went, the connection was lost or is back.

import { el, fill } from "../ui.js";

const GATHER_MS = 1500; // announcements within this time are said together

function initials(name) {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((word) => [...word][0]?.toUpperCase() ?? "").join("") || "?";
}

/** The bar of who is here: each person once, in their colour, named in full. */
export function hereNow() {
  const list = el("ul", { class: "here-now", "aria-label": "Here now" });
  return {
    node: list,
    /** `people`: everyone with the statement open ({user}), this person first. */
    draw(people, myId) {
      const seen = new Set();
      fill(list, people.filter(({ user }) => !seen.has(user.id) && seen.add(user.id)).map(({ user }) => {
        const name = user.id === myId ? `${user.name} (you)` : user.name;
        const item = el("li", { title: name },
          el("span", { "aria-hidden": "true", text: initials(user.name) }),
          el("span", { class: "visually-hidden", text: name }));
        item.style.setProperty("--peer", user.colour);
        return item;
      }));
    },
  };
}

function names(list) {
  if (list.length <= 1) return list.join("");
  return `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}

/**
 * The page's one polite live region. What is said within a moment of each other is said
 * at once, in one sentence per kind, so that a burst of arrivals is one announcement.
 */
export function announcer() {
  const region = el("p", { id: "announcements", class: "visually-hidden", "aria-live": "polite" });
  let joined = [];
  let left = [];
  let lines = [];
  let timer = null;

  function flush() {
    timer = null;
    const said = [
      joined.length ? `${names(joined)} joined.` : "",
      left.length ? `${names(left)} left.` : "",
      ...lines,
    ].filter(Boolean).join(" ");
    joined = [];
    left = [];
    lines = [];
    if (!said) return;
    // The same words again are only said again if the text changes.
    region.textContent = said === region.textContent ? `${said}\u00a0` : said;
  }

  function later() {
    if (timer === null) timer = setTimeout(flush, GATHER_MS);
  }

  return {
    node: region,
    arrived(name) {
      if (left.includes(name)) left = left.filter((n) => n !== name);
      else joined.push(name);
      later();
    },
    departed(name) {
      if (joined.includes(name)) joined = joined.filter((n) => n !== name);
      else left.push(name);
      later();
    },
    say(line) {
      lines = lines.filter((l) => l !== line).concat(line);
      later();
    },
  };
}

/**
 * Tell `announce` who came and who went, person by person (a second tab of someone already
 * here is no arrival). The first list seen is who was here already: nobody is announced.
 */
export function arrivals(announce, myId) {
  let here = null; // user id → name
  return (people) => {
    const now = new Map(people.filter(({ user }) => user.id !== myId).map(({ user }) => [user.id, user.name]));
    if (here !== null) {
      for (const [id, name] of now) if (!here.has(id)) announce.arrived(name);
      for (const [id, name] of here) if (!now.has(id)) announce.departed(name);
    }
    here = now;
  };
}

/** Say when the connection is lost and when it is back; nothing while it stays as it is. */
export function connectionNews(announce) {
  let last = "connecting";
  let away = false; // lost after having been connected, and not back yet
  return (name) => {
    if (name === last) return;
    if (name === "offline") announce.say("You are offline. What you write is kept in this browser and sent when you are back.");
    else if (name === "reconnecting" && last === "connected") announce.say("The connection was lost. Reconnecting…");
    else if (name === "connected" && away) announce.say("Back online.");
    if (name === "offline" || name === "reconnecting") away = true;
    if (name === "connected") away = false;
    last = name;
  };
}
