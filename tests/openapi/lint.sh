#!/usr/bin/env bash
# docs/openapi.yaml through Redocly's validator (tests/openapi/redocly.yaml: the recommended rules,
# an operationId on every operation). Fails when the validator is not installed (run
# scripts/setup-deps), and checks that it can fail: the same document with one operationId
# taken out must be refused.
set -euo pipefail
root=$1
here="$root/tests/openapi"
redocly="$here/node_modules/.bin/redocly"
[ -x "$redocly" ] || { echo "FAIL: Redocly CLI is not installed in tests/openapi: run scripts/setup-deps" >&2; exit 1; }
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
"$redocly" lint "$root/docs/openapi.yaml" --config "$here/redocly.yaml" --format=stylish
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN{done=0} /operationId:/ && !done {done=1; next} {print}' "$root/docs/openapi.yaml" >"$tmp/openapi.yaml"
if "$redocly" lint "$tmp/openapi.yaml" --config "$here/redocly.yaml" >"$tmp/out" 2>&1; then
  echo "FAIL: an operation without an operationId passed the validator" >&2
  exit 1
fi
grep -q "operation-operationId" "$tmp/out" || { cat "$tmp/out" >&2; echo "FAIL: not refused for its missing operationId" >&2; exit 1; }
echo "openapi: valid (Redocly), and a missing operationId is refused"
