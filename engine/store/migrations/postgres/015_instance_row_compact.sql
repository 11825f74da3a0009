-- Engine core v2: the instance row written compactly. `context` held the root frame's context
-- as JSON text beside `runtime`, which holds it too (in its root frame); nothing read the
-- column, and every transition serialised and wrote the context twice. Dropped: `runtime` is
-- the one stored form of the instance's frames and their contexts.
ALTER TABLE instances DROP COLUMN context;
