// Following a statement's live events from a page that only reads (a round, the consent map,
// the cockpit): the statement's socket, opened as a reader, reconnecting as the editor's does.

import { Connection } from "./connection.js";

/**
 * Open the statement's socket and hand each frame to `frame`; `status` hears how the
 * connection stands ("closed" once it will not come back). A `hello` frame comes after each
 * (re)connection: whatever was missed meanwhile should be read again then.
 */
export function followStatement(statementId, { frame, status }) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const clientId = crypto.randomUUID().replaceAll("-", "");
  const url = () => `${scheme}://${window.location.host}/ws/statements/${statementId}?client_id=${clientId}`;
  const connection = new Connection(url, { frame, status, final: () => status("closed") });
  connection.open();
  return connection;
}
