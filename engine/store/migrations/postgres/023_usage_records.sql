-- Metered usage (issue 22): what a contract used, one row per usage event its source sent —
-- the metric, the quantity (a whole number of units), when it happened and when Covenant
-- recorded it. The event id is the source's: sending it again records nothing (idempotent), and
-- sending it with other values is refused. Rated per period by bill.rate_usage.
CREATE TABLE usage_records (
  namespace TEXT NOT NULL,
  event_id TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  occurred_us BIGINT NOT NULL,
  recorded_us BIGINT NOT NULL,
  PRIMARY KEY (namespace, event_id)
);
CREATE INDEX usage_by_contract ON usage_records (namespace, contract_id, metric, occurred_us);
ALTER TABLE usage_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_records FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON usage_records USING (covenant_in_scope(namespace));
