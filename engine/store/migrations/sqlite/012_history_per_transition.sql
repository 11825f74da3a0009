-- Engine core v2: one history row per transition. A row holds the events one transition
-- appended to one instance's chain, in order: `seq` is the last event's sequence number (the
-- row's events are numbered up to it), `at_us` the transition's time, `prev_hash` the chain's
-- hash before its first event, and `events` a JSON array with one array per event,
-- [type, frame, state, payload, hash]; an event's previous hash is the hash before it in the
-- row. Each event stays hashed and verifiable on its own (engine/history/hash_chain.hpp is
-- unchanged); a transition writes one row and two index entries instead of one per event.
-- The rows written before this version become rows of one event each (where one transition
-- ended was not recorded), hashes and chains as they were.
DROP TRIGGER history_refuses_update;
DROP TRIGGER history_refuses_delete;
DROP INDEX history_by_time;
ALTER TABLE history RENAME TO history_v11;
CREATE TABLE history (
  instance_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at_us INTEGER NOT NULL,
  prev_hash TEXT NOT NULL,
  events TEXT NOT NULL,
  PRIMARY KEY (instance_id, seq)
);
INSERT INTO history (instance_id, seq, at_us, prev_hash, events) SELECT instance_id, seq, at_us, prev_hash, '[[' || type || ',' || json_quote(frame) || ',' || json_quote(state) || ',' || payload || ',' || json_quote(hash) || ']]' FROM history_v11 ORDER BY instance_id, seq;
DROP TABLE history_v11;
CREATE INDEX history_by_time ON history (at_us, instance_id, seq);
CREATE TRIGGER history_refuses_update BEFORE UPDATE ON history BEGIN SELECT RAISE(ABORT, 'history is append-only: UPDATE refused'); END;
CREATE TRIGGER history_refuses_delete BEFORE DELETE ON history BEGIN SELECT RAISE(ABORT, 'history is append-only: DELETE refused'); END;
