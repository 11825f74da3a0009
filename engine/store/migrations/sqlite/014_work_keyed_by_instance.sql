-- Engine core v2: the work tables are keyed by their instance. A task's or timer's key is
-- unique within its instance, and every statement of a transition names the instance of the
-- rows it touches, so the tables can be split by instance with every transition's statements
-- on one part. The one index on (instance_id, key) replaces two: the unique key and the lookup
-- by instance. SQLite cannot drop a table's UNIQUE constraint, so both tables are rebuilt
-- (they hold only live work, migration 011), keeping their ids' sequences: an id is never
-- given twice, which the fencing of late outcomes relies on.
CREATE TABLE tasks_v14 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_key TEXT NOT NULL,
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
  created_us INTEGER NOT NULL,
  recorded TEXT
);
INSERT INTO tasks_v14 SELECT id, task_key, instance_id, frame, state, occurrence, compensation,
  activity, input, attempt, timeout_us, due_us, status, lease_owner, lease_until_us, created_us,
  recorded FROM tasks;
CREATE TABLE timers_v14 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  timer_key TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  frame TEXT NOT NULL,
  state TEXT NOT NULL,
  occurrence INTEGER NOT NULL,
  kind TEXT NOT NULL,
  fire_us INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_us INTEGER NOT NULL
);
INSERT INTO timers_v14 SELECT id, timer_key, instance_id, frame, state, occurrence, kind, fire_us,
  status, created_us FROM timers;
CREATE TEMP TABLE covenant_sequences AS SELECT name, seq FROM sqlite_sequence
  WHERE name IN ('tasks', 'timers');
DROP TABLE tasks;
DROP TABLE timers;
ALTER TABLE tasks_v14 RENAME TO tasks;
ALTER TABLE timers_v14 RENAME TO timers;
DELETE FROM sqlite_sequence WHERE name IN ('tasks', 'timers');
INSERT INTO sqlite_sequence (name, seq) SELECT name, seq FROM temp.covenant_sequences;
DROP TABLE temp.covenant_sequences;
CREATE UNIQUE INDEX tasks_by_instance ON tasks (instance_id, task_key);
CREATE INDEX tasks_ready ON tasks (due_us, id) WHERE status = 'ready';
CREATE INDEX tasks_leased ON tasks (lease_until_us) WHERE status = 'leased';
CREATE UNIQUE INDEX timers_by_instance ON timers (instance_id, timer_key);
CREATE INDEX timers_due ON timers (status, fire_us);
