#!/usr/bin/env bash
# The covenant command line as a user runs it: exit codes, output formats, files written.
set -euo pipefail
covenant=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# validate: 0 when all valid, 1 otherwise, every file reported.
"$covenant" validate definitions/contract-to-cash.yaml >"$tmp/out" || fail "shipped definition invalid"
grep -q "definitions/contract-to-cash.yaml: valid" "$tmp/out" || fail "no 'valid' line"

set +e
"$covenant" validate definitions/contract-to-cash.yaml tests/cases/validate/approval-missing-for-invoice.yaml >"$tmp/out"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "expected exit 1 for an invalid file, got $rc"
grep -q "unapproved-financial-writeback" "$tmp/out" || fail "no unapproved-financial-writeback"
grep -q "contract-to-cash.yaml: valid" "$tmp/out" || fail "the valid file was not reported"

# --format json is machine-readable and carries code, line and column.
set +e
"$covenant" validate --format json tests/cases/validate/unknown-field-typo.yaml >"$tmp/json"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "json: expected exit 1, got $rc"
python3 - "$tmp/json" <<'PY' || fail "json output"
import json, sys
report = json.load(open(sys.argv[1]))
d = report[0]["diagnostics"][0]
assert report[0]["valid"] is False
assert d["code"] == "unknown-field" and d["line"] > 0 and d["column"] > 0, d
assert "did you mean 'next'?" in d["message"], d
PY

# Exit codes: 0 success, 1 failure, 2 usage — every usage error is 2 (CLI11's own codes, 105,
# 106, 109, are not handed out), and help and version are successes.
set +e
"$covenant" validate /nonexistent.yaml >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "a file argument naming no file is a usage error (2), got $rc"
"$covenant" --no-such-option >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "an unknown option: expected exit 2, got $rc"
"$covenant" no-such-command >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "an unknown command: expected exit 2, got $rc"
"$covenant" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "no command: expected exit 2, got $rc"
"$covenant" validate >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "a missing argument: expected exit 2, got $rc"
"$covenant" worker --db "$tmp/x.db" --concurrency many >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "a value of the wrong form: expected exit 2, got $rc"
"$covenant" validate --format yaml definitions/contract-to-cash.yaml >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "a value outside its set: expected exit 2, got $rc"
"$covenant" --help >/dev/null 2>&1; rc=$?
[ "$rc" -eq 0 ] || fail "--help: expected exit 0, got $rc"
"$covenant" --version >/dev/null 2>&1; rc=$?
[ "$rc" -eq 0 ] || fail "--version: expected exit 0, got $rc"
set -e

# graph: SVG and DOT files, and an invalid definition is not drawn.
"$covenant" graph definitions/contract-to-cash.yaml --format svg -o "$tmp/c2c.svg"
grep -q "<svg" "$tmp/c2c.svg" || fail "no SVG written"
for s in ingest extract finance_approval subscribe create_invoice post_revenue monitor done rejected; do
  grep -q "<title>$s</title>" "$tmp/c2c.svg" || fail "state $s missing from the SVG"
done
"$covenant" graph definitions/contract-to-cash.yaml --format dot >"$tmp/c2c.dot"
grep -q 'digraph "contract-to-cash"' "$tmp/c2c.dot" || fail "no DOT on stdout"
set +e
"$covenant" graph tests/cases/validate/unknown-field-typo.yaml -o "$tmp/bad.svg" 2>/dev/null; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "graph of an invalid definition: expected exit 1, got $rc"
[ ! -e "$tmp/bad.svg" ] || fail "an invalid definition was drawn"

# The engine commands of docs/engine.md, on a fresh SQLite file.
db="sqlite:$tmp/engine.db"
cat >"$tmp/hello.yaml" <<'YAML'
apiVersion: covenant/v1
kind: Workflow
metadata: { name: hello }
start: hold
states:
  hold: { type: wait, event: provisioning.confirmed, output: .confirmation, next: done }
  done: { type: succeed, output: "${ .confirmation }" }
YAML
"$covenant" deploy "$tmp/hello.yaml" --db "$db" | grep -q "deployed hello version 1" || fail "deploy"
"$covenant" deploy "$tmp/hello.yaml" --db "$db" | grep -q "unchanged hello version 1" || fail "redeploy"
echo '{"contract_id": "C-1"}' >"$tmp/in.json"
id=$("$covenant" start hello --db "$db" --input "$tmp/in.json" --business-key C-1)
[ -n "$id" ] || fail "start printed no id"
"$covenant" status "$id" --db "$db" | grep -q "at hold \[waiting\]" || fail "status"
set +e
"$covenant" signal "$id" other.event --db "$db" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q "not waiting for event 'other.event'" "$tmp/err" || fail "unexpected event"
echo '{"by": "ops"}' >"$tmp/payload.json"
"$covenant" signal "$id" provisioning.confirmed --db "$db" --data "$tmp/payload.json" >/dev/null
"$covenant" status "$id" --db "$db" --format json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["status"] == "completed" and s["output"] == {"by": "ops"} and s["business_key"] == "C-1", s'
"$covenant" history "$id" --db "$db" | grep -q "chain verified: 5 events" || fail "history"
id2=$("$covenant" start hello --db "$db" --idempotency-key k-1)
[ "$("$covenant" start hello --db "$db" --idempotency-key k-1)" = "$id2" ] || fail "idempotent start"
"$covenant" cancel "$id2" --db "$db" | grep -q "cancelled $id2" || fail "cancel"
# Bad input: clear errors, exit 1, nothing stored.
expect_error() {  # expect_error "message fragment" command...
  local fragment=$1; shift
  set +e; "$@" >/dev/null 2>"$tmp/err"; local rc=$?; set -e
  [ "$rc" -eq 1 ] || fail "expected exit 1 from: $*"
  grep -q "$fragment" "$tmp/err" || { cat "$tmp/err" >&2; fail "expected '$fragment' from: $*"; }
}
# status and history say what went wrong in text, not only in JSON; signal --as records who sent it.
cat >"$tmp/refuse.yaml" <<'YAML'
apiVersion: covenant/v1
kind: Workflow
metadata: { name: refuse }
start: hold
states:
  hold: { type: wait, event: reviewed, next: no }
  no: { type: fail, error: QuoteNotFound, cause: The opportunity has no quote in the CPQ system. }
YAML
rdb="$tmp/refuse.db"
"$covenant" deploy "$tmp/refuse.yaml" --db "$rdb" >/dev/null
rid=$("$covenant" start refuse --db "$rdb")
"$covenant" signal "$rid" reviewed --db "$rdb" --as olivia >/dev/null
"$covenant" status "$rid" --db "$rdb" | grep -q "failed (QuoteNotFound: The opportunity has no quote in the CPQ system.)" || fail "status must say why it failed: $("$covenant" status "$rid" --db "$rdb")"
"$covenant" history "$rid" --db "$rdb" | grep -q "WorkflowFailed  — QuoteNotFound: The opportunity has no quote in the CPQ system." || fail "history must say why it failed: $("$covenant" history "$rid" --db "$rdb")"
"$covenant" status "$rid" --db "$rdb" --format json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["error"] == "QuoteNotFound" and s["error_message"].startswith("The opportunity"), s
assert s["changed_by"] == ["olivia"], s'
# Under --format json, errors are JSON too (one object on standard error), with the same exit codes.
json_error() {  # json_error EXIT CODE "message fragment" command...
  local want_rc=$1 code=$2 fragment=$3; shift 3
  set +e; "$@" >/dev/null 2>"$tmp/err"; local rc=$?; set -e
  [ "$rc" -eq "$want_rc" ] || fail "expected exit $want_rc from: $* (got $rc)"
  python3 - "$tmp/err" "$code" "$fragment" <<'PY' || fail "expected a JSON error $code from: $*: $(cat "$tmp/err")"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert len(lines) == 1, lines
e = json.loads(lines[0])["error"]
assert e.get("code", "") == sys.argv[2], e
assert sys.argv[3] in e["message"], e
PY
}
json_error 1 NotFound "no instance nope" "$covenant" status nope --db "$db" --format json
json_error 1 NotFound "no workflow named 'nothere'" "$covenant" start nothere --db "$db" --format json
echo '{"broken":' >"$tmp/broken.json"
json_error 1 "" "broken.json:2:1: not valid JSON" "$covenant" start hello --db "$db" --input "$tmp/broken.json" --format json
json_error 2 Usage "--no-such" "$covenant" status x --db "$db" --format json --no-such
json_error 2 Usage "--no-such" "$covenant" status x --no-such --format=json
json_error 1 "" "no activity named 'nope'" "$covenant" activities nope --format json
# instances list (alias search): filters, pages with a cursor, JSON.
ldb="$tmp/list.db"
"$covenant" deploy "$tmp/hello.yaml" --db "$ldb" >/dev/null
for k in L-1 L-2 L-3; do "$covenant" start hello --db "$ldb" --business-key "$k" >/dev/null; done
done_id=$("$covenant" instances list --db "$ldb" --business-key L-2 --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
"$covenant" signal "$done_id" provisioning.confirmed --db "$ldb" >/dev/null
[ "$("$covenant" instances list --db "$ldb" | wc -l)" -eq 3 ] || fail "instances list: all three"
[ "$("$covenant" instances search --db "$ldb" --status running | wc -l)" -eq 2 ] || fail "instances search --status"
"$covenant" instances list --db "$ldb" --status completed | grep -q "^$done_id  hello  completed  L-2" || fail "instances list --status completed"
[ "$("$covenant" instances list --db "$ldb" --workflow nothere | wc -l)" -eq 0 ] || fail "instances list --workflow"
[ "$("$covenant" instances list --db "$ldb" --idle-for 1d | wc -l)" -eq 0 ] || fail "instances list --idle-for"
page=$("$covenant" instances list --db "$ldb" --limit 2)
[ "$(grep -c '  hello  ' <<<"$page")" -eq 2 ] && grep -q "^next: --cursor " <<<"$page" || fail "instances list page: $page"
cursor=$(sed -n 's/^next: --cursor //p' <<<"$page")
rest=$("$covenant" instances list --db "$ldb" --limit 2 --cursor "$cursor")
[ "$(grep -c '  hello  ' <<<"$rest")" -eq 1 ] && ! grep -q "^next:" <<<"$rest" || fail "instances list next page: $rest"
set +e; "$covenant" instances list --db "$ldb" --cursor zz >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 2 ] || fail "instances list with a foreign cursor must exit 2, got $rc"
set +e; "$covenant" instances list --db "$ldb" --status sleeping >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 2 ] || fail "instances list with an unknown status must exit 2, got $rc"
# A business key names one running instance of a workflow: a second start under it is refused
# (exit 1, naming the instance holding it) unless asked for; the key is free once it ends.
kdb="$tmp/keys.db"
"$covenant" deploy "$tmp/hello.yaml" --db "$kdb" >/dev/null
id3=$("$covenant" start hello --db "$kdb" --business-key C-2)
expect_error "instance $id3 of hello is running under business key 'C-2'" "$covenant" start hello --db "$kdb" --business-key C-2
id4=$("$covenant" start hello --db "$kdb" --business-key C-2 --allow-duplicate-business-key)
[ -n "$id4" ] && [ "$id4" != "$id3" ] || fail "a duplicate asked for was not started"
"$covenant" cancel "$id3" --db "$kdb" >/dev/null
"$covenant" cancel "$id4" --db "$kdb" >/dev/null
"$covenant" start hello --db "$kdb" --business-key C-2 >/dev/null || fail "the key was not freed"
# replay (docs/operations.md): the recorded histories against a new definition, from the database
# or from exported files; exit 0 when all replay, 1 at the first divergence (named), 2 on usage.
"$covenant" replay --db "$ldb" --definition "$tmp/hello.yaml" >"$tmp/replay" || { cat "$tmp/replay"; fail "replay of the same definition"; }
grep -q "replayed 3 histories against .*: 0 diverge" "$tmp/replay" || fail "replay summary: $(cat "$tmp/replay")"
sed 's/output: .confirmation, next: done/output: .confirmed, next: done/' "$tmp/hello.yaml" >"$tmp/hello2.yaml"
sed 's/event: provisioning.confirmed/event: provisioned/' "$tmp/hello.yaml" >"$tmp/hello3.yaml"
"$covenant" replay --db "$ldb" --definition "$tmp/hello2.yaml" --status running >/dev/null || fail "an output rename diverges only where the event arrived"
set +e; "$covenant" replay --db "$ldb" --definition "$tmp/hello2.yaml" >"$tmp/replay"; rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "DIVERGES  $done_id  at event 5" "$tmp/replay" || { cat "$tmp/replay"; fail "a divergence must exit 1 naming the instance and event"; }
set +e; "$covenant" replay --db "$ldb" --definition "$tmp/hello3.yaml" --format json >"$tmp/replay.json"; rc=$?; set -e
[ "$rc" -eq 1 ] || fail "replay --format json of a divergence must exit 1"
python3 - "$tmp/replay.json" "$done_id" <<'PY' || fail "replay json"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["replayed"] == 3 and r["diverged"] == 3, r
by_id = {x["instance"]: x for x in r["results"]}
d = by_id[sys.argv[2]]["divergence"]
assert d["seq"] == 3 and "not waiting for event 'provisioning.confirmed'" in d["reason"], d
for other, x in by_id.items():  # the running ones recorded nothing different, but would wait forever
    if other != sys.argv[2]:
        assert x["divergence"]["seq"] == 3 and "provisioned" in x["divergence"]["reason"], x
PY
"$covenant" history "$done_id" --db "$ldb" --format json >"$tmp/exported.json"
"$covenant" replay --definition "$tmp/hello.yaml" --history "$tmp/exported.json" | grep -q "^ok        $done_id  5 events" || fail "replay of an exported history"
set +e; "$covenant" replay --definition "$tmp/hello2.yaml" --history "$tmp/exported.json" >/dev/null; rc=$?; set -e
[ "$rc" -eq 1 ] || fail "replay of an exported history that diverges must exit 1"
echo '[{"seq": 1}]' >"$tmp/notevents.json"
expect_error "needs instance, seq, type" "$covenant" replay --definition "$tmp/hello.yaml" --history "$tmp/notevents.json"
expect_error "invalid definition" "$covenant" replay --db "$ldb" --definition tests/cases/validate/unknown-field-typo.yaml
set +e; "$covenant" replay --db "$ldb" >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 2 ] || fail "replay without --definition is a usage error (2), got $rc"
# migrate (docs/operations.md): a state map checked before anything moves; a dry run lists who
# would move and changes nothing; the move is recorded; a map missing a state is refused whole.
mdb="$tmp/migrate.db"
"$covenant" deploy "$tmp/hello.yaml" --db "$mdb" >/dev/null
m1=$("$covenant" start hello --db "$mdb" --business-key M-1)
sed 's/hold/await/g' "$tmp/hello.yaml" >"$tmp/hello-v2.yaml"
"$covenant" deploy "$tmp/hello-v2.yaml" --db "$mdb" | grep -q "version 2" || fail "deploy v2"
cat >"$tmp/map.yaml" <<'YAML'
apiVersion: covenant/v1
kind: Migration
workflow: hello
from: 1
to: 2
states: { hold: await }
YAML
"$covenant" migrate --db "$mdb" --map "$tmp/map.yaml" --reason "rename" --dry-run >"$tmp/out" || { cat "$tmp/out"; fail "migrate --dry-run"; }
grep -q "would move   $m1  hold → await" "$tmp/out" || fail "dry run did not list the move: $(cat "$tmp/out")"
"$covenant" status "$m1" --db "$mdb" | grep -q "at hold" || fail "a dry run moved the instance"
sed 's/{ hold: await }/{ other: await }/' "$tmp/map.yaml" >"$tmp/badmap.yaml"
expect_error "state 'hold' (wait) has no mapping" "$covenant" migrate --db "$mdb" --map "$tmp/badmap.yaml" --reason x
"$covenant" migrate --db "$mdb" --map "$tmp/map.yaml" --reason "rename" --as ops | grep -q "moved 1, cannot move 0" || fail "migrate"
"$covenant" status "$m1" --db "$mdb" | grep -q "at await" || fail "not moved"
"$covenant" history "$m1" --db "$mdb" | grep -q "InstanceMigrated" || fail "the move is not in the history"
"$covenant" signal "$m1" provisioning.confirmed --db "$mdb" >/dev/null || fail "the moved instance does not go on"
set +e; "$covenant" migrate --db "$mdb" --map "$tmp/map.yaml" >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 2 ] || fail "migrate without --reason is a usage error (2), got $rc"
# bulk: a query, a required reason, a dry run that changes nothing; each instance recorded.
bdb="$tmp/bulk.db"
"$covenant" deploy "$tmp/hello.yaml" --db "$bdb" >/dev/null
for k in B-1 B-2 B-3; do "$covenant" start hello --db "$bdb" --business-key "$k" >/dev/null; done
"$covenant" bulk cancel --db "$bdb" --workflow hello --reason "contract void" --dry-run | grep -q "would cancel 3 instances (dry run" || fail "bulk cancel --dry-run"
[ "$("$covenant" instances list --db "$bdb" --status running | wc -l)" -eq 3 ] || fail "a dry run cancelled"
set +e; "$covenant" bulk cancel --db "$bdb" --reason x >/dev/null 2>"$tmp/err"; rc=$?; set -e
[ "$rc" -eq 2 ] && grep -q "needs a query" "$tmp/err" || fail "bulk without a query is a usage error (2), got $rc"
"$covenant" bulk signal provisioning.confirmed --db "$bdb" --business-key B-1 --reason "confirmed by phone" --as ops >/dev/null || fail "bulk signal"
"$covenant" bulk cancel --db "$bdb" --workflow hello --reason "contract void" --as ops | grep -q "cancel: 2 instances, 0 refused" || fail "bulk cancel"
[ "$("$covenant" instances list --db "$bdb" --status cancelled | wc -l)" -eq 2 ] || fail "bulk cancel did not cancel two"
b2=$("$covenant" instances list --db "$bdb" --business-key B-2 --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
"$covenant" history "$b2" --db "$bdb" --format json | grep -q '"reason": "contract void"' || fail "the reason is not recorded"
expect_error "is cancelled: only a failed step runs again" "$covenant" retry "$b2" --db "$bdb" --reason "try again"
"$covenant" bulk retry --db "$bdb" --workflow hello --reason x --dry-run | grep -q "would retry 0 instances" || fail "bulk retry finds failed instances only"
set +e; "$covenant" bulk cancel --db "$bdb" --workflow hello >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 2 ] || fail "bulk without --reason is a usage error (2), got $rc"
echo '{"broken":' >"$tmp/bad.json"
before=$("$covenant" history "$id" --db "$db" | tail -n 1)
expect_error "no workflow named 'nothere'" "$covenant" start nothere --db "$db"
expect_error "bad.json:2:1: not valid JSON" "$covenant" start hello --db "$db" --input "$tmp/bad.json"
echo '[1, 2]' >"$tmp/array.json"
expect_error "the input must be a JSON object" "$covenant" start hello --db "$db" --input "$tmp/array.json"
expect_error "no instance nope" "$covenant" status nope --db "$db"
expect_error "cannot open the database" "$covenant" status x --db "sqlite:$tmp/no/such/dir/x.db"
expect_error "unsupported database scheme" "$covenant" status x --db "mysql://h/db"
[ "$("$covenant" history "$id" --db "$db" | tail -n 1)" = "$before" ] || fail "bad input changed history"
# A mistyped path is refused by worker and serve (not served empty), a damaged file is named
# as such, and hostile JSON files are refused where they are read (issue 16).
expect_error "there is no database file at $tmp/covenent.db" "$covenant" worker --once --db "sqlite:$tmp/covenent.db"
[ ! -e "$tmp/covenent.db" ] || fail "a refused worker created the database file"
expect_error "there is no database file" "$covenant" serve --db "sqlite:$tmp/covenent.db" --port 0
head -c 8192 /dev/zero | tr '\0' 'x' >"$tmp/damaged.db"
expect_error "is damaged or is not a SQLite database.*\[Corrupted\]" "$covenant" status x --db "sqlite:$tmp/damaged.db"
python3 -c "print('{\"a\":' + '['*300 + ']'*300 + '}')" >"$tmp/deep.json"
expect_error "nested more than 64 levels deep" "$covenant" start hello --db "$db" --input "$tmp/deep.json"
echo '{"a": 1e400}' >"$tmp/huge.json"
expect_error "a number is out of range" "$covenant" start hello --db "$db" --input "$tmp/huge.json"
[ "$("$covenant" worker --once --db "$db")" = "timers 0, tasks 0, errors 0" ] || fail "worker --once"
[ "$("$covenant" doctor --db "$db")" = "no stranded instances" ] || fail "doctor on a healthy database"
[ "$("$covenant" doctor --db "$db" --format json)" = '{"stranded":[]}' ] || fail "doctor json"
[ "$("$covenant" worker --once --db "$db" --format json)" = '{"errors":0,"tasks":0,"timers":0}' ] || fail "worker json"

# Principals (docs/principals.md): the token is printed once and never listed.
token=$("$covenant" principals add bob --roles finance,revops --db "$db" | head -n 1)
[[ "$token" =~ ^cov_[0-9a-f]{64}$ ]] || fail "principals add printed '$token'"
"$covenant" principals list --db "$db" | grep -q "^bob  finance,revops$" || fail "principals list"
! "$covenant" principals list --db "$db" --format json | grep -q "$token" || fail "token listed"
expect_error "a principal named 'bob' exists" "$covenant" principals add bob --roles admin --db "$db"
# A service identity (docs/principals.md#service-identities): scopes, listed as such.
"$covenant" principals add crm-bot --service --roles service --scopes instances:write,instances:read --db "$db" | head -n 1 | grep -Eq "^cov_[0-9a-f]{64}$" || fail "principals add --service"
"$covenant" principals list --db "$db" | grep -q '^crm-bot  service  (service: \["instances:write","instances:read"\])$' || fail "a service listed with its scopes"
expect_error "not a scope: 'payroll:read'" "$covenant" principals add pay-bot --service --roles service --scopes payroll:read --db "$db"
expect_error "needs at least one scope" "$covenant" principals add pay-bot --service --roles service --db "$db"
set +e; "$covenant" principals add pay-bot --roles service --scopes instances:read --db "$db" >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 2 ] || fail "--scopes without --service must be a usage error, got $rc"
# Token expiry and rotation (docs/principals.md): the new token is printed once, the list says
# how many work and when the first stops; a bad duration is a usage error.
"$covenant" principals add expiring-bot --roles service --expires 90d --db "$db" --format json \
  | python3 -c 'import json,sys; o=json.load(sys.stdin); assert o["expires_in_seconds"] == 90*86400, o' \
  || fail "principals add --expires"
rotated=$("$covenant" principals rotate expiring-bot --overlap 1h --expires 30d --db "$db" | head -n 1)
[[ "$rotated" =~ ^cov_[0-9a-f]{64}$ ]] || fail "principals rotate printed '$rotated'"
"$covenant" principals list --db "$db" --format json | python3 -c '
import json, sys
bot = [p for p in json.load(sys.stdin) if p["name"] == "expiring-bot"][0]
assert bot["tokens"] == 2 and bot["next_expiry"].endswith("Z"), bot' || fail "principals list after a rotation"
set +e; "$covenant" principals rotate expiring-bot --overlap soon --db "$db" 2>/dev/null; rc=$?; set -e
[ "$rc" -eq 2 ] || fail "a bad --overlap must exit 2, not $rc"
expect_error "no principal named 'ghost'" "$covenant" principals rotate ghost --db "$db"
"$covenant" principals revoke bob --db "$db" | grep -q "revoked bob" || fail "revoke"
expect_error "no principal named 'nobody'" "$covenant" principals revoke nobody --db "$db"

# Namespaces (docs/tenancy.md): each command acts in the one --namespace names; the same
# workflow, key and principal names in two namespaces are unrelated; names of principals are
# unique across them.
ndb="$tmp/tenants.db"
"$covenant" deploy "$tmp/hello.yaml" --db "$ndb" --namespace acme | grep -q "deployed hello version 1" || fail "deploy in acme"
"$covenant" deploy "$tmp/hello.yaml" --db "$ndb" --namespace globex | grep -q "deployed hello version 1" || fail "deploy in globex"
acme_id=$("$covenant" start hello --db "$ndb" --namespace acme --business-key T-1 --idempotency-key same)
globex_id=$("$covenant" start hello --db "$ndb" --namespace globex --business-key T-1 --idempotency-key same)
[ -n "$acme_id" ] && [ "$acme_id" != "$globex_id" ] || fail "the same start key in two namespaces gave one instance"
[ "$("$covenant" instances list --db "$ndb" --namespace acme | wc -l)" -eq 1 ] || fail "instances list --namespace acme"
[ "$("$covenant" instances list --db "$ndb" | wc -l)" -eq 0 ] || fail "the default namespace holds nothing"
expect_error "no workflow named 'hello'" "$covenant" start hello --db "$ndb"
expect_error "no instance $globex_id" "$covenant" status "$globex_id" --db "$ndb" --namespace acme
expect_error "no instance $globex_id" "$covenant" cancel "$globex_id" --db "$ndb" --namespace acme --reason crossing
"$covenant" status "$globex_id" --db "$ndb" --namespace globex | grep -q "running" || fail "globex's instance moved"
"$covenant" principals add acme-finance --roles finance --db "$ndb" --namespace acme >/dev/null
expect_error "a principal named 'acme-finance' exists" "$covenant" principals add acme-finance --roles finance --db "$ndb" --namespace globex
[ "$("$covenant" principals list --db "$ndb" --namespace globex | wc -l)" -eq 0 ] || fail "principals list --namespace globex"
expect_error "no principal named 'acme-finance'" "$covenant" principals revoke acme-finance --db "$ndb" --namespace globex
set +e; "$covenant" instances list --db "$ndb" --namespace Not_One >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 2 ] || fail "a bad --namespace must exit 2, not $rc"

# serve (docs/http-api.md, docs/configuration.md): answers on loopback, serves the inbox,
# refuses a secret written into its config, never logs a webhook secret, and stops cleanly
# on SIGTERM.
cat >"$tmp/bad.yaml" <<'YAML'
webhooks:
  - name: bot
    url: http://127.0.0.1:9/hooks
    secret: hunter2
YAML
expect_error "bad.yaml:4:5: secrets do not belong in the config file" "$covenant" serve --config "$tmp/bad.yaml" --db "$db"
cat >"$tmp/good.yaml" <<'YAML'
server: { port: 0 }
adapters:
  billing: { system: stripe, base_url: "http://127.0.0.1:9", secret_env: CLI_TEST_STRIPE_KEY }
webhooks:
  - name: bot
    url: http://127.0.0.1:9/hooks
    secret_env: CLI_TEST_WEBHOOK_SECRET
YAML
expect_error "log level 'loud' is not one of" env COVENANT_LOG_LEVEL=loud "$covenant" serve --config "$tmp/good.yaml" --db "$db"
# Logs (docs/operations.md#logs): JSON lines, a start line naming the URL, an access line per
# request with its request id and principal, and no secret anywhere.
CLI_TEST_STRIPE_KEY=sk_test_never_logged CLI_TEST_WEBHOOK_SECRET=whsec_never_logged "$covenant" serve --config "$tmp/good.yaml" --db "$db" --log-format json 2>"$tmp/serve.log" &
serve_pid=$!
for _ in $(seq 1 100); do grep -q '"msg":"serving http://' "$tmp/serve.log" && break; sleep 0.1; done
url=$(sed -n 's/.*"msg":"serving \(http:[^"]*\)".*/\1/p' "$tmp/serve.log")
[ -n "$url" ] || fail "serve did not start: $(cat "$tmp/serve.log")"
python3 - "$url" "$("$covenant" principals add log-reader --roles auditor --db "$db" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')" <<'PY' || fail "serve answers"
import json, sys, urllib.request, urllib.error
base, token = sys.argv[1], sys.argv[2]
assert json.load(urllib.request.urlopen(base + "/healthz")) == {"status": "ok"}
page = urllib.request.urlopen(base + "/ui/inbox.html").read().decode()
assert "Covenant approvals" in page
try:
    urllib.request.urlopen(base + "/v1/definitions")
    raise SystemExit("no token must be refused")
except urllib.error.HTTPError as e:
    assert e.code == 401 and e.headers["Content-Type"] == "application/problem+json"
try:
    urllib.request.urlopen(urllib.request.Request(base + "/v1/instances/inst_nope",
                                                  headers={"Authorization": "Bearer " + token}))
    raise SystemExit("an unknown instance must be 404")
except urllib.error.HTTPError as e:
    assert e.code == 404
PY
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "serve exited with $? on SIGTERM"
python3 - "$tmp/serve.log" <<'PY' || fail "serve's log lines: $(cat "$tmp/serve.log")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for l in lines:
    assert {"ts", "level", "component", "msg"} <= l.keys(), l
    assert l["ts"].endswith("Z"), l
access = [l for l in lines if l["component"] == "access"]
assert {a["path"] for a in access} >= {"/healthz", "/v1/definitions", "/v1/instances/inst_nope"}, access
for a in access:
    assert a["request_id"].startswith("req_") and a["status"].isdigit(), a
missing = [a for a in access if a["path"] == "/v1/instances/inst_nope"][0]
assert missing["status"] == "404" and missing["principal"] == "log-reader", missing
assert missing["instance"] == "inst_nope", missing
assert any(l["component"] == "serve" and l["msg"] == "stopped" for l in lines), "did not drain"
PY
! grep -q "whsec_never_logged" "$tmp/serve.log" || fail "the webhook secret was logged"
! grep -q "sk_test_never_logged" "$tmp/serve.log" || fail "the billing key was logged"

# sandbox (docs/adapters.md): Stripe's shapes with its own database; the admin API shows
# what it holds; SIGTERM stops it.
"$covenant" sandbox --port 0 --db "sqlite:$tmp/sandbox.db" 2>"$tmp/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 1 100); do grep -q "covenant sandbox: http://" "$tmp/sandbox.log" && break; sleep 0.1; done
sandbox_url=$(sed -n 's/^covenant sandbox: \(http:[^ ]*\) on .*/\1/p' "$tmp/sandbox.log")
[ -n "$sandbox_url" ] || fail "sandbox did not start: $(cat "$tmp/sandbox.log")"
python3 - "$sandbox_url" <<'PY' || fail "sandbox answers"
import json, sys, urllib.request, urllib.error
base = sys.argv[1]
req = urllib.request.Request(base + "/v1/customers", data=b"name=Acme&metadata[external_id]=A-1",
                             headers={"Authorization": "Bearer sk_test_cli", "Idempotency-Key": "k1"})
first = json.load(urllib.request.urlopen(req))
again = json.load(urllib.request.urlopen(req))
assert first["id"] == again["id"] and first["id"].startswith("cus_"), (first, again)
held = json.load(urllib.request.urlopen(base + "/_sandbox/records?system=stripe&kind=customer"))
assert len(held["items"]) == 1 and held["items"][0]["external_id"] == "A-1", held
try:
    urllib.request.urlopen(urllib.request.Request(base + "/v1/customers", data=b"name=X"))
    raise SystemExit("no key must be refused")
except urllib.error.HTTPError as e:
    assert e.code == 401 and "error" in json.load(e)
PY
kill -TERM "$sandbox_pid"
wait "$sandbox_pid" || fail "sandbox exited with $? on SIGTERM"

# extract (docs/extraction.md): terms with evidence; FILE or --eval, not both or neither.
printf 'This Agreement shall be governed by the laws of the State of Texas.\n' >"$tmp/contract.txt"
"$covenant" extract "$tmp/contract.txt" | grep -q '^governing_law: {"country":"United States","jurisdiction":"Texas"}' || fail "extract"
"$covenant" extract "$tmp/contract.txt" --format json | python3 -c 'import json,sys; t=json.load(sys.stdin); assert t["governing_law"]["evidence"]["text"].startswith("This Agreement")' || fail "extract json"
set +e; "$covenant" extract >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 2 ] || fail "extract without FILE or --eval must exit 2, got $rc"

# extract reads PDFs as ingest does; a damaged one is refused with the reason.
"$covenant" extract examples/contracts/C-1042-acme.pdf --format json | python3 -c 'import json,sys; t=json.load(sys.stdin); assert t["payment_terms"]["value"]["net_days"] == 30' || fail "extract pdf"
head -c 900 examples/contracts/C-1042-acme.pdf >"$tmp/cut.pdf"
set +e; msg=$("$covenant" extract "$tmp/cut.pdf" 2>&1); rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "not a readable PDF" <<<"$msg" || fail "a damaged PDF must be refused with the reason, got $rc: $msg"

# compute (docs/contract-to-cash.md): computing activities only; bad input says why.
printf '{"terms": {"effective_date": "2027-01-01", "expiration_date": "2028-01-01"}, "products": {"currency": "USD", "lines": [{"kind": "recurring", "amount_minor": 1200000, "term_months": 12}]}}' >"$tmp/plan.json"
"$covenant" compute bill.plan --input "$tmp/plan.json" | python3 -c 'import json,sys; p=json.load(sys.stdin); assert p["total"]["amount_minor"] == 1200000' || fail "compute bill.plan"
set +e; msg=$("$covenant" compute billing.create_invoice --input "$tmp/plan.json" 2>&1); rc=$?; set -e
[ "$rc" -eq 2 ] && grep -q "not a computing activity" <<<"$msg" || fail "compute must refuse a writing activity, got $rc"
printf '{"terms": {}}' >"$tmp/bad.json"
set +e; msg=$("$covenant" compute bill.plan --input "$tmp/bad.json" 2>&1); rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "InvalidInput: bill.plan: terms.effective_date is missing" <<<"$msg" || fail "compute bad input: $rc $msg"

# audit (docs/audit.md): verify, export, checkpoints; a row edited behind the triggers' back.
"$covenant" audit verify --db "$db" | grep -q "^intact: 2 instances" || fail "audit verify intact"
"$covenant" audit export --db "$db" --from 2020-01-01 --to 2100-01-01 -o "$tmp/audit.csv" 2>/dev/null
head -1 "$tmp/audit.csv" | grep -q "^event_time,instance,contract,workflow,seq,event_type,actor" || fail "audit export header"
grep -q ",C-1,hello,1,WorkflowStarted," "$tmp/audit.csv" || fail "audit export rows"
"$covenant" audit export --db "$db" --from 2020-01-01 --to 2100-01-01 --format jsonl --type WorkflowStarted 2>/dev/null |
  python3 -c 'import json,sys; rows=[json.loads(l) for l in sys.stdin]; assert len(rows) == 2 and rows[0]["seq"] == 1, rows' || fail "audit export jsonl"
set +e; "$covenant" audit export --db "$db" --from 2021-01-01 --to 2020-01-01 >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 2 ] || fail "audit export with --to before --from must exit 2, got $rc"
"$covenant" audit events --db "$db" --contract C-1 --limit 2 | grep -q "^next: --cursor " || fail "audit events paging"
cursor=$("$covenant" audit events --db "$db" --contract C-1 --limit 2 --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
"$covenant" audit events --db "$db" --contract C-1 --limit 2 --cursor "$cursor" | grep -q "C-1  #3  " || fail "audit events next page"
set +e; "$covenant" audit events --db "$db" --cursor zz >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 2 ] || fail "audit events with a foreign cursor must exit 2, got $rc"
"$covenant" audit keygen --private "$tmp/audit.key" --public "$tmp/audit.pub" >/dev/null
[ "$(stat -c %a "$tmp/audit.key")" = 600 ] || fail "the private key must be mode 600"
"$covenant" audit checkpoint --db "$db" --key "$tmp/audit.key" --day 2020-01-01 | grep -q "^checkpoint 2020-01-01" || fail "audit checkpoint"
"$covenant" audit checkpoints --db "$db" -o "$tmp/checkpoints.jsonl"
"$covenant" audit verify --db "$db" --checkpoints "$tmp/checkpoints.jsonl" --public-key "$tmp/audit.pub" >/dev/null || fail "verify with checkpoints"
# The namespace's checkpoint key: another key is refused until rotated to; the rotation is in
# the namespace's log; verifying across it takes both public keys.
"$covenant" audit keygen --private "$tmp/audit2.key" --public "$tmp/audit2.pub" >/dev/null
set +e; msg=$("$covenant" audit checkpoint --db "$db" --key "$tmp/audit2.key" --day 2020-01-02 2>&1); rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "is not namespace 'default's checkpoint key" <<<"$msg" || fail "a checkpoint with another key must be refused: $rc $msg"
"$covenant" audit keys rotate --db "$db" --key "$tmp/audit2.key" --overlap 1h | grep -q "is namespace 'default's current key; .* counts until " || fail "audit keys rotate"
"$covenant" audit keys list --db "$db" --format json |
  python3 -c 'import json,sys; k=[x for x in json.load(sys.stdin) if x["purpose"] == "checkpoint"]; assert [x["current"] for x in k] == [False, True], k' || fail "audit keys list"
"$covenant" audit namespace-log --db "$db" --format json |
  python3 -c 'import json,sys; e=[x for x in json.load(sys.stdin) if x["detail"]["purpose"] == "checkpoint"]; assert [x["kind"] for x in e] == ["key.added", "key.rotated"] and e[1]["actor"].startswith("cli:"), e' || fail "audit namespace-log"
"$covenant" audit namespace-log --db "$db" --namespace acme | grep -q . && fail "acme's log must be empty"
"$covenant" audit checkpoint --db "$db" --key "$tmp/audit2.key" --day 2020-01-02 | grep -q "^checkpoint 2020-01-02" || fail "audit checkpoint with the new key"
"$covenant" audit checkpoints --db "$db" -o "$tmp/checkpoints.jsonl"
set +e; out=$("$covenant" audit verify --db "$db" --checkpoints "$tmp/checkpoints.jsonl" --public-key "$tmp/audit2.pub"); rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "CHECKPOINT 2020-01-01: the signature does not verify with a trusted key" <<<"$out" || fail "the old day needs the old key: $rc $out"
"$covenant" audit verify --db "$db" --checkpoints "$tmp/checkpoints.jsonl" --public-key "$tmp/audit.pub" --public-key "$tmp/audit2.pub" >/dev/null || fail "verify across a rotation"
set +e; msg=$("$covenant" audit keys rotate --db "$db" --key "$tmp/audit.key" 2>&1); rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "a retired key does not come back" <<<"$msg" || fail "a retired key must not come back: $rc $msg"
"$covenant" audit bundle "$id" --db "$db" --key "$tmp/audit.key" -o "$tmp/bundle.json" | grep -q "events" || fail "audit bundle"
"$covenant" audit verify-bundle "$tmp/bundle.json" --public-key "$tmp/audit.pub" | grep -q "^bundle verified: 5 events" || fail "verify-bundle"
python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); b["events"][1]["state"]="forged"; json.dump(b, open(sys.argv[2], "w"))' "$tmp/bundle.json" "$tmp/forged.json"
set +e; out=$("$covenant" audit verify-bundle "$tmp/forged.json" --public-key "$tmp/audit.pub"); rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "event 2: its content does not match its hash" <<<"$out" || fail "verify-bundle must catch an edited event: $rc $out"
printf 'not json\n' >"$tmp/junk.json"
set +e; msg=$("$covenant" audit verify-bundle "$tmp/junk.json" 2>&1); rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "is not JSON" <<<"$msg" || fail "verify-bundle of a non-JSON file: $rc $msg"
printf '{"day": "2020-01-01"}\n' >"$tmp/bad-checkpoints.jsonl"
set +e; msg=$("$covenant" audit verify --db "$db" --checkpoints "$tmp/bad-checkpoints.jsonl" --public-key "$tmp/audit.pub" 2>&1); rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "bad-checkpoints.jsonl:1: a checkpoint needs 'document'" <<<"$msg" || fail "a bad checkpoint line must be located: $rc $msg"
# Namespaces (docs/tenancy.md): a quota, the month's usage from the records, every namespace's counts.
"$covenant" namespaces quota --db "$db" --namespace acme --running-instances 5 | grep -q "^acme: running instances 5, document bytes no limit$" || fail "namespaces quota"
"$covenant" namespaces usage --db "$db" --format json |
  python3 -c 'import json,sys; u=json.load(sys.stdin); assert u["namespace"] == "default" and u["instances_started"] >= 2 and u["transitions"] >= u["instances_started"], u' || fail "namespaces usage"
"$covenant" namespaces list --db "$db" --format json |
  python3 -c 'import json,sys; n={x["namespace"]: x for x in json.load(sys.stdin)}; assert "default" in n and "C-1" not in json.dumps(n), n' || fail "namespaces list"
expect_error "a month is YYYY-MM" "$covenant" namespaces usage --db "$db" --month 2027-1
"$covenant" audit namespace-log --db "$db" --namespace acme --format json | python3 -c 'import json,sys; e=json.load(sys.stdin); assert e[-1]["kind"] == "quota.set", e' || fail "quota.set in the log"
# A history row holds one transition's events as [type, frame, state, payload, hash] lists;
# forge the state of event 3 inside the row that holds it (the row keyed by its last event).
sqlite3 "${db#sqlite:}" "DROP TRIGGER history_refuses_update;"
python3 - "${db#sqlite:}" "$id" <<'PY'
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
seq, events = con.execute("SELECT seq, events FROM history WHERE instance_id = ? AND seq >= 3 "
                          "ORDER BY seq LIMIT 1", (sys.argv[2],)).fetchone()
rows = json.loads(events)
rows[len(rows) - 1 - (seq - 3)][2] = "forged"
con.execute("UPDATE history SET events = ? WHERE instance_id = ? AND seq = ?",
            (json.dumps(rows), sys.argv[2], seq))
con.commit()
PY
set +e; out=$("$covenant" audit verify --db "$db"); rc=$?; set -e
[ "$rc" -eq 1 ] || fail "audit verify of a tampered database must exit 1, got $rc"
grep -q "BROKEN instance $id (contract C-1) at event 3: its content does not match its hash" <<<"$out" || fail "audit verify names the break: $out"

# activities lists financial operations with a $.
# (read whole first: grep -q leaves early, and under pipefail the writer's SIGPIPE would fail it)
listing=$("$covenant" activities)
grep -q '^\$ billing.create_invoice' <<<"$listing" || fail "activities listing"
# compute: a result, or a refusal naming the field (exit 1) — never an internal error.
printf '{"terms":{"effective_date":"2027-01-01","expiration_date":"2027-01-16","billing_frequency":{"every":"quarter"}},"products":{"currency":"USD","lines":[{"kind":"recurring","amount_minor":12000,"term_months":12}]}}' >"$tmp/plan.json"
"$covenant" compute bill.plan --input "$tmp/plan.json" | grep -q '"amount_minor": 484' || fail "compute bill.plan"
printf '{"terms":{"effective_date":"2027-01-01","expiration_date":"2028-01-01"},"products":{"currency":"USD","lines":[{"kind":"recurring","amount_minor":100,"term_months":null}]}}' >"$tmp/null.json"
expect_error "products.lines\[0\].term_months must be a whole number from 1 to 1200, not missing" "$covenant" compute bill.plan --input "$tmp/null.json"
python3 -c "print('{\"terms\":' + '[' * 100000 + ']' * 100000 + '}')" >"$tmp/deep.json"
expect_error "nested more than 64 levels deep" "$covenant" compute bill.plan --input "$tmp/deep.json"
for activity in bill.plan revenue.schedule resolve.products provision.entitlements; do
  for input in '[]' '{}' '{"plan":1,"products":{"lines":[1]}}' '{"quote":{"lines":[{"net_price":{"amount_minor":1,"currency":7}}]}}'; do
    set +e; "$covenant" compute "$activity" --input - <<<"$input" >/dev/null 2>&1; rc=$?; set -e
    [ "$rc" -eq 1 ] || fail "compute $activity on $input: expected exit 1, got $rc"
  done
done

echo "cli: all checks passed"
