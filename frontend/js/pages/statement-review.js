// The review panel: open a round on a version, see who stands where and how far the rule is,
// record one's stance, close the round, and publish an approved version.

import { api } from "../api.js";
import { askFirst, el, fill, formatDay, notify, onSubmit, reportFailure } from "../ui.js";

export const STANCES = {
  approve: "Approve",
  abstain: "Abstain",
  request_changes: "Request changes",
  block: "Block",
};
export const RULE_NAMES = { consent: "Consent", unanimous: "Unanimous", majority: "Majority", quorum: "Quorum" };

function stanceBadge(kind) {
  return kind
    ? el("span", { class: `badge stance-${kind}`, text: STANCES[kind] })
    : el("span", { class: "muted", text: "Not yet" });
}

/**
 * What a round that waits for suggestions is waiting for, with a link to where they are
 * decided; null for a round that does not wait, or once it is closed.
 */
export function waitingFor(review, statementId) {
  if (!review.suggestions_settled || review.open_suggestions === null) return null;
  const count = review.open_suggestions;
  return el("p", { class: `round-waiting ${count ? "round-waiting-open" : ""}`, "data-open": String(count) },
    count === 1 ? "1 suggestion on this version is still open: the round waits for it to be decided. " : null,
    count > 1 ? `${count} suggestions on this version are still open: the round waits for them to be decided. ` : null,
    count === 0 ? "No suggestion on this version is open." : null,
    count ? el("a", { href: `/statements/${statementId}#suggestions`, text: count === 1 ? "See it in the Suggestions tab" : "See them in the Suggestions tab" }) : null,
    count ? " or " : null,
    count ? el("a", { href: `/statements/${statementId}/compare?to=${review.version}&suggestions=on`, text: `on version ${review.version}` }) : null,
    count ? "." : null);
}

function verdictNow(tally, waiting) {
  if (!tally.holds) return `Still missing: ${tally.missing.join("; ")}.`;
  return waiting ? "The rule holds: once no suggestion is open, closing approves the version." : "The rule holds: closing now approves the version.";
}

/** The words of a version between two code point offsets, shortened to a quote. */
export function quoteOf(text, start, end) {
  const words = Array.from(text).slice(start, end).join("");
  return words.length > 300 ? `${words.slice(0, 300)}…` : words;
}

function grid(review, versionText) {
  const reasons = new Map();
  const passages = new Map();
  for (const stance of review.stances) {
    if (stance.superseded_at || stance.section) continue; // a section's stance is not the version's
    if (stance.reason) reasons.set(stance.user_id, stance.reason);
    if (stance.start !== null && versionText !== null) passages.set(stance.user_id, quoteOf(versionText, stance.start, stance.end));
  }
  return el("table", { class: "stance-grid" },
    el("caption", { class: "visually-hidden", text: "Who stands where" }),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", text: "Participant" }),
      el("th", { scope: "col", text: "Stance" }))),
    el("tbody", {}, review.participants.map((p) => el("tr", {},
      el("th", { scope: "row" },
        el("span", { class: "person-name", text: p.name }),
        p.organisation ? el("span", { class: "person-org", text: p.organisation }) : null),
      el("td", {}, stanceBadge(p.stance),
        passages.has(p.user_id)
          ? el("blockquote", { class: "stance-passage", "aria-label": "About this passage", text: passages.get(p.user_id) })
          : null,
        reasons.has(p.user_id) ? el("p", { class: "stance-reason", text: reasons.get(p.user_id) }) : null)))));
}

/**
 * The form to record one's stance. With `passage` (an async function giving the passage
 * selected in the version's text, or null), the stance may point at that passage.
 */
export function stanceForm(url, mine, done, passage = null) {
  const choices = Object.entries(STANCES).map(([value, label]) => el("label", { class: "choice" },
    el("input", { type: "radio", name: "kind", value, checked: mine === value, required: true }), ` ${label}`));
  const reason = el("textarea", { id: "stance-reason", name: "reason", rows: "2" });
  // Said in the form, under its button, rather than in a notice over the page: it covers
  // nothing, and focus moves to it, so that a keyboard user hears it and goes on from there.
  const recorded = el("p", { class: "stance-recorded", "aria-live": "polite", tabindex: "-1", hidden: true });
  const form = el("form", { class: "form stance-form", "aria-label": "Your stance" },
    el("p", { class: "form-error", role: "alert", hidden: true }),
    el("fieldset", {}, el("legend", { text: "Your stance" }), choices),
    el("div", { class: "field" },
      el("label", { for: "stance-reason", text: "Reason" }),
      reason,
      el("p", { class: "hint", text: "Needed to request changes or to block." })),
    passage ? el("label", { class: "choice" },
      el("input", { type: "checkbox", name: "passage" }), " About the passage I selected in the text") : null,
    el("button", { type: "submit", class: "button button-small", text: "Record my stance" }),
    recorded);
  onSubmit(form, async (data) => {
    const body = { kind: data.get("kind"), reason: data.get("reason") };
    if (data.get("passage")) {
      const selected = await passage();
      if (!selected) throw new Error("Select the passage in the text first, then record your stance.");
      Object.assign(body, { start: selected.start, end: selected.end });
    }
    recorded.hidden = true;
    await api(url, { method: "POST", body });
    await done();
    recorded.textContent = `Your stance is recorded. You chose: ${STANCES[body.kind]}.`;
    recorded.hidden = false;
    recorded.focus();
  });
  return form;
}

export function reviewPanel({ statementId, statement, me, canComment, isFacilitator }) {
  const node = el("section", { "aria-label": "Review", class: "stack-tight" });
  let kept = null; // the stance form of the open round
  // The facilitator's close and publish controls, kept across live refreshes like the stance
  // form, so that a question being answered ("Publish version 3?") is not taken away.
  let closing = null;
  let publishingKept = null;
  let reviewed = null; // {number, text} of the version under review, to quote passages
  const base = `/statements/${statementId}`;
  const cockpit = isFacilitator
    ? el("p", {}, el("a", { class: "link-standalone", href: `${base}/cockpit`, text: "The facilitator's cockpit: who has not responded, open concerns, deadlines" }))
    : null;

  function openForm(versions) {
    if (!versions.length) return el("p", { class: "muted", text: "Save a version first; a review round is on one exact version." });
    const select = el("select", { id: "round-version", name: "version" },
      versions.map((v) => el("option", { value: String(v.number), text: `Version ${v.number}: ${v.name}` })));
    const closes = el("input", { type: "date", id: "round-closes", name: "closes_on" });
    const form = el("form", { class: "form", "aria-label": "Open a review round" },
      el("p", { class: "form-error", role: "alert", hidden: true }),
      el("div", { class: "field" }, el("label", { for: "round-version", text: "Version to review" }), select),
      el("div", { class: "field" }, el("label", { for: "round-closes" }, "Closes on ", el("span", { class: "optional", text: "(optional)" })), closes),
      el("div", { class: "field" },
        el("label", { class: "choice" },
          el("input", { type: "checkbox", id: "round-settled", name: "suggestions_settled", "aria-describedby": "round-settled-hint" }),
          " Wait until no suggestion is open"),
        el("p", { class: "hint", id: "round-settled-hint", text: "The round approves the version only once every suggestion on it is accepted, rejected or withdrawn." })),
      el("button", { type: "submit", class: "button button-small", text: "Open the review round" }));
    onSubmit(form, async (data) => {
      await api(`${base}/rounds`, {
        method: "POST",
        body: {
          version: Number(data.get("version")),
          closes_on: data.get("closes_on") || null,
          suggestions_settled: data.get("suggestions_settled") === "on",
        },
      });
      await refresh();
    });
    return form;
  }

  function lastApprovedBefore(rounds, current) {
    const mine = rounds
      .filter((r) => r.id !== current.id && r.stances.some((s) => s.user_id === me.id && !s.superseded_at && !s.section && s.kind === "approve"))
      .map((r) => r.version);
    return mine.length ? Math.max(...mine) : null;
  }

  function openRound(review, rounds, versionText) {
    const tally = review.tally;
    const approvedBefore = lastApprovedBefore(rounds, review);
    const parts = [
      el("h3", {}, "Reviewing ", el("a", { href: `${base}/versions/${review.version}`, text: `version ${review.version}` })),
      el("p", {}, el("a", { class: "link-standalone", href: `${base}/rounds/${review.id}`, text: "The round's full record, for a projector" })),
      el("p", {}, el("a", { class: "link-standalone", href: `${base}/rounds/${review.id}/consent`, text: "The consent map, section by section" })),
      approvedBefore !== null && approvedBefore !== review.version
        ? el("p", {}, el("a", { class: "link-standalone", href: `${base}/compare?from=${approvedBefore}&to=${review.version}`, text: `What changed since version ${approvedBefore}, which you approved` }))
        : null,
      review.closes_on ? el("p", { class: "muted", text: `Closes on ${formatDay(review.closes_on)}` }) : null,
      waitingFor(review, statementId),
      el("div", { class: `tally ${tally.holds ? "tally-holds" : ""}`, role: "status" },
        el("p", {}, el("strong", { text: `${RULE_NAMES[tally.rule] ?? tally.rule}: ` }), tally.summary),
        el("p", { text: verdictNow(tally, review.open_suggestions) })),
      grid(review, versionText),
    ];
    if (canComment) {
      // Kept across live refreshes, so that others' stances never reset one being written.
      if (kept?.round !== review.id) {
        const mine = review.participants.find((p) => p.user_id === me.id)?.stance ?? null;
        kept = { round: review.id, form: stanceForm(`${base}/rounds/${review.id}/stances`, mine, refresh) };
      }
      parts.push(kept.form, el("p", { class: "hint" }, "To point at a passage, ",
        el("a", { href: `${base}/versions/${review.version}`, text: "record your stance on the version's page" }),
        " and select the passage there."));
    }
    if (isFacilitator) {
      if (closing?.round !== review.id) {
        const close = el("button", { type: "button", class: "button button-secondary button-small", text: "Close the round" });
        const now = { holds: tally.holds, waiting: 0 };
        askFirst(close, {
          question: () => {
            if (now.holds && now.waiting) return "Close the round? The rule holds, but the round waits until no suggestion on the version is open.";
            return now.holds ? "Close the round and approve this version?" : "Close the round? The rule does not hold, so the version will not be approved.";
          },
          confirm: "Yes, close",
          action: async () => {
            const closed = await api(`${base}/rounds/${review.id}/close`, { method: "POST" });
            notify(closed.approved ? `Version ${closed.version} is approved.` : "The round closed without approval.");
            await refresh();
          },
        });
        closing = { round: review.id, now, node: el("div", {}, close) };
      }
      closing.now.holds = tally.holds;
      closing.now.waiting = review.open_suggestions ?? 0;
      parts.push(closing.node);
    }
    return parts;
  }

  function publishing(rounds) {
    const approved = rounds.filter((r) => r.approved);
    if (!approved.length) return null;
    const newest = approved[0];
    if (newest.published) {
      return el("p", {}, `Version ${newest.version} is published: `, el("a", { href: `/s/${statement.slug}`, text: `/s/${statement.slug}` }));
    }
    const note = el("p", {}, `Version ${newest.version} is approved.`);
    if (!isFacilitator) return note;
    if (publishingKept?.version !== newest.version) {
      const publish = el("button", { type: "button", class: "button button-small", text: `Publish version ${newest.version}` });
      askFirst(publish, {
        question: `Publish version ${newest.version} at /s/${statement.slug}? A publication can be superseded but never removed.`,
        confirm: "Yes, publish",
        action: async () => {
          await api(`${base}/publications`, { method: "POST", body: { version: newest.version } });
          notify("Published.");
          await refresh();
        },
      });
      publishingKept = { version: newest.version, node: el("div", {}, note, publish) };
    }
    return publishingKept.node;
  }

  async function refresh() {
    // Whether a round's version is published comes with the round: asking the public
    // address instead would answer 404, logged in the console, until something is published.
    const [rounds, versions] = await Promise.all([api(`${base}/rounds`), api(`${base}/versions`)]);
    const open = rounds.data.find((r) => r.closed_at === null);
    const past = rounds.data.filter((r) => r.closed_at !== null);
    if (open && reviewed?.number !== open.version) {
      reviewed = { number: open.version, text: (await api(`${base}/versions/${open.version}`)).text };
    }
    // A live refresh redraws the panel; whatever had focus in it keeps it.
    const focused = node.contains(document.activeElement) ? document.activeElement : null;
    fill(node,
      cockpit,
      open ? openRound(open, rounds.data, reviewed.text) : (isFacilitator ? openForm(versions.data) : el("p", { class: "muted", text: "No review round is open." })),
      publishing(past),
      past.length
        ? el("div", {}, el("h3", { text: "Earlier rounds" }), el("ul", { class: "past-rounds" }, past.map((r) => el("li", {},
          el("a", { href: `${base}/rounds/${r.id}`, text: `Version ${r.version}` }), ": ",
          r.approved ? el("strong", { text: "approved" }) : "not approved", ` (${r.tally.summary})`))))
        : null);
    if (focused?.isConnected && document.activeElement !== focused) focused.focus({ preventScroll: true });
  }

  return { node, refresh: () => refresh().catch(reportFailure) };
}
