-- The book of contracts (issue 22): see the PostgreSQL migration of the same number.
CREATE TABLE contracts (
  namespace TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent_id TEXT,
  title TEXT NOT NULL,
  title_key TEXT NOT NULL,
  agreement_date TEXT,
  customer TEXT,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  state_sha256 TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  recorded_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL,
  PRIMARY KEY (namespace, contract_id)
);
CREATE INDEX contracts_by_title ON contracts (namespace, title_key);
CREATE INDEX contracts_by_parent ON contracts (namespace, parent_id);
