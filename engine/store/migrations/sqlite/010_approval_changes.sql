-- Where an approver's request for changes sends the instance (the gate's
-- on_changes_requested); '' for gates that take none.
ALTER TABLE approvals ADD COLUMN changes_to TEXT NOT NULL DEFAULT '';
