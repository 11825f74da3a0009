-- Metered usage (issue 22): see the PostgreSQL migration of the same number.
CREATE TABLE usage_records (
  namespace TEXT NOT NULL,
  event_id TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  occurred_us INTEGER NOT NULL,
  recorded_us INTEGER NOT NULL,
  PRIMARY KEY (namespace, event_id)
);
CREATE INDEX usage_by_contract ON usage_records (namespace, contract_id, metric, occurred_us);
