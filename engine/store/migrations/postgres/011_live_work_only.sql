-- Engine core v2: the work tables hold only live work. A task is deleted when its outcome is
-- recorded or it is cancelled, a timer when it fires or is cancelled (the history records
-- each), instead of being updated to 'done', 'cancelled' or 'fired' and kept: a finished task
-- then writes no new row version and no index entry. The rows a database written before this
-- version kept in those statuses go now.
DELETE FROM tasks WHERE status NOT IN ('ready', 'leased');
DELETE FROM timers WHERE status <> 'pending';
-- Every transition updates its instance row; room left in each page lets PostgreSQL keep the
-- new version on the same page without touching the indexes (a HOT update) when no indexed
-- column changes — most transitions change neither status nor keys. Applies to pages written
-- from now on.
ALTER TABLE instances SET (fillfactor = 70);
-- Any change of an instance row moves its version on, also one made by hand: engines keep
-- decoded instances between transitions and trust them only while the stored version is
-- theirs (Runtime's instance cache).
CREATE FUNCTION covenant_instance_version_moves() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.version := OLD.version + 1; RETURN NEW; END $$;
CREATE TRIGGER instances_version_moves BEFORE UPDATE ON instances FOR EACH ROW WHEN (NEW.version = OLD.version) EXECUTE FUNCTION covenant_instance_version_moves();
