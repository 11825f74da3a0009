-- Handoff latency (issue 23): per instance of a workflow whose states mark milestones
-- (`milestone:` in its YAML), when each handoff of contract-to-cash was first reached —
-- signed, extracted, approved, provisioned, invoiced — as microseconds since the epoch (NULL
-- until reached), when the instance started and ended and how. Written by the runtime in the
-- transition's own transaction (engine/runtime/side_records.cpp); `span_us` is signed to
-- invoiced once both are known. The contract's kind, customer, owner and currency are copied
-- from book_index (by the store, when either side is written) so the view filters one table.
CREATE TABLE handoffs (
  namespace TEXT NOT NULL,
  instance_id TEXT NOT NULL PRIMARY KEY,
  workflow TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  customer TEXT NOT NULL,
  owner TEXT NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL,
  started_us BIGINT NOT NULL,
  ended_us BIGINT,
  signed_us BIGINT,
  extracted_us BIGINT,
  approved_us BIGINT,
  provisioned_us BIGINT,
  invoiced_us BIGINT,
  span_us BIGINT
);
CREATE INDEX handoffs_by_contract ON handoffs (namespace, contract_id);
CREATE INDEX handoffs_by_span ON handoffs (namespace, span_us, instance_id);
CREATE INDEX handoffs_open ON handoffs (namespace, invoiced_us, started_us, instance_id);
-- The distributions read every matching instance's times from this index alone.
CREATE INDEX handoffs_times ON handoffs (namespace, owner, currency, kind, customer, signed_us,
  extracted_us, approved_us, provisioned_us, invoiced_us, status);
-- Renewal risk reads the approvals that did not go as asked (rejected, changes requested,
-- expired, open past their deadline).
CREATE INDEX approvals_exceptions ON approvals (namespace, status, deadline_us);
ALTER TABLE handoffs ENABLE ROW LEVEL SECURITY;
ALTER TABLE handoffs FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON handoffs USING (covenant_in_scope(namespace));
-- Renewal risk reads each contract's renewal finding with its latest SLA and billing figures:
-- the store copies them onto the renewal row when either side is written (NULL items: no such
-- finding yet), so the view reads one range of one table. Rows already stored are filled here.
ALTER TABLE contract_findings ADD COLUMN sla_items BIGINT;
ALTER TABLE contract_findings ADD COLUMN sla_amount_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contract_findings ADD COLUMN sla_currency TEXT NOT NULL DEFAULT '';
ALTER TABLE contract_findings ADD COLUMN sla_observed_on TEXT NOT NULL DEFAULT '';
ALTER TABLE contract_findings ADD COLUMN billing_items BIGINT;
ALTER TABLE contract_findings ADD COLUMN billing_amount_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contract_findings ADD COLUMN billing_currency TEXT NOT NULL DEFAULT '';
ALTER TABLE contract_findings ADD COLUMN billing_observed_on TEXT NOT NULL DEFAULT '';
UPDATE contract_findings SET
  sla_items = (SELECT s.items FROM contract_findings s WHERE s.namespace = contract_findings.namespace AND s.contract_id = contract_findings.contract_id AND s.monitor = 'sla'),
  sla_amount_minor = COALESCE((SELECT s.amount_minor FROM contract_findings s WHERE s.namespace = contract_findings.namespace AND s.contract_id = contract_findings.contract_id AND s.monitor = 'sla'), 0),
  sla_currency = COALESCE((SELECT s.currency FROM contract_findings s WHERE s.namespace = contract_findings.namespace AND s.contract_id = contract_findings.contract_id AND s.monitor = 'sla'), ''),
  sla_observed_on = COALESCE((SELECT s.observed_on FROM contract_findings s WHERE s.namespace = contract_findings.namespace AND s.contract_id = contract_findings.contract_id AND s.monitor = 'sla'), ''),
  billing_items = (SELECT s.items FROM contract_findings s WHERE s.namespace = contract_findings.namespace AND s.contract_id = contract_findings.contract_id AND s.monitor = 'billing_accuracy'),
  billing_amount_minor = COALESCE((SELECT s.amount_minor FROM contract_findings s WHERE s.namespace = contract_findings.namespace AND s.contract_id = contract_findings.contract_id AND s.monitor = 'billing_accuracy'), 0),
  billing_currency = COALESCE((SELECT s.currency FROM contract_findings s WHERE s.namespace = contract_findings.namespace AND s.contract_id = contract_findings.contract_id AND s.monitor = 'billing_accuracy'), ''),
  billing_observed_on = COALESCE((SELECT s.observed_on FROM contract_findings s WHERE s.namespace = contract_findings.namespace AND s.contract_id = contract_findings.contract_id AND s.monitor = 'billing_accuracy'), '')
WHERE monitor = 'renewal';
-- …from this index alone (the findings' bodies stay in the table).
CREATE INDEX contract_findings_risk ON contract_findings (namespace, monitor, due_on, contract_id,
  kind, customer, owner, book_currency, tag, status, items, observed_on, sla_items,
  sla_amount_minor, sla_currency, sla_observed_on, billing_items, billing_amount_minor,
  billing_currency, billing_observed_on);
