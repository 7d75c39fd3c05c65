// An invitation link: what it is for, then join as the signed-in user or with a new account;
// or, for someone who is a member already, the way to the statement.

import { api, signInUrl } from "../api.js";
import { ROLE_DESCRIPTIONS, roleLabel } from "../labels.js";
import { startOpenPage } from "../layout.js";
import { byId, formatDateTime, onSubmit, reportFailure, setTitle, showPageError } from "../ui.js";

const UNUSABLE = {
  revoked: "This invitation link was withdrawn, so it can no longer be used to join. "
    + "Ask the person who sent it for a new one.",
  used: "This invitation link has already been used. Ask the person who sent it for a new one.",
  expired: "This invitation link has expired. Ask the person who sent it for a new one.",
};

function token() {
  return decodeURIComponent(window.location.pathname.replace(/^\/invite\//, ""));
}

function showPreview(preview) {
  setTitle(`Join ${preview.statement_title}`);
  byId("invitation-title").textContent = preview.statement_title;
  byId("invitation-role").textContent = roleLabel(preview.role);
  byId("invitation-by").textContent = preview.invited_by;
  byId("invitation-expires").textContent = formatDateTime(preview.expires_at);
  byId("invitation-role-hint").textContent =
    `As ${roleLabel(preview.role).toLowerCase()}, you ${ROLE_DESCRIPTIONS[preview.role] ?? ""}.`;
}

// Asked through the list of my statements, which answers 200 whatever the link is for, so
// that a visitor who is no member logs no 404 in the console. If the answer does not come,
// the page offers what it offers anyone.
async function membershipOf(statementId) {
  try {
    const { data } = await api("/statements", { signIn: false });
    return data.find((statement) => statement.id === statementId) ?? null;
  } catch {
    return null;
  }
}

function showMember(statement) {
  byId("member-role").textContent = roleLabel(statement.my_role).toLowerCase();
  byId("member-link").href = `/statements/${statement.id}`;
  // What the link would grant is beside the point for someone who is in already.
  byId("invitation-eyebrow").textContent = "This link invites people to help write";
  byId("invitation-facts").hidden = true;
  byId("invitation-role-hint").hidden = true;
  byId("already-member").hidden = false;
}

async function accept(body) {
  const joined = await api(`/invitations/${encodeURIComponent(token())}/accept`, {
    method: "POST",
    body,
    signIn: false,
  });
  window.location.assign(`/statements/${joined.statement_id}`);
}

function offerJoin(user) {
  if (user) {
    byId("me-name").textContent = user.organisation ? `${user.name} (${user.organisation})` : user.name;
    byId("join-as-me-button").textContent = `Join as ${user.name}`;
    onSubmit(byId("join-as-me-form"), () => accept({}));
    byId("join-as-me").hidden = false;
    return;
  }
  byId("sign-in-instead").href = signInUrl();
  onSubmit(byId("join-new-form"), (data) => accept({
    name: data.get("name"),
    organisation: data.get("organisation"),
    email: data.get("email"),
    password: data.get("password"),
  }));
  byId("join-new").hidden = false;
}

async function main() {
  const user = await startOpenPage();
  let preview;
  try {
    preview = await api(`/invitations/${encodeURIComponent(token())}`, { signIn: false });
  } catch (error) {
    showPageError(byId("loading"), error);
    return;
  }
  showPreview(preview);
  const unusable = UNUSABLE[preview.status];
  const membership = user ? await membershipOf(preview.statement_id) : null;
  if (membership) {
    showMember(membership);
  } else if (unusable) {
    const notice = byId("invitation-unusable");
    notice.textContent = unusable;
    notice.hidden = false;
  } else {
    offerJoin(user);
  }
  byId("loading").hidden = true;
  byId("invitation").hidden = false;
}

main().catch(reportFailure);
