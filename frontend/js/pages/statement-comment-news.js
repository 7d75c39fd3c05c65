// Which new comments concern this person, for the page's announcements: someone else starting
// a thread on a passage this person wrote, or answering in a thread they started or commented
// in. Only what arrives while the page is open is news; one's own comments never are.

import { api } from "../api.js";

const QUOTE_CHARS = 80;

/** Whether `me` wrote any of [start, end) in the authorship `runs` ([length, writer id] in order). */
function wroteAny(runs, start, end, me) {
  let position = 0;
  for (const [length, writer] of runs) {
    if (writer === me && position < end && start < position + length) return true;
    position += length;
  }
  return false;
}

/**
 * A function to give every list of the live draft's threads fetched. The first list is what
 * was there already. Lists are told over in the order given, so news is said as it came.
 */
export function commentNews({ statementId, me, announce }) {
  let seen = null; // ids of the threads and comments listed so far
  let telling = Promise.resolve();

  async function concernsMe(thread) {
    if (thread.start >= thread.end) return false; // its passage is gone
    const { runs } = await api(`/statements/${statementId}/authorship?rev=${thread.rev}`);
    return wroteAny(runs, thread.start, thread.end, me.id);
  }

  async function tell(started, answered) {
    for (const thread of started) {
      if (!(await concernsMe(thread))) continue;
      const quote = thread.quote.length > QUOTE_CHARS ? `${thread.quote.slice(0, QUOTE_CHARS)}…` : thread.quote;
      announce.say(`${thread.comments[0].author.name} commented on your passage: “${quote}”.`);
    }
    for (const name of answered) announce.say(`${name} replied in a thread you are in.`);
  }

  return (threads) => {
    const first = seen === null;
    seen ??= { threads: new Set(), comments: new Set() };
    const started = [];
    const answered = [];
    for (const thread of threads) {
      const isNew = !seen.threads.has(thread.id);
      const [opening, ...rest] = thread.comments;
      if (!first && isNew && opening && !seen.comments.has(opening.id) && opening.author.id !== me.id) {
        started.push(thread);
      }
      const inIt = thread.comments.some((c) => c.author.id === me.id);
      for (const reply of rest) {
        if (!first && inIt && !seen.comments.has(reply.id) && reply.author.id !== me.id) answered.push(reply.author.name);
      }
      seen.threads.add(thread.id);
      for (const c of thread.comments) seen.comments.add(c.id);
    }
    if (started.length || answered.length) {
      telling = telling.then(() => tell(started, answered)).catch(() => {}); // news is not worth an error
    }
  };
}
