// A statement's page: the live draft, written together, with the statement's state and
// deadlines above it and a side panel of who is here, the editing history, the activity
// and what the statement is about.

import { api, signInUrl } from "../api.js";
import { followPointer } from "../collab/overlay.js";
import { LiveSession } from "../collab/session.js";
import { ROLE_DESCRIPTIONS, STATE_LABELS, RULE_LABELS, plural, ruleDescription, roleLabel } from "../labels.js";
import { startPage, statementIdFromPath } from "../layout.js";
import { render } from "../markdown.js";
import { tabs } from "../tabs.js";
import { askFirst, byId, el, fill, formatDay, notify, reportFailure, setTitle, showPageError } from "../ui.js";
import { activity } from "./statement-activity.js";
import { commentsPanel } from "./statement-comments.js";
import { sectionOutline } from "./statement-outline.js";
import { announcer, arrivals, connectionNews, hereNow } from "./statement-presence.js";
import { reviewPanel } from "./statement-review.js";
import { HISTORY_PAGE, editingHistory } from "./statement-history.js";
import { suggestingMode } from "./statement-suggesting.js";
import { suggestionsPanel } from "./statement-suggestions.js";
import { versionsPanel } from "./statement-versions.js";

const SAVED_AFTER_MS = 600; // "Saved" waits this long for the next keystroke before it shows

/** Whether `role` may accept and reject suggestions, as the statement's setting has it. */
function decides(statement, role) {
  return role === "facilitator" || (role === "editor" && statement.suggestions_decided_by !== "facilitators");
}

const STATUS_TEXT = {
  connecting: "Connecting…",
  connected: "Saved",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  closed: "Disconnected",
  "signed-out": "Signed out",
};

function fact(term, value) {
  return el("div", {}, el("dt", { text: term }), el("dd", {}, value));
}

function deadline(day) {
  if (!day) return "No date set";
  const overdue = new Date(`${day}T23:59:59`) < new Date();
  return [formatDay(day), overdue ? el("span", { class: "badge badge-overdue", text: "overdue" }) : null];
}

function facts(statement) {
  // A region of its own around the list: role=region on the <dl> would hide that it is a list.
  return el("section", { "aria-label": "Overview" }, el("dl", { class: "facts statement-facts" },
    fact("State", el("span", { id: "state-badge", class: `badge badge-${statement.state}`, text: STATE_LABELS[statement.state] })),
    fact("Your role", el("span", { id: "my-role", text: roleLabel(statement.my_role) })),
    fact("Finalise by", deadline(statement.finalise_by)),
    fact("Publish on", deadline(statement.publish_on))));
}

/** The state badge anew, after an event that may have moved the statement's state on. */
async function redrawState(id) {
  const { state } = await api(`/statements/${id}`);
  const badge = byId("state-badge");
  badge.className = `badge badge-${state}`;
  badge.textContent = STATE_LABELS[state];
}

function about(statement) {
  return el("div", { class: "stack" },
    statement.context ? el("p", { class: "context", text: statement.context }) : null,
    el("dl", { class: "facts" },
      fact("Approval rule", [
        RULE_LABELS[statement.approval_rule] ?? statement.approval_rule,
        el("span", { class: "fact-note", text: ruleDescription(statement) }),
      ])),
    el("p", { class: "muted", text: `As ${roleLabel(statement.my_role).toLowerCase()}, you ${ROLE_DESCRIPTIONS[statement.my_role]}.` }));
}

function person(member, here) {
  return el("li", { class: here ? "here" : null },
    el("span", { class: "person-name", text: member.name }),
    el("span", { class: "visually-hidden", text: here ? ", here" : ", away" }),
    member.organisation ? el("span", { class: "person-org", text: member.organisation }) : null,
    el("span", { class: "badge", text: roleLabel(member.role) }));
}

/** Members, those with the statement open first, each marked in their colour. */
function drawPeople(list, members, peers) {
  const here = new Map();
  for (const peer of peers) here.set(peer.user.id, peer.user);
  const sorted = [...members].sort((a, b) => Number(here.has(b.user_id)) - Number(here.has(a.user_id)));
  fill(list, sorted.map((member) => {
    const item = person(member, here.has(member.user_id));
    const user = here.get(member.user_id);
    if (user) {
      item.style.setProperty("--peer", user.colour);
      item.querySelector(".person-name").prepend(el("span", { class: "presence-dot", title: "Here now" }));
    }
    return item;
  }));
}

// Every member may leave, facilitators too as long as another one remains (the server says).
function leaving(id, me) {
  const button = el("button", { type: "button", class: "button button-danger", text: "Leave this statement" });
  askFirst(button, {
    question: "Leave this statement? You will need a new invitation to come back.",
    confirm: "Yes, leave",
    action: async () => {
      await api(`/statements/${id}/members/${me.id}`, { method: "DELETE" });
      window.location.assign("/");
    },
  });
  return el("div", { class: "leave" }, button);
}

const FINAL_MESSAGES = {
  gone: "You are no longer a member of this statement.",
  refused: "The live connection was refused; reload the page.",
};

/**
 * Shown above the text when the sign-in ended while the page was open (signed out in another
 * tab, or the account disabled). The page stays, so that nothing typed is lost to a sudden
 * trip to the sign-in page; the link comes back here, where the journal is delivered.
 */
function signedOutNotice(unsynced) {
  const kept = unsynced
    ? `This browser keeps your ${plural(unsynced, "unsynced change")} and sends ${unsynced === 1 ? "it" : "them"} when you sign in again and come back to this statement. Until then the text stays here to read and copy.`
    : "Everything you wrote before then is saved.";
  return el("div", { class: "alert alert-warning signed-out", role: "alert" },
    el("p", { class: "signed-out-title", text: "You were signed out." }),
    el("p", { text: `Live editing has stopped: you signed out in another tab or window, or your sign-in was ended for you. ${kept}` }),
    el("p", {}, el("a", { class: "button", href: signInUrl(), text: "Sign in again" })));
}

const knownStatuses = new Map(); // suggestion id → the status its latest event gave

/** Whether a live event is of a suggestion made, or one whose status changed. */
function statusChanged(frame) {
  if (!frame.name.startsWith("suggestion.")) return false;
  const suggestion = frame.suggestion;
  if (typeof suggestion !== "object" || suggestion === null) return true;
  const before = knownStatuses.get(suggestion.id);
  knownStatuses.set(suggestion.id, suggestion.status);
  return before !== suggestion.status;
}

async function main() {
  const me = await startPage();
  const content = byId("content");
  const id = statementIdFromPath();
  let statement, members, events, history;
  try {
    [statement, members, events, history] = await Promise.all([
      api(`/statements/${id}`),
      api(`/statements/${id}/members`),
      api(`/statements/${id}/audit`),
      api(`/statements/${id}/history?limit=${HISTORY_PAGE}`),
    ]);
  } catch (error) {
    showPageError(content, error);
    return;
  }
  setTitle(statement.title);

  // The state is a status that does not speak (the announcements say when the connection
  // goes and comes back); its text changes only when the state does, the count beside it.
  const stateText = el("span", { role: "status", "aria-live": "off", text: STATUS_TEXT.connecting });
  const unsyncedText = el("span", { class: "sync-count" });
  const status = el("p", { class: "sync-status", "data-state": "connecting" }, stateText, unsyncedText);
  const announce = announcer();
  const here = hereNow();
  const textarea = el("textarea", {
    class: "editor-text",
    "aria-label": "Statement text",
    spellcheck: "true",
    readonly: true,
  });
  const overlay = el("div", { class: "editor-overlay", "aria-hidden": "true" });
  const legend = el("ul", { class: "writers", "aria-label": "Who wrote what" });
  legend.hidden = true;
  const showWriters = el("input", { type: "checkbox", id: "show-writers" });
  const surface = el("div", { class: "editor-surface" }, overlay, textarea);
  const modeSlot = el("div"); // Editing or Suggesting, once the session is made
  const outlineSlot = el("div"); // the sections beside the text, likewise
  followPointer(surface, overlay);
  const preview = el("div", { class: "draft preview", "aria-label": "Preview", role: "region" });
  preview.hidden = true;
  const previewing = el("button", { type: "button", class: "button button-secondary button-small", "aria-pressed": "false", text: "Preview" });
  previewing.addEventListener("click", () => {
    const on = previewing.getAttribute("aria-pressed") !== "true";
    previewing.setAttribute("aria-pressed", String(on));
    previewing.textContent = on ? "Back to writing" : "Preview";
    if (on) fill(preview, render(textarea.value));
    preview.hidden = !on;
    surface.hidden = on;
  });
  const peopleList = el("ul", { class: "people" });
  drawPeople(peopleList, members.data, []);
  const canEdit = ["facilitator", "editor"].includes(statement.my_role);
  const versions = versionsPanel(id, canEdit);
  const suggestions = suggestionsPanel(id, { canDecide: decides(statement, statement.my_role), meId: me.id });
  const comments = { node: el("div"), refresh: async () => {}, focus: () => {} }; // set below
  const activityPanel = el("div", {}, activity(events.data, members.data));
  const review = reviewPanel({
    statementId: id,
    statement,
    me,
    canComment: statement.my_role !== "viewer",
    isFacilitator: statement.my_role === "facilitator",
  });
  const panel = tabs("Statement", [
    { name: "Comments", content: comments.node },
    { name: "People", content: el("section", { "aria-label": "People" }, peopleList) },
    { name: "Versions", content: versions.node },
    { name: "Suggestions", content: suggestions.node },
    { name: "Review", content: review.node },
    { name: "History", content: editingHistory(id, history.data) },
    { name: "Activity", content: activityPanel },
    { name: "About", content: el("section", { "aria-label": "About" }, about(statement), leaving(id, me)) },
  ]);

  fill(content,
    el("div", { class: "page-heading" },
      el("div", {},
        el("p", { class: "breadcrumb" }, el("a", { href: "/", text: "My statements" })),
        el("h1", { text: statement.title })),
      statement.my_role === "facilitator"
        ? el("a", { class: "button button-secondary", href: `/statements/${id}/settings`, text: "Settings" })
        : null),
    facts(statement),
    el("div", { class: "workspace" },
      el("section", { class: "writing", "aria-labelledby": "draft-heading" },
        el("div", { class: "writing-bar" },
          el("h2", { id: "draft-heading", class: "visually-hidden", text: "Draft" }),
          modeSlot,
          el("label", { class: "toggle" }, showWriters, " Show who wrote what"),
          here.node,
          previewing,
          status),
        el("div", { class: "writing-body" }, outlineSlot, el("div", { class: "writing-text" }, legend, surface, preview))),
      el("aside", { class: "side-panel", "aria-label": "About this statement" }, panel.node)),
    announce.node);

  let closedAs = "closed"; // or "signed-out", once the server says why
  let settling = null; // the timer that will say "Saved" once typing pauses
  const setState = (text) => { if (stateText.textContent !== text) stateText.textContent = text; };
  const news = connectionNews(announce);
  const comings = arrivals(announce, me.id);
  let suggesting = null; // Suggesting mode and the marks, made once the session is
  let outline = null; // the sections' outline and locks, likewise
  const session = new LiveSession({
    statementId: id,
    me,
    role: statement.my_role,
    textarea,
    overlay,
    status: (name, unsynced) => {
      if (name === "connected" && status.dataset.state !== name) suggesting?.reconnected();
      status.dataset.state = name;
      news(name);
      unsyncedText.textContent = unsynced && name !== "connected" ? ` · ${plural(unsynced, "unsynced change")}` : "";
      // "Saving…" shows at once, so that "Saved" is always true; "Saved" waits for a pause
      // in the typing, so that the status does not flicker with every keystroke.
      const saved = name === "connected" && !unsynced;
      if (saved && stateText.textContent === "Saving…") {
        settling ??= setTimeout(() => {
          settling = null;
          if (session.connection.connected && !session.client.unsynced) setState(STATUS_TEXT.connected);
        }, SAVED_AFTER_MS);
        return;
      }
      clearTimeout(settling);
      settling = null;
      if (name === "connected" && unsynced) {
        setState("Saving…");
        return;
      }
      setState(STATUS_TEXT[name === "closed" ? closedAs : name]);
    },
    peers: (peers) => {
      drawPeople(peopleList, members.data, peers);
      here.draw(peers, me.id);
      if (!session?.ended) comings(peers);
    },
    roleChanged: (role) => {
      byId("my-role").textContent = roleLabel(role);
      suggesting?.roleChanged(role);
    },
    final: (reason, message, unsynced) => {
      suggesting?.stop();
      if (reason !== "signin") {
        notify(FINAL_MESSAGES[reason] ?? message, "error");
        return;
      }
      closedAs = "signed-out";
      session.reportStatus();
      legend.before(signedOutNotice(unsynced));
    },
    refused: (message) => notify(message, "error"),
    saveAsked: () => notify("Accord saves every change as you type; the status above the text says when all is saved."),
    event: (frame) => {
      if (frame.name.startsWith("version.")) versions.refresh().catch(reportFailure);
      // A suggestion's status changes what the Review tab counts; one growing as its author
      // types is only redrawn where it is shown.
      const changed = statusChanged(frame);
      if (frame.name.startsWith("suggestion.")) {
        const growing = frame.name === "suggestion.updated" && !changed;
        (growing ? suggestions.update(frame.suggestion) : suggestions.refresh()).catch(reportFailure);
        suggesting?.event(frame);
      }
      // The Review tab offers the versions saved, and shows rounds, what was published, and
      // how many suggestions a round waits for.
      if (/^(version|round|stance)\.|^statement\.published$/.test(frame.name) || changed) review.refresh();
      if (frame.name.startsWith("round.") || frame.name === "statement.published") redrawState(id).catch(reportFailure);
      if (/^(version|round|stance)\.|^statement\.published$/.test(frame.name)) {
        api(`/statements/${id}/audit`).then(({ data }) => fill(activityPanel, activity(data, members.data))).catch(reportFailure);
      }
      if (frame.name.startsWith("comment.") || frame.name.startsWith("thread.")) comments.refresh().catch(reportFailure);
      outline?.event(frame);
    },
    drawn: (text) => {
      suggesting?.draw();
      outline?.draw();
      if (!preview.hidden) fill(preview, render(text));
    },
    frame: (frame) => suggesting?.frame(frame),
  });
  suggesting = suggestingMode({
    statementId: id,
    me,
    session,
    surface,
    members: members.data,
    canDecide: (role) => decides(statement, role),
  });
  modeSlot.replaceWith(suggesting.node);
  outline = sectionOutline({ statementId: id, session, surface });
  outlineSlot.replaceWith(outline.node);
  showWriters.addEventListener("change", async () => {
    try {
      const writers = await session.showAuthorship(showWriters.checked);
      fill(legend, writers.map((writer) => {
        const item = el("li", {}, el("span", { class: "writer-mark", "data-mark": String(writer.mark) }), writer.name,
          writer.organisation ? el("span", { class: "muted", text: ` · ${writer.organisation}` }) : null);
        item.style.setProperty("--peer", writer.colour);
        return item;
      }));
      legend.hidden = !showWriters.checked;
    } catch (error) {
      showWriters.checked = false;
      reportFailure(error);
    }
  });
  const panelOfComments = commentsPanel({
    statementId: id,
    me,
    canComment: statement.my_role !== "viewer",
    canModerate: statement.my_role === "facilitator",
    session,
    reveal: () => panel.show("Comments"),
    announce,
  });
  comments.node.replaceWith(panelOfComments.node);
  Object.assign(comments, panelOfComments);
  panelOfComments.counter.update = (open) => panel.label("Comments", open ? `Comments (${open})` : "Comments");
  // The caret entering a commented passage points at its thread.
  const pointAtThread = () => {
    const thread = session.threadAtCaret();
    if (thread !== null) comments.focus(thread);
  };
  textarea.addEventListener("click", pointAtThread);
  textarea.addEventListener("keyup", pointAtThread);
  // A link to a tab (#suggestions) opens it, on arriving and on following one on this page.
  const showLinkedTab = () => {
    const name = decodeURIComponent(window.location.hash.slice(1)).toLowerCase();
    const thread = /^thread-(\d+)$/.exec(name);
    if (thread) {
      panel.show("Comments");
      comments.showThread(Number(thread[1]));
      return;
    }
    const tab = ["Comments", "People", "Versions", "Suggestions", "Review", "History", "Activity", "About"]
      .find((candidate) => candidate.toLowerCase() === name);
    if (tab) panel.show(tab);
  };
  window.addEventListener("hashchange", showLinkedTab);
  showLinkedTab();
  versions.refresh().catch(reportFailure);
  suggestions.refresh().catch(reportFailure);
  review.refresh();
  await session.start();
  outline.start().catch(reportFailure);
  suggesting.start().catch(reportFailure);
  comments.refresh().catch(reportFailure);
}

main().catch(reportFailure);
