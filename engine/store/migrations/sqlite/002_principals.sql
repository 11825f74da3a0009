-- People and systems that call Covenant, with their roles. Tokens are stored only as their
-- SHA-256; revoked_us is 0 while the principal is active.
CREATE TABLE principals (
  name TEXT PRIMARY KEY,
  roles TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_us INTEGER NOT NULL,
  revoked_us INTEGER NOT NULL
);
