// Sign in, then go back to where the visitor was heading.

import { api, currentUser } from "../api.js";
import { renderHeader } from "../layout.js";
import { byId, onSubmit, reportFailure } from "../ui.js";

// Only paths on this site: a crafted ?next=//evil.example must not send people elsewhere.
function nextPath() {
  const next = new URLSearchParams(window.location.search).get("next") ?? "";
  return /^\/(?![/\\])/.test(next) ? next : "/";
}

async function main() {
  renderHeader(null);
  const form = byId("sign-in-form");
  onSubmit(form, async (data) => {
    await api("/session", {
      method: "POST",
      body: { email: data.get("email"), password: data.get("password") },
      signIn: false,
    });
    window.location.assign(nextPath());
  });
  // Someone already signed in has nothing to do here.
  if (await currentUser().catch(() => null)) window.location.replace(nextPath());
}

main().catch(reportFailure);
