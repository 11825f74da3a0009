-- Engine core v2: one history row per transition. A row holds the events one transition
-- appended to one instance's chain, in order: `seq` is the last event's sequence number (the
-- row's events are numbered up to it), `at_us` the transition's time, `prev_hash` the chain's
-- hash before its first event, and `events` a JSON array with one array per event,
-- [type, frame, state, payload, hash]; an event's previous hash is the hash before it in the
-- row. Each event stays hashed and verifiable on its own (engine/history/hash_chain.hpp is
-- unchanged); a transition writes one row and two index entries instead of one per event.
-- The rows written before this version become rows of one event each (where one transition
-- ended was not recorded), hashes and chains as they were.
ALTER TABLE history RENAME TO history_v11;
ALTER TABLE history_v11 RENAME CONSTRAINT history_pkey TO history_v11_pkey;
ALTER INDEX history_by_time RENAME TO history_v11_by_time;
CREATE TABLE history (
  instance_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  at_us BIGINT NOT NULL,
  prev_hash TEXT NOT NULL,
  events TEXT NOT NULL,
  PRIMARY KEY (instance_id, seq)
);
INSERT INTO history (instance_id, seq, at_us, prev_hash, events) SELECT instance_id, seq, at_us, prev_hash, '[[' || type || ',' || to_json(frame)::text || ',' || to_json(state)::text || ',' || payload || ',' || to_json(hash)::text || ']]' FROM history_v11 ORDER BY instance_id, seq;
DROP TABLE history_v11;
CREATE INDEX history_by_time ON history (at_us, instance_id, seq);
CREATE TRIGGER history_refuses_update BEFORE UPDATE ON history FOR EACH ROW EXECUTE FUNCTION covenant_history_append_only();
CREATE TRIGGER history_refuses_delete BEFORE DELETE ON history FOR EACH ROW EXECUTE FUNCTION covenant_history_append_only();
CREATE TRIGGER history_refuses_truncate BEFORE TRUNCATE ON history FOR EACH STATEMENT EXECUTE FUNCTION covenant_history_append_only();
