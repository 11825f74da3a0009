-- Indexes for the claim query, which runs once per worker batch: ready tasks in due order
-- and expired leases, each read from its own partial index (finished tasks, the bulk of the
-- table, are in neither), so claiming stays an index range scan however long the history.
CREATE INDEX tasks_ready ON tasks (due_us, id) WHERE status = 'ready';
CREATE INDEX tasks_leased ON tasks (lease_until_us) WHERE status = 'leased';
-- The index these two replace: every task write paid for it.
DROP INDEX tasks_due;
