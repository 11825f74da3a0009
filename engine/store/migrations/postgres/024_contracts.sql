-- The book of contracts (issue 22): each agreement, SOW and amendment Covenant carried to its
-- financial writes, so a later document can be linked to the agreement it amends or works
-- under. `state` is the contract as it now stands (terms, products, billing plan, revenue
-- schedule, what was written); an amendment's row keeps the state it produced, and moves its
-- parent's state on by one `version` — only from the version it was computed against, so two
-- amendments computed from the same state cannot both land. `title_key` is the title's words,
-- lower case, for finding the agreement a document names.
CREATE TABLE contracts (
  namespace TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent_id TEXT,
  title TEXT NOT NULL,
  title_key TEXT NOT NULL,
  agreement_date TEXT,
  customer TEXT,
  version BIGINT NOT NULL,
  state TEXT NOT NULL,
  state_sha256 TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  recorded_us BIGINT NOT NULL,
  updated_us BIGINT NOT NULL,
  PRIMARY KEY (namespace, contract_id)
);
CREATE INDEX contracts_by_title ON contracts (namespace, title_key);
CREATE INDEX contracts_by_parent ON contracts (namespace, parent_id);
ALTER TABLE contracts ENABLE ROW LEVEL SECURITY;
ALTER TABLE contracts FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON contracts USING (covenant_in_scope(namespace));
