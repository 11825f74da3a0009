-- Engine core v2: the work tables are keyed by their instance. A task's or timer's key is
-- unique within its instance, and every statement of a transition names the instance of the
-- rows it touches, so the tables can be split by instance (hash partitions, or shards keyed
-- on instance_id) with every transition's statements on one of them. The one index on
-- (instance_id, key) replaces two: the unique key and the lookup by instance.
ALTER TABLE tasks DROP CONSTRAINT tasks_task_key_key;
DROP INDEX tasks_by_instance;
CREATE UNIQUE INDEX tasks_by_instance ON tasks (instance_id, task_key);
ALTER TABLE timers DROP CONSTRAINT timers_timer_key_key;
DROP INDEX timers_by_instance;
CREATE UNIQUE INDEX timers_by_instance ON timers (instance_id, timer_key);
