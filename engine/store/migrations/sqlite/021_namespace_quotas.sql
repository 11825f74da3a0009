-- Quotas per namespace (issue 21): see the PostgreSQL migration of the same number.
CREATE TABLE namespace_quotas (
  namespace TEXT PRIMARY KEY,
  running_instances INTEGER NOT NULL,
  document_bytes INTEGER NOT NULL,
  updated_us INTEGER NOT NULL
);
CREATE INDEX instances_running_by_namespace ON instances (namespace) WHERE status IN ('running', 'compensating');
