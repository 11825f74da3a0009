-- A principal's tokens, each with its own life (issue 21): an expiry, and after a rotation a
-- last moment the old token still works (the overlap while callers change over). Stored only
-- as SHA-256. The token each principal had before becomes its first row, without expiry.
-- principals.token_hash stays as it was (the first token's hash) and is no longer read.
CREATE TABLE principal_tokens (
  token_hash TEXT PRIMARY KEY,
  principal TEXT NOT NULL REFERENCES principals (name),
  created_us INTEGER NOT NULL,
  expires_us INTEGER NOT NULL,   -- 0: does not expire
  retired_us INTEGER NOT NULL    -- 0: current; else it works until this moment (a rotation's overlap)
);
CREATE INDEX principal_tokens_by_principal ON principal_tokens (principal);
INSERT INTO principal_tokens (token_hash, principal, created_us, expires_us, retired_us)
  SELECT token_hash, name, created_us, 0, 0 FROM principals;
