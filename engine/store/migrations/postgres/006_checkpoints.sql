-- Daily checkpoints of the history: each day's chain heads (every instance's last event as of
-- the end of the day, UTC), chained to the previous checkpoint and signed (Ed25519), so a
-- party outside the database can hold them and detect even a rewrite of the whole history.
CREATE TABLE checkpoints (
  day TEXT PRIMARY KEY,
  document TEXT NOT NULL,
  digest TEXT NOT NULL,
  signature TEXT NOT NULL,
  public_key TEXT NOT NULL,
  created_us BIGINT NOT NULL
);
