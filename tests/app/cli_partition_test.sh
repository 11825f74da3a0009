#!/usr/bin/env bash
# covenant partition, as an operator runs it against PostgreSQL (the throwaway server of
# scripts/with-test-postgres): split a database with Covenant's schema, see it, be refused a
# second split; refused on SQLite.
set -euo pipefail
covenant="$1"
fail() { echo "cli partition: $*" >&2; exit 1; }
[ -n "${COVENANT_TEST_PG:-}" ] || fail "COVENANT_TEST_PG is not set: run it with scripts/with-test-postgres"
tmp=$(mktemp -d)
name="covenant_cli_partition_$$"
cleanup() { psql -q "$COVENANT_TEST_PG" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
psql -q -v ON_ERROR_STOP=1 "$COVENANT_TEST_PG" -c "CREATE DATABASE $name" >/dev/null
db="${COVENANT_TEST_PG%/*}/$name"

"$covenant" worker --once --create-db --db "$db" >/dev/null || fail "creating the schema"
[ "$("$covenant" partition --db "$db")" = "the history and work tables are not split" ] || fail "before the split"
out=$("$covenant" partition --db "$db" --partitions 4) || fail "the split: $out"
[ "$out" = "the history and work tables are split into 4 hash partitions of instance_id" ] || fail "the split says: $out"
[ "$("$covenant" partition --db "$db" --format json)" = '{"partitions":4}' ] || fail "json"
[ "$(psql -tA "$db" -c "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'tasks'::regclass")" = 4 ] || fail "tasks are not in 4 partitions"
set +e; msg=$("$covenant" partition --db "$db" --partitions 8 2>&1); rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "partitioned already" <<<"$msg" || fail "a second split must be refused: $rc $msg"
set +e; msg=$("$covenant" partition --db "$db" --partitions 1 2>&1); rc=$?; set -e
[ "$rc" -ne 0 ] && grep -q "not in range" <<<"$msg" || fail "one partition must be refused: $rc $msg"
# A worker owning partitions of the split tables runs; one naming a partition that is not there
# is refused.
"$covenant" worker --once --db "$db" --partitions 0,1 >/dev/null || fail "a worker owning partitions"
set +e; msg=$("$covenant" worker --once --db "$db" --partitions 7 2>&1); rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "there is no partition 7" <<<"$msg" || fail "a missing partition must be refused: $rc $msg"

"$covenant" worker --once --create-db --db "sqlite:$tmp/c.db" >/dev/null
set +e; msg=$("$covenant" partition --db "sqlite:$tmp/c.db" --partitions 4 2>&1); rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "needs PostgreSQL" <<<"$msg" || fail "SQLite must be refused: $rc $msg"
echo "cli partition: all checks passed"
