// The local journal: changes the server has not confirmed yet, kept in localStorage so
// that a lost connection, a server restart or a reload of the page never loses them.
// Each page writes under its own client id and holds a Web Lock by that name while open;
// a journal whose lock is free belongs to a page that is gone, and the next page adopts it.
// A journal names the person who wrote it, and only they adopt it: after a sign-out someone
// else may sign in on the same browser, and their socket must not send another's words.

const PREFIX = "accord.journal.";
const releases = new Map(); // client id → gives up the lock this page holds for it

function keyFor(statementId, clientId) {
  return `${PREFIX}${statementId}.${clientId}`;
}

function read(key) {
  try {
    const entry = JSON.parse(localStorage.getItem(key));
    return entry && typeof entry.clientId === "string" ? entry : null;
  } catch {
    return null;
  }
}

/**
 * Take the lock of a client id and hold it until the page closes (or `release`); false if it
 * is taken.
 */
function hold(clientId) {
  if (!navigator.locks) return Promise.resolve(true);
  return new Promise((resolve) => {
    navigator.locks.request(`${PREFIX}${clientId}`, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      if (lock === null) return undefined;
      return new Promise((done) => releases.set(clientId, done));
    });
  });
}

/**
 * The newest journal of this statement written by user `userId` and left by a page that is no
 * longer open (or that gave it up), or null; this page now holds its lock.
 * Its changes were made on revision `rev`: `inflight` ({seq, op, count}) and `buffer`.
 */
export async function adopt(statementId, userId) {
  const prefix = `${PREFIX}${statementId}.`;
  const found = [];
  for (let index = 0; index < localStorage.length; index += 1) {
    const key = localStorage.key(index);
    if (key?.startsWith(prefix)) {
      const entry = read(key);
      if (entry && entry.userId === userId) found.push(entry);
    }
  }
  found.sort((a, b) => b.savedAt - a.savedAt);
  for (const entry of found) {
    if (await hold(entry.clientId)) return entry;
  }
  return null;
}

/** Hold a new client id's lock while this page is open, so no other page adopts its journal. */
export function claim(clientId) {
  return hold(clientId);
}

/**
 * Give up a client id's lock while the page stays open, once it can send nothing more (its
 * sign-in ended): the next page to open the statement adopts the journal. This page must
 * not write that journal again.
 */
export function release(clientId) {
  releases.get(clientId)?.();
  releases.delete(clientId);
}

/** Write user `userId`'s unconfirmed changes, or remove the journal when there are none. */
export function save(statementId, client, userId) {
  const key = keyFor(statementId, client.clientId);
  if (client.synchronized) {
    localStorage.removeItem(key);
    return true;
  }
  try {
    localStorage.setItem(key, JSON.stringify({ ...client.state(), userId, savedAt: Date.now() }));
    return true;
  } catch {
    return false; // storage full or forbidden: the changes live only in this page
  }
}
