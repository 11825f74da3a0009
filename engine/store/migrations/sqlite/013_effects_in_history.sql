-- Engine core v2: effects are kept in the history. A successful call's result is recorded by
-- its ActivityCompleted event (idempotency key, attempt, result), written in the same
-- transaction that closes the task, so the separate `effects` table repeated each one (a row
-- and an index entry per transition) and a claimed task could never find one under its key.
-- A database written by an older version may hold a result recorded for a task that is still
-- live (recorded, then the process stopped before the outcome): that result moves onto the
-- task row itself, where the claim reads it, and the worker passes it on instead of calling
-- again. Nothing else in `effects` is lost: its history holds it.
ALTER TABLE tasks ADD COLUMN recorded TEXT;
UPDATE tasks SET recorded = (SELECT e.result FROM effects e WHERE e.idempotency_key = tasks.task_key)
  WHERE task_key IN (SELECT idempotency_key FROM effects);
DROP TABLE effects;
