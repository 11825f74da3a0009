// Store: splitting the history and the work tables by instance (PostgreSQL's native hash
// partitioning). Every statement of a transition names the instance of the rows it touches
// (migration 014), so on the split tables a transition's writes land in one partition of each,
// and a claim reads each partition's own partial index. docs/store-schema.md, "Distribution".
#include "engine/store/store.hpp"

#include <string>

namespace covenant::engine::store {
namespace {

// One table made partitioned: renamed aside, recreated PARTITION BY HASH (instance_id) with its
// partitions, its rows copied, the old table dropped, then its keys, indexes and triggers made
// again under their own names, with the row-level security of migration 018. `%N%` is the number of
// partitions. The primary key of a partitioned table must hold the partition key: (instance_id, id)
// for the work tables, whose `id` stays unique by its sequence.
constexpr const char* kPartition = R"SQL(
DO $covenant$
DECLARE
  n CONSTANT int := %N%;
  t text;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'history'::regclass) THEN
    RAISE EXCEPTION 'the history and work tables are partitioned already';
  END IF;
  FOREACH t IN ARRAY ARRAY['history', 'tasks', 'timers'] LOOP
    EXECUTE format('ALTER TABLE %I RENAME TO %I', t, t || '_unpartitioned');
    EXECUTE format('ALTER TABLE %I RENAME CONSTRAINT %I TO %I', t || '_unpartitioned',
                   t || '_pkey', t || '_unpartitioned_pkey');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS) PARTITION BY HASH (instance_id)',
                   t, t || '_unpartitioned');
    FOR k IN 0 .. n - 1 LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
                     t || '_p' || k, t, n, k);
    END LOOP;
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', t, t || '_unpartitioned');
    IF t <> 'history' THEN
      EXECUTE format('ALTER SEQUENCE %I OWNED BY %I.id', t || '_id_seq', t);
    END IF;
    EXECUTE format('DROP TABLE %I', t || '_unpartitioned');
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY namespace_scope ON %I USING (covenant_in_scope(namespace))', t);
  END LOOP;
  ALTER TABLE history ADD PRIMARY KEY (instance_id, seq);
  CREATE INDEX history_by_time ON history (at_us, instance_id, seq);
  CREATE TRIGGER history_refuses_update BEFORE UPDATE ON history FOR EACH ROW
    EXECUTE FUNCTION covenant_history_append_only();
  CREATE TRIGGER history_refuses_delete BEFORE DELETE ON history FOR EACH ROW
    EXECUTE FUNCTION covenant_history_append_only();
  CREATE TRIGGER history_refuses_truncate BEFORE TRUNCATE ON history FOR EACH STATEMENT
    EXECUTE FUNCTION covenant_history_append_only();
  ALTER TABLE tasks ADD PRIMARY KEY (instance_id, id);
  CREATE UNIQUE INDEX tasks_by_instance ON tasks (instance_id, task_key);
  CREATE INDEX tasks_ready ON tasks (due_us, id) WHERE status = 'ready';
  CREATE INDEX tasks_leased ON tasks (lease_until_us) WHERE status = 'leased';
  ALTER TABLE timers ADD PRIMARY KEY (instance_id, id);
  CREATE UNIQUE INDEX timers_by_instance ON timers (instance_id, timer_key);
  CREATE INDEX timers_due ON timers (status, fire_us);
END
$covenant$
)SQL";

constexpr const char* kPartitionCount =
    "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'history'::regclass";

}  // namespace

Result<void> Store::partition_by_instance(int partitions) {
  if (dialect_.backend() != Backend::Postgres)
    return fail(ErrorCode::FailedPrecondition,
                "partitioning by instance needs PostgreSQL; this database is " +
                    std::string(dialect_.name()));
  if (partitions < 2 || partitions > kMaxPartitions)
    return fail(ErrorCode::InvalidArgument, "the number of partitions must be from 2 to " +
                                                std::to_string(kMaxPartitions) + ", not " +
                                                std::to_string(partitions));
  auto tx = begin(Scope::all());
  if (!tx) return tl::unexpected(tx.error());
  auto r = guard<void>("partition by instance", [&]() -> Result<void> {
    std::string sql = kPartition;
    sql.replace(sql.find("%N%"), 3, std::to_string(partitions));
    (*tx)->sql() << sql;
    return {};
  });
  if (!r) return r;
  if (auto c = (*tx)->commit(); !c) return c;
  partitions_ = partitions;
  return {};
}

Result<int> Store::partitions() {
  if (dialect_.backend() != Backend::Postgres) return 0;
  if (int known = partitions_; known >= 0) return known;
  auto tx = begin(Scope::all(), false);
  if (!tx) return tl::unexpected(tx.error());
  auto n = guard<int>("count partitions", [&]() -> Result<int> {
    long long count = 0;
    (*tx)->sql() << kPartitionCount, soci::into(count);
    return static_cast<int>(count);
  });
  if (n) partitions_ = *n;
  return n;
}

}  // namespace covenant::engine::store
