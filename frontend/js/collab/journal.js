// The local journal: changes the server has not confirmed yet, kept in localStorage so
// that a lost connection, a server restart or a reload of the page never loses them.
// Each page writes under its own client id and holds a Web Lock by that name while open;
// a journal whose lock is free belongs to a page that is gone, and the next page adopts it.

const PREFIX = "accord.journal.";

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

/** Take the lock of a client id and hold it until the page closes; false if it is taken. */
function hold(clientId) {
  if (!navigator.locks) return Promise.resolve(true);
  return new Promise((resolve) => {
    navigator.locks.request(`${PREFIX}${clientId}`, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      return lock === null ? undefined : new Promise(() => {});
    });
  });
}

/**
 * The newest journal of this statement left by a page that is no longer open, or null;
 * this page now holds its lock.
 * Its changes were made on revision `rev`: `inflight` ({seq, op, count}) and `buffer`.
 */
export async function adopt(statementId) {
  const prefix = `${PREFIX}${statementId}.`;
  const found = [];
  for (let index = 0; index < localStorage.length; index += 1) {
    const key = localStorage.key(index);
    if (key?.startsWith(prefix)) {
      const entry = read(key);
      if (entry) found.push(entry);
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

/** Write the client's unconfirmed changes, or remove the journal when there are none. */
export function save(statementId, client) {
  const key = keyFor(statementId, client.clientId);
  if (client.synchronized) {
    localStorage.removeItem(key);
    return true;
  }
  try {
    localStorage.setItem(key, JSON.stringify({ ...client.state(), savedAt: Date.now() }));
    return true;
  } catch {
    return false; // storage full or forbidden: the changes live only in this page
  }
}
