-- Each namespace's signing keys, and its own audit log (issue 21): see the PostgreSQL
-- migration of the same number.
CREATE TABLE signing_keys (
  namespace TEXT NOT NULL,
  purpose TEXT NOT NULL,
  owner TEXT NOT NULL,
  key_id TEXT NOT NULL,
  public_key TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  retired_us INTEGER NOT NULL,
  valid_until_us INTEGER NOT NULL,
  PRIMARY KEY (namespace, purpose, owner, key_id)
);
CREATE TABLE namespace_events (
  namespace TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at_us INTEGER NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (namespace, seq)
);
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
