// How the API's codes read to a person.

export const ROLES = ["facilitator", "editor", "reviewer", "viewer"];

export const ROLE_LABELS = {
  facilitator: "Facilitator",
  editor: "Editor",
  reviewer: "Reviewer",
  viewer: "Viewer",
};

export const ROLE_DESCRIPTIONS = {
  facilitator: "runs the process: invites people, sets the rules, opens review and publishes",
  editor: "writes the draft with the others, comments and records a stance",
  reviewer: "reads the draft, comments and records a stance",
  viewer: "reads the draft and follows the discussion",
};

export const STATE_LABELS = {
  drafting: "Drafting",
  review: "In review",
  approved: "Approved",
  published: "Published",
};

export const RULES = ["consent", "unanimous", "majority", "quorum"];

export const RULE_LABELS = {
  consent: "Consent: everyone responded and nobody blocks",
  unanimous: "Unanimity: everyone approves",
  majority: "Majority: more approvals than requests for change and blocks",
  quorum: "Quorum: enough organisations endorse",
};

export const INVITATION_STATUS_LABELS = {
  active: "Active",
  used: "Used",
  expired: "Expired",
  revoked: "Withdrawn",
};

/** The approval rule in one sentence, with the quorum when there is one. */
export function describeRule(statement) {
  if (statement.approval_rule === "quorum" && statement.approval_quorum) {
    const count = statement.approval_quorum;
    return `Quorum: at least ${count} organisation${count === 1 ? "" : "s"} endorse`;
  }
  return RULE_LABELS[statement.approval_rule] ?? statement.approval_rule;
}

export function roleLabel(role) {
  return ROLE_LABELS[role] ?? role;
}

export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}
