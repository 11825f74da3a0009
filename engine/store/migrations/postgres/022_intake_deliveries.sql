-- Deliveries from CLM systems (issue 22): every "contract executed" webhook that reached an
-- intake endpoint, accepted or not — the source, the vendor's event id, what Covenant did with
-- it (accepted, replayed, refused, ignored) and why, the instance it started, and the SHA-256
-- of the body as received. A redelivered event is found by its id; a refusal is kept too, so
-- an auditor sees every forged, stale or replayed try.
CREATE TABLE intake_deliveries (
  namespace TEXT NOT NULL,
  id TEXT NOT NULL,
  source TEXT NOT NULL,
  vendor TEXT NOT NULL,
  event_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  body_sha256 TEXT NOT NULL,
  received_us BIGINT NOT NULL,
  PRIMARY KEY (namespace, id)
);
CREATE INDEX intake_by_event ON intake_deliveries (namespace, source, event_id);
CREATE INDEX intake_by_time ON intake_deliveries (namespace, received_us, id);
ALTER TABLE intake_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON intake_deliveries USING (covenant_in_scope(namespace));
