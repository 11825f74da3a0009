-- What approvers read first: the gate's summary (title, key figures, comparisons, writes),
-- computed from the subject when the gate opened ('null' for gates without one).
ALTER TABLE approvals ADD COLUMN summary TEXT NOT NULL DEFAULT 'null';
