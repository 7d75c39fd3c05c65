// Small DOM helpers. Text always goes in through text nodes, never innerHTML: titles, names,
// organisations and drafts are written by users and must show literally.

/**
 * Build an element. `attrs` keys: `class`, `text`, `on<Event>` (a listener), booleans
 * (present when true), anything else as an attribute. Children are nodes or strings.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "value") node.value = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside `node`. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`The page has no #${id}.`);
  return node;
}

export function setTitle(text) {
  document.title = text ? `${text} · Accord` : "Accord";
}

// The live region exists in the HTML from the start: screen readers only announce
// changes to a region they already know about.
function noticeRegion() {
  return document.getElementById("notices") ?? document.body.appendChild(
    el("div", { id: "notices", class: "notices", "aria-live": "polite" }),
  );
}

/** Show a short message; errors stay until dismissed, others fade after a few seconds. */
export function notify(message, kind = "info") {
  const dismiss = el("button", { type: "button", class: "notice-dismiss", text: "Dismiss" });
  const notice = el("div", { class: `notice notice-${kind}` }, el("p", { text: message }), dismiss);
  dismiss.addEventListener("click", () => notice.remove());
  noticeRegion().append(notice);
  if (kind !== "error") setTimeout(() => notice.remove(), 6000);
}

/** The last resort for a page whose start-up failed: say so rather than hang on "Loading". */
export function reportFailure(error) {
  notify(error?.detail ?? error?.message ?? String(error), "error");
}

function errorSlot(form) {
  let slot = form.querySelector(".form-error");
  if (!slot) {
    slot = el("p", { class: "form-error", role: "alert", hidden: true });
    form.prepend(slot);
  }
  return slot;
}

export function showFormError(form, message) {
  const slot = errorSlot(form);
  slot.textContent = message;
  slot.hidden = false;
}

export function clearFormError(form) {
  const slot = errorSlot(form);
  slot.textContent = "";
  slot.hidden = true;
}

/**
 * Handle a form's submit (Enter or the button): run `action` with the submit button
 * disabled, and show a failure's `detail` inside the form that failed.
 */
export function onSubmit(form, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const buttons = form.querySelectorAll("button[type=submit]");
    clearFormError(form);
    buttons.forEach((button) => { button.disabled = true; });
    try {
      await action(new FormData(form));
    } catch (error) {
      showFormError(form, error.detail ?? error.message);
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
    }
  });
}

/** A page-wide failure (the page could not load): say so where the content would be. */
export function showPageError(container, error, { backLink = true } = {}) {
  fill(
    container,
    el("div", { class: "page-error", role: "alert" },
      el("h1", { text: error.status === 404 ? "Not found" : "Something went wrong" }),
      el("p", { text: error.detail ?? error.message }),
      backLink ? el("p", {}, el("a", { href: "/", text: "Back to my statements" })) : null),
  );
}

// Dates without a time ("2017-12-15") are calendar days: read them as local days, or
// a browser west of UTC would show the day before.
export function formatDay(value) {
  if (!value) return "";
  const [year, month, day] = value.split("-").map(Number);
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium" })
    .format(new Date(year, month - 1, day));
}

export function formatDate(value) {
  if (!value) return "";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(value));
}

export function formatDateTime(value) {
  if (!value) return "";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" })
    .format(new Date(value));
}

/** Copy text to the clipboard, falling back to selecting it for Ctrl+C. */
export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    notify("Copied to the clipboard.");
  } catch {
    input?.select();
    notify("Select the text and copy it with Ctrl+C (or ⌘C).");
  }
}

const RELATIVE_STEPS = [["day", 86400], ["hour", 3600], ["minute", 60]];

/** "5 minutes ago", "yesterday"; the date itself once it is more than a week old. */
export function formatRelative(value, now = Date.now()) {
  const seconds = (new Date(value).getTime() - now) / 1000;
  if (Math.abs(seconds) > 7 * 86400) return formatDateTime(value);
  if (Math.abs(seconds) < 60) return "just now";
  const [unit, size] = RELATIVE_STEPS.find(([, length]) => Math.abs(seconds) >= length);
  return new Intl.RelativeTimeFormat(undefined, { numeric: "auto" })
    .format(Math.round(seconds / size), unit);
}

let questions = 0;

/**
 * Ask before a step that is hard to undo, in the page rather than in a browser dialog:
 * `button` gives way to `question`, a confirm button and Cancel (Escape cancels too).
 * `action` runs on confirm; if it fails, the button comes back and `onError` gets the
 * reason (by default shown beside the button). `compact` keeps the question for screen
 * readers only, for a table cell.
 */
export function askFirst(button, { question, confirm, action, compact = false, onError }) {
  let beside = null;
  const showError = onError ?? ((message) => {
    beside ??= el("p", { class: "form-error ask-error", role: "alert" });
    beside.textContent = message;
    button.parentNode.append(beside);
  });
  button.addEventListener("click", () => {
    const id = `question-${++questions}`;
    const yes = el("button", { type: "button", class: "button button-small button-danger", text: confirm });
    const no = el("button", { type: "button", class: "button button-small button-secondary", text: "Cancel" });
    const box = el("div", { class: compact ? "ask ask-compact" : "ask", role: "group", "aria-labelledby": id },
      el("p", { id, class: compact ? "visually-hidden" : "ask-question", text: typeof question === "function" ? question() : question }),
      el("div", { class: "actions" }, yes, no));
    const close = () => {
      box.remove();
      button.hidden = false;
      button.focus();
    };
    no.addEventListener("click", close);
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
    });
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      no.disabled = true;
      try {
        await action();
      } catch (failure) {
        close();
        showError(failure.detail ?? failure.message);
      }
    });
    beside?.remove();
    button.hidden = true;
    button.after(box);
    // The harmless answer first: a second press of Enter must not do the irreversible thing.
    no.focus();
  });
}

/**
 * Call `read` whenever `changed()` is: at most one reading at a time, and one more after it
 * if anything changed meanwhile, however many times it did.
 */
export function coalesced(read) {
  let running = false;
  let again = false;
  return function changed() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    (async () => {
      do {
        again = false;
        await read();
      } while (again);
    })().catch(reportFailure).finally(() => { running = false; });
  };
}
