// The one way pages talk to the API: JSON in and out, errors as ApiError carrying the
// server's one-sentence `detail`, and a trip to the sign-in page when the session is gone.

export class ApiError extends Error {
  constructor(status, detail, errors = []) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.errors = errors;
  }
}

/** The sign-in page, set to bring the user back here afterwards. */
export function signInUrl() {
  const here = window.location.pathname + window.location.search;
  return `/signin?next=${encodeURIComponent(here)}`;
}

function describeFailure(status, data) {
  if (data && typeof data.detail === "string" && data.detail) return data.detail;
  if (status === 429) return "Too many attempts; wait a little and try again.";
  if (status >= 500) return "Accord had a problem answering; try again in a moment.";
  return `The request was refused (HTTP ${status}).`;
}

const BUSY_TRIES = 6; // a crowd acting at once is served within these, each after a wait
const LONGEST_WAIT_SECONDS = 30;

/** The seconds a 503 asks to wait before sending again, or null if it asks for nothing. */
function retryAfter(response) {
  if (response.status !== 503) return null;
  const seconds = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, LONGEST_WAIT_SECONDS) : null;
}

/**
 * fetch(), sent again by itself while Accord answers that it is too busy and changed nothing
 * (503 with Retry-After), after the wait it asks for, a little longer each time.
 */
async function fetchWaitingOutBusy(url, init) {
  for (let attempt = 1; ; attempt += 1) {
    let response;
    try {
      response = await fetch(url, init);
    } catch {
      throw new ApiError(0, "Accord could not be reached; check your connection and try again.");
    }
    const wait = retryAfter(response);
    if (wait === null || attempt >= BUSY_TRIES) return response;
    const jitter = Math.random() * 1000; // so that a crowd told to wait does not return at once
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 * attempt + jitter));
  }
}

/**
 * Call `/api${path}`. With `signIn: true` (the default) a 401 sends the browser to the
 * sign-in page; the returned promise then never settles, so the page does not flash an
 * error while it navigates away. Pages that work signed out pass `signIn: false`.
 */
export async function api(path, { method = "GET", body, signIn = true } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetchWaitingOutBusy(`/api${path}`, init);
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (response.ok) return data;
  if (response.status === 401 && signIn) {
    window.location.assign(signInUrl());
    return new Promise(() => {});
  }
  throw new ApiError(response.status, describeFailure(response.status, data), data?.errors);
}

/**
 * The signed-in user, or null when nobody is signed in. Asks `/session`, which answers 200
 * either way, so that pages open to visitors log no 401 in the browser's console.
 */
export async function currentUser() {
  const { user } = await api("/session", { signIn: false });
  return user;
}
