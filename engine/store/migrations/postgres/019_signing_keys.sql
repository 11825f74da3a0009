-- Each namespace's signing keys, and its own audit log (issue 21).
-- signing_keys: which keys a namespace signs with — Ed25519 checkpoint keys (the public key;
-- the private one stays with whoever signs) and webhook secrets (only a fingerprint). One is
-- current per (namespace, purpose, owner); a rotation retires the one before, whose signatures
-- still count until valid_until_us (the overlap).
CREATE TABLE signing_keys (
  namespace TEXT NOT NULL,
  purpose TEXT NOT NULL,          -- checkpoint | webhook
  owner TEXT NOT NULL,            -- webhook: the endpoint's name; checkpoint: ''
  key_id TEXT NOT NULL,           -- checkpoint: SHA-256 of the public key; webhook: a fingerprint
  public_key TEXT NOT NULL,       -- checkpoint: PEM; webhook: ''
  created_us BIGINT NOT NULL,
  retired_us BIGINT NOT NULL,     -- 0: current
  valid_until_us BIGINT NOT NULL, -- 0: current; else the end of its overlap
  PRIMARY KEY (namespace, purpose, owner, key_id)
);
-- What happened to a namespace outside any one contract's history: key rotations. seq counts
-- per namespace from 1.
CREATE TABLE namespace_events (
  namespace TEXT NOT NULL,
  seq BIGINT NOT NULL,
  at_us BIGINT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,           -- JSON
  PRIMARY KEY (namespace, seq)
);
ALTER TABLE signing_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE namespace_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE signing_keys FORCE ROW LEVEL SECURITY;
ALTER TABLE namespace_events FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON signing_keys USING (covenant_in_scope(namespace));
CREATE POLICY namespace_scope ON namespace_events USING (covenant_in_scope(namespace));
-- The keys that signed the checkpoints already there: the one of the latest checkpoint stays
-- current, the others retired after the last checkpoint each signed.
INSERT INTO signing_keys (namespace, purpose, owner, key_id, public_key, created_us, retired_us,
                          valid_until_us)
  SELECT namespace, 'checkpoint', '', 'since-' || MIN(day), public_key, MIN(created_us), 0, 0
  FROM checkpoints GROUP BY namespace, public_key;
UPDATE signing_keys SET
  retired_us = (SELECT MAX(c.created_us) FROM checkpoints c
                WHERE c.namespace = signing_keys.namespace AND c.public_key = signing_keys.public_key),
  valid_until_us = (SELECT MAX(c.created_us) FROM checkpoints c
                    WHERE c.namespace = signing_keys.namespace AND c.public_key = signing_keys.public_key)
  WHERE purpose = 'checkpoint' AND created_us < (SELECT MAX(k.created_us) FROM signing_keys k
    WHERE k.namespace = signing_keys.namespace AND k.purpose = 'checkpoint');
-- One current key per namespace, purpose and owner: two rotations at once cannot both win.
CREATE UNIQUE INDEX signing_keys_current ON signing_keys (namespace, purpose, owner) WHERE retired_us = 0;
