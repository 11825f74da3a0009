-- Covenant's first schema (SQLite). Statements end with ';' at the end of a line; a ';'
-- inside a statement (trigger bodies) must not end its line. Never edit an applied
-- migration: add the next number instead.
CREATE TABLE definitions (
  digest TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  source TEXT NOT NULL,
  canonical TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  UNIQUE (name, version)
);
CREATE TABLE instances (
  id TEXT PRIMARY KEY,
  namespace TEXT NOT NULL,
  workflow TEXT NOT NULL,
  definition_digest TEXT NOT NULL REFERENCES definitions (digest),
  business_key TEXT NOT NULL,
  status TEXT NOT NULL,
  started_by TEXT NOT NULL,
  start_key TEXT UNIQUE,
  input TEXT NOT NULL,
  context TEXT NOT NULL,
  runtime TEXT NOT NULL,
  output TEXT NOT NULL,
  error TEXT NOT NULL,
  version INTEGER NOT NULL,
  next_seq INTEGER NOT NULL,
  last_hash TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL
);
CREATE INDEX instances_by_status ON instances (status, workflow);
CREATE INDEX instances_by_business_key ON instances (business_key);
CREATE TABLE history (
  instance_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type INTEGER NOT NULL,
  type_name TEXT NOT NULL,
  at_us INTEGER NOT NULL,
  frame TEXT NOT NULL,
  state TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (instance_id, seq)
);
CREATE TRIGGER history_refuses_update BEFORE UPDATE ON history BEGIN SELECT RAISE(ABORT, 'history is append-only: UPDATE refused'); END;
CREATE TRIGGER history_refuses_delete BEFORE DELETE ON history BEGIN SELECT RAISE(ABORT, 'history is append-only: DELETE refused'); END;
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_key TEXT NOT NULL UNIQUE,
  instance_id TEXT NOT NULL,
  frame TEXT NOT NULL,
  state TEXT NOT NULL,
  occurrence INTEGER NOT NULL,
  compensation INTEGER NOT NULL,
  activity TEXT NOT NULL,
  input TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  timeout_us INTEGER NOT NULL,
  due_us INTEGER NOT NULL,
  status TEXT NOT NULL,
  lease_owner TEXT NOT NULL,
  lease_until_us INTEGER NOT NULL,
  created_us INTEGER NOT NULL
);
CREATE INDEX tasks_due ON tasks (status, due_us);
CREATE INDEX tasks_by_instance ON tasks (instance_id);
CREATE TABLE timers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  timer_key TEXT NOT NULL UNIQUE,
  instance_id TEXT NOT NULL,
  frame TEXT NOT NULL,
  state TEXT NOT NULL,
  occurrence INTEGER NOT NULL,
  kind TEXT NOT NULL,
  fire_us INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_us INTEGER NOT NULL
);
CREATE INDEX timers_due ON timers (status, fire_us);
CREATE INDEX timers_by_instance ON timers (instance_id);
CREATE TABLE effects (
  idempotency_key TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  activity TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  result TEXT NOT NULL,
  recorded_us INTEGER NOT NULL
);
