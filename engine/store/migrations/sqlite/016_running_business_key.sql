-- A business key names one running instance per workflow (issue 20): starting a second
-- instance of the workflow under a key a running one holds is refused (409 naming it) unless
-- the start asks for a duplicate. The runtime checks before it starts; this index is the
-- wall behind the check, for two starts racing each other. `key_unique` is 1 for instances
-- started under that rule; instances started before it (0) are left as they are, so a
-- database holding running duplicates from before still upgrades.
ALTER TABLE instances ADD COLUMN key_unique SMALLINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX instances_running_business_key ON instances (namespace, workflow, business_key)
  WHERE key_unique = 1 AND status IN ('running', 'compensating');
