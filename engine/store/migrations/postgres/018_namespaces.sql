-- Namespaces (issue 21): every row belongs to one namespace, and every query that reads rows
-- names it (engine/store/scope.hpp). Rows written before this version are the default
-- namespace's; from now on every write names its namespace (no default). What a caller chooses
-- itself is unique only within its namespace: a definition's name and version (and its
-- digest: the same YAML deployed in two namespaces is two unrelated definitions), a start
-- key, a decision id, a document kept for a contract, a day's checkpoint.
ALTER TABLE definitions ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE history ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE tasks ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE timers ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE principals ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE principal_tokens ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE approvals ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE approval_roles ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE approval_tokens ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE approval_decisions ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE delegations ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE outbox ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE documents ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE document_versions ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE checkpoints ADD COLUMN namespace TEXT NOT NULL DEFAULT 'default';
ALTER TABLE definitions ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE history ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE tasks ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE timers ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE principals ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE principal_tokens ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE approvals ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE approval_roles ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE approval_tokens ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE approval_decisions ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE delegations ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE outbox ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE documents ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE document_versions ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE checkpoints ALTER COLUMN namespace DROP DEFAULT;
ALTER TABLE instances DROP CONSTRAINT instances_definition_digest_fkey;
ALTER TABLE definitions DROP CONSTRAINT definitions_pkey;
ALTER TABLE definitions DROP CONSTRAINT definitions_name_version_key;
INSERT INTO definitions (namespace, digest, name, version, source, canonical, created_us)
  SELECT DISTINCT i.namespace, d.digest, d.name, d.version, d.source, d.canonical, d.created_us
  FROM instances i JOIN definitions d ON d.digest = i.definition_digest AND d.namespace = 'default'
  WHERE i.namespace <> 'default';
ALTER TABLE definitions ADD PRIMARY KEY (namespace, digest);
ALTER TABLE definitions ADD CONSTRAINT definitions_name_version_key UNIQUE (namespace, name, version);
ALTER TABLE instances ADD CONSTRAINT instances_definition_fkey FOREIGN KEY (namespace, definition_digest) REFERENCES definitions (namespace, digest);
ALTER TABLE instances DROP CONSTRAINT instances_start_key_key;
ALTER TABLE instances ADD CONSTRAINT instances_start_key_key UNIQUE (namespace, start_key);
CREATE INDEX instances_by_namespace ON instances (namespace, created_us, id);
ALTER TABLE document_versions DROP CONSTRAINT document_versions_sha256_fkey;
ALTER TABLE documents DROP CONSTRAINT documents_pkey;
ALTER TABLE documents ADD PRIMARY KEY (namespace, sha256);
ALTER TABLE document_versions DROP CONSTRAINT document_versions_pkey;
ALTER TABLE document_versions ADD PRIMARY KEY (namespace, contract_id, version);
ALTER TABLE document_versions ADD CONSTRAINT document_versions_document_fkey FOREIGN KEY (namespace, sha256) REFERENCES documents (namespace, sha256);
DROP INDEX document_versions_by_sha;
CREATE INDEX document_versions_by_sha ON document_versions (namespace, sha256);
ALTER TABLE checkpoints DROP CONSTRAINT checkpoints_pkey;
ALTER TABLE checkpoints ADD PRIMARY KEY (namespace, day);
ALTER TABLE approval_decisions DROP CONSTRAINT approval_decisions_pkey;
ALTER TABLE approval_decisions ADD PRIMARY KEY (namespace, decision_id);
CREATE INDEX approvals_by_namespace ON approvals (namespace, status, opened_us);
-- The second wall: row-level security. Each namespaced table shows and takes only the rows of
-- the namespace in the session's covenant.namespace setting ('*': all of them, the engine's
-- own work), for its owner too (FORCE): a query that forgot its namespace still reads nothing
-- of another's, and a session that never set one gets an error, not rows. A superuser bypasses
-- every policy: run Covenant as an ordinary role (docs/tenancy.md).
CREATE FUNCTION covenant_in_scope(ns TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$ SELECT current_setting('covenant.namespace') IN ('*', ns) $$;
ALTER TABLE definitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE instances ENABLE ROW LEVEL SECURITY;
ALTER TABLE history ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE timers ENABLE ROW LEVEL SECURITY;
ALTER TABLE principals ENABLE ROW LEVEL SECURITY;
ALTER TABLE principal_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE approvals ENABLE ROW LEVEL SECURITY;
ALTER TABLE approval_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE approval_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE approval_decisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE delegations ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE definitions FORCE ROW LEVEL SECURITY;
ALTER TABLE instances FORCE ROW LEVEL SECURITY;
ALTER TABLE history FORCE ROW LEVEL SECURITY;
ALTER TABLE tasks FORCE ROW LEVEL SECURITY;
ALTER TABLE timers FORCE ROW LEVEL SECURITY;
ALTER TABLE principals FORCE ROW LEVEL SECURITY;
ALTER TABLE principal_tokens FORCE ROW LEVEL SECURITY;
ALTER TABLE approvals FORCE ROW LEVEL SECURITY;
ALTER TABLE approval_roles FORCE ROW LEVEL SECURITY;
ALTER TABLE approval_tokens FORCE ROW LEVEL SECURITY;
ALTER TABLE approval_decisions FORCE ROW LEVEL SECURITY;
ALTER TABLE delegations FORCE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
ALTER TABLE document_versions FORCE ROW LEVEL SECURITY;
ALTER TABLE checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON definitions USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON instances USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON history USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON tasks USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON timers USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON principals USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON principal_tokens USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON approvals USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON approval_roles USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON approval_tokens USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON approval_decisions USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON delegations USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON outbox USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON documents USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON document_versions USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON checkpoints USING (covenant_in_scope(namespace));
