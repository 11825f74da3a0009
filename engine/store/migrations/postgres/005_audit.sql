-- Audit queries: history by time across instances (exports, the audit trail of a period).
CREATE INDEX history_by_time ON history (at_us, instance_id, seq);
