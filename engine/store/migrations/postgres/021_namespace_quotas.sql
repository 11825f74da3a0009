-- Quotas per namespace (issue 21): how many instances may run at once and how many bytes of
-- documents it may store (0: no limit). A namespace without a row has no quota. Checked in
-- the transaction that starts an instance or stores a document, under a lock on this row, so
-- two at once cannot both pass the last place.
CREATE TABLE namespace_quotas (
  namespace TEXT PRIMARY KEY,
  running_instances BIGINT NOT NULL,
  document_bytes BIGINT NOT NULL,
  updated_us BIGINT NOT NULL
);
ALTER TABLE namespace_quotas ENABLE ROW LEVEL SECURITY;
ALTER TABLE namespace_quotas FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON namespace_quotas USING (covenant_in_scope(namespace));
CREATE INDEX instances_running_by_namespace ON instances (namespace) WHERE status IN ('running', 'compensating');
