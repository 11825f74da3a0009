-- Engine core v2: the work tables hold only live work. A task is deleted when its outcome is
-- recorded or it is cancelled, a timer when it fires or is cancelled (the history records
-- each), instead of being updated to 'done', 'cancelled' or 'fired' and kept. The rows a
-- database written before this version kept in those statuses go now.
DELETE FROM tasks WHERE status NOT IN ('ready', 'leased');
DELETE FROM timers WHERE status <> 'pending';
-- Any change of an instance row moves its version on, also one made by hand: engines keep
-- decoded instances between transitions and trust them only while the stored version is
-- theirs (Runtime's instance cache).
CREATE TRIGGER instances_version_moves AFTER UPDATE ON instances FOR EACH ROW WHEN NEW.version = OLD.version BEGIN UPDATE instances SET version = OLD.version + 1 WHERE id = NEW.id; END;
