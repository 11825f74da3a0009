-- Approval gates as rows the API can query (kept in step with the instances' gates by the
-- runtime, in the same transaction), the eligible roles of each (for an approver's inbox),
-- per-approver callback tokens (stored only as SHA-256), client-chosen decision ids (a
-- repeated delivery returns the first answer), delegations with a date window, and the
-- outbox of webhooks the notifier delivers.
CREATE TABLE approvals (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  workflow TEXT NOT NULL,
  business_key TEXT NOT NULL,
  frame TEXT NOT NULL,
  state TEXT NOT NULL,
  occurrence INTEGER NOT NULL,
  digest TEXT NOT NULL,
  rules TEXT NOT NULL,
  quorum INTEGER NOT NULL,
  subject TEXT NOT NULL,
  decisions TEXT NOT NULL,
  status TEXT NOT NULL,
  opened_us INTEGER NOT NULL,
  deadline_us INTEGER NOT NULL,
  closed_us INTEGER NOT NULL
);
CREATE INDEX approvals_by_status ON approvals (status, opened_us);
CREATE INDEX approvals_by_instance ON approvals (instance_id);
CREATE TABLE approval_roles (
  approval_id TEXT NOT NULL,
  role TEXT NOT NULL,
  PRIMARY KEY (approval_id, role)
);
CREATE INDEX approval_roles_by_role ON approval_roles (role);
CREATE TABLE approval_tokens (
  token_hash TEXT PRIMARY KEY,
  approval_id TEXT NOT NULL,
  principal TEXT NOT NULL,
  on_behalf_of TEXT NOT NULL,
  expires_us INTEGER NOT NULL,
  used_us INTEGER NOT NULL,
  created_us INTEGER NOT NULL
);
CREATE INDEX approval_tokens_by_approval ON approval_tokens (approval_id);
CREATE TABLE approval_decisions (
  decision_id TEXT PRIMARY KEY,
  approval_id TEXT NOT NULL,
  principal TEXT NOT NULL,
  request TEXT NOT NULL,
  response TEXT NOT NULL,
  created_us INTEGER NOT NULL
);
CREATE TABLE delegations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  delegator TEXT NOT NULL,
  delegate TEXT NOT NULL,
  starts_us INTEGER NOT NULL,
  ends_us INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  revoked_us INTEGER NOT NULL
);
CREATE INDEX delegations_by_delegate ON delegations (delegate);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  approval_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_us INTEGER NOT NULL,
  delivered_to TEXT NOT NULL,
  last_error TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  done_us INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_us);
