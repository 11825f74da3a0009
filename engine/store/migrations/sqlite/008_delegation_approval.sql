-- Delegations belong to their delegator: one an admin creates for someone else waits for a
-- second admin's approval before it is in force (needs_approval = 1 until approved_by is
-- set), and who approved and who revoked each one is kept with it.
ALTER TABLE delegations ADD COLUMN needs_approval INTEGER NOT NULL DEFAULT 0;
ALTER TABLE delegations ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE delegations ADD COLUMN approved_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE delegations ADD COLUMN revoked_by TEXT NOT NULL DEFAULT '';
