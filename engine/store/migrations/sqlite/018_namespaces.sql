-- covenant: foreign keys off
-- Namespaces (issue 21): every row belongs to one namespace, and every query that reads rows
-- names it (engine/store/scope.hpp). Rows written before this version are the default
-- namespace's. What a caller chooses itself is unique only within its namespace: a definition's
-- name and version (and its digest: the same YAML deployed in two namespaces is two unrelated
-- definitions), a start key, a decision id, a document kept for a contract, a day's
-- checkpoint. Those tables are rebuilt with their new keys (SQLite changes a key no other
-- way), with foreign keys off while they are, and checked before the migration commits.
ALTER TABLE history ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE tasks ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE timers ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE principals ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE principal_tokens ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE approvals ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE approval_roles ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE approval_tokens ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE delegations ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE outbox ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
CREATE TABLE definitions_v18 (
  namespace TEXT NOT NULL,
  digest TEXT NOT NULL,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  source TEXT NOT NULL,
  canonical TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  PRIMARY KEY (namespace, digest),
  UNIQUE (namespace, name, version)
);
INSERT INTO definitions_v18 SELECT 'default', digest, name, version, source, canonical, created_us
  FROM definitions;
INSERT INTO definitions_v18 SELECT DISTINCT i.namespace, d.digest, d.name, d.version, d.source,
  d.canonical, d.created_us FROM instances i JOIN definitions d ON d.digest = i.definition_digest
  WHERE i.namespace <> 'default';
CREATE TABLE instances_v18 (
  id TEXT PRIMARY KEY,
  namespace TEXT NOT NULL,
  workflow TEXT NOT NULL,
  definition_digest TEXT NOT NULL,
  business_key TEXT NOT NULL,
  status TEXT NOT NULL,
  started_by TEXT NOT NULL,
  start_key TEXT,
  input TEXT NOT NULL,
  runtime TEXT NOT NULL,
  output TEXT NOT NULL,
  error TEXT NOT NULL,
  version INTEGER NOT NULL,
  next_seq INTEGER NOT NULL,
  last_hash TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL,
  key_unique SMALLINT NOT NULL DEFAULT 0,
  UNIQUE (namespace, start_key),
  FOREIGN KEY (namespace, definition_digest) REFERENCES definitions (namespace, digest)
);
INSERT INTO instances_v18 (id, namespace, workflow, definition_digest, business_key, status,
  started_by, start_key, input, runtime, output, error, version, next_seq, last_hash, created_us,
  updated_us, key_unique) SELECT id, namespace, workflow, definition_digest, business_key, status,
  started_by, start_key, input, runtime, output, error, version, next_seq, last_hash, created_us,
  updated_us, key_unique FROM instances;
DROP TABLE instances;
DROP TABLE definitions;
ALTER TABLE definitions_v18 RENAME TO definitions;
ALTER TABLE instances_v18 RENAME TO instances;
CREATE INDEX instances_by_status ON instances (status, workflow);
CREATE INDEX instances_by_business_key ON instances (business_key);
CREATE INDEX instances_by_namespace ON instances (namespace, created_us, id);
CREATE UNIQUE INDEX instances_running_business_key ON instances (namespace, workflow, business_key)
  WHERE key_unique = 1 AND status IN ('running', 'compensating');
CREATE TRIGGER instances_version_moves AFTER UPDATE ON instances FOR EACH ROW WHEN NEW.version = OLD.version BEGIN UPDATE instances SET version = OLD.version + 1 WHERE id = NEW.id; END;
CREATE TABLE documents_v18 (
  namespace TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  media_type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  pages INTEGER NOT NULL,
  content_b64 TEXT NOT NULL,
  text TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  PRIMARY KEY (namespace, sha256)
);
INSERT INTO documents_v18 SELECT 'default', sha256, media_type, bytes, pages, content_b64, text,
  created_us FROM documents;
CREATE TABLE document_versions_v18 (
  namespace TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  source TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  PRIMARY KEY (namespace, contract_id, version),
  FOREIGN KEY (namespace, sha256) REFERENCES documents (namespace, sha256)
);
INSERT INTO document_versions_v18 SELECT 'default', contract_id, version, sha256, source,
  created_us FROM document_versions;
DROP TABLE document_versions;
DROP TABLE documents;
ALTER TABLE documents_v18 RENAME TO documents;
ALTER TABLE document_versions_v18 RENAME TO document_versions;
CREATE INDEX document_versions_by_sha ON document_versions (namespace, sha256);
CREATE TABLE checkpoints_v18 (
  namespace TEXT NOT NULL,
  day TEXT NOT NULL,
  document TEXT NOT NULL,
  digest TEXT NOT NULL,
  signature TEXT NOT NULL,
  public_key TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  PRIMARY KEY (namespace, day)
);
INSERT INTO checkpoints_v18 SELECT 'default', day, document, digest, signature, public_key,
  created_us FROM checkpoints;
DROP TABLE checkpoints;
ALTER TABLE checkpoints_v18 RENAME TO checkpoints;
CREATE TABLE approval_decisions_v18 (
  namespace TEXT NOT NULL,
  decision_id TEXT NOT NULL,
  approval_id TEXT NOT NULL,
  principal TEXT NOT NULL,
  request TEXT NOT NULL,
  response TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  PRIMARY KEY (namespace, decision_id)
);
INSERT INTO approval_decisions_v18 SELECT 'default', decision_id, approval_id, principal, request,
  response, created_us FROM approval_decisions;
DROP TABLE approval_decisions;
ALTER TABLE approval_decisions_v18 RENAME TO approval_decisions;
CREATE INDEX approvals_by_namespace ON approvals (namespace, status, opened_us);
