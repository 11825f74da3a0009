-- Deliveries from CLM systems (issue 22): see the PostgreSQL migration of the same number.
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
  received_us INTEGER NOT NULL,
  PRIMARY KEY (namespace, id)
);
CREATE INDEX intake_by_event ON intake_deliveries (namespace, source, event_id);
CREATE INDEX intake_by_time ON intake_deliveries (namespace, received_us, id);
