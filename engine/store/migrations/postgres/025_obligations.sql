-- The obligations register (issue 22): what each contract obliges a party to do — deliverables,
-- reports, certificates, audits, payment milestones, renewal windows — as reviewed, with who
-- owes it, when (`due_date` when a date is known; `body` keeps the event it counts from, the
-- period, what accepts it and the evidence). A contract's register is written whole by the
-- instance that carried the contract (`obligation_registers` says which, also for an empty
-- register, and is the row its writers lock); `due_date` is indexed for "what is due before …".
CREATE TABLE obligations (
  namespace TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  obligation_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  due_date TEXT,
  body TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  recorded_us BIGINT NOT NULL,
  PRIMARY KEY (namespace, contract_id, obligation_id)
);
CREATE INDEX obligations_by_due ON obligations (namespace, due_date, contract_id, obligation_id);
ALTER TABLE obligations ENABLE ROW LEVEL SECURITY;
ALTER TABLE obligations FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON obligations USING (covenant_in_scope(namespace));
CREATE TABLE obligation_registers (
  namespace TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  recorded_us BIGINT NOT NULL,
  PRIMARY KEY (namespace, contract_id)
);
ALTER TABLE obligation_registers ENABLE ROW LEVEL SECURITY;
ALTER TABLE obligation_registers FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON obligation_registers USING (covenant_in_scope(namespace));
