// How the API's codes read to a person.

export const ROLES = ["facilitator", "editor", "reviewer", "viewer"];

export const ROLE_LABELS = {
  facilitator: "Facilitator",
  editor: "Editor",
  reviewer: "Reviewer",
  viewer: "Viewer",
};

// Read after "As editor, you …".
export const ROLE_DESCRIPTIONS = {
  facilitator: "run the process: invite people, set the rules, open review and publish",
  editor: "write the draft with the others, comment and record a stance",
  reviewer: "read the draft, comment and record a stance",
  viewer: "read the draft and follow the discussion",
};

export const STATE_LABELS = {
  drafting: "Drafting",
  review: "In review",
  approved: "Approved",
  published: "Published",
};

export const RULES = ["consent", "unanimous", "majority", "quorum"];

export const RULE_LABELS = {
  consent: "Consent",
  unanimous: "Unanimity",
  majority: "Majority",
  quorum: "Quorum",
};

export const RULE_DESCRIPTIONS = {
  consent: "everyone responded and nobody blocks",
  unanimous: "everyone approves",
  majority: "more approvals than requests for change and blocks",
  quorum: "enough organisations endorse",
};

export const INVITATION_STATUS_LABELS = {
  active: "Active",
  used: "Used",
  expired: "Expired",
  revoked: "Withdrawn",
};

/** What makes a version approved under the statement's rule, quorum included. */
export function ruleDescription(statement) {
  const count = statement.approval_quorum;
  if (statement.approval_rule === "quorum" && count) {
    return `at least ${plural(count, "organisation")} endorse`;
  }
  return RULE_DESCRIPTIONS[statement.approval_rule] ?? "";
}

export function roleLabel(role) {
  return ROLE_LABELS[role] ?? role;
}

export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}
