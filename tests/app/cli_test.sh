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

# Usage errors exit 2 (CLI11) and a missing file is refused before any work.
set +e
"$covenant" validate /nonexistent.yaml >/dev/null 2>&1; rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a missing file must not validate"

# graph: SVG and DOT files, and an invalid definition is not drawn.
"$covenant" graph definitions/contract-to-cash.yaml --format svg -o "$tmp/c2c.svg"
grep -q "<svg" "$tmp/c2c.svg" || fail "no SVG written"
for s in ingest extract finance_approval subscribe milestone_invoice post_revenue monitor done rejected; do
  grep -q "<title>$s</title>" "$tmp/c2c.svg" || fail "state $s missing from the SVG"
done
"$covenant" graph definitions/contract-to-cash.yaml --format dot >"$tmp/c2c.dot"
grep -q 'digraph "contract-to-cash"' "$tmp/c2c.dot" || fail "no DOT on stdout"
set +e
"$covenant" graph tests/cases/validate/unknown-field-typo.yaml -o "$tmp/bad.svg" 2>/dev/null; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "graph of an invalid definition: expected exit 1, got $rc"
[ ! -e "$tmp/bad.svg" ] || fail "an invalid definition was drawn"

# activities lists financial operations with a $.
"$covenant" activities | grep -q '^\$ billing.create_invoice' || fail "activities listing"
echo "cli: all checks passed"
