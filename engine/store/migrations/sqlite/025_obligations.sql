-- The obligations register (issue 22): see the PostgreSQL migration of the same number.
CREATE TABLE obligations (
  namespace TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  obligation_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  due_date TEXT,
  body TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  recorded_us INTEGER NOT NULL,
  PRIMARY KEY (namespace, contract_id, obligation_id)
);
CREATE INDEX obligations_by_due ON obligations (namespace, due_date, contract_id, obligation_id);
CREATE TABLE obligation_registers (
  namespace TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  recorded_us INTEGER NOT NULL,
  PRIMARY KEY (namespace, contract_id)
);
