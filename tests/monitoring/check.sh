#!/usr/bin/env bash
# The shipped monitoring (docs/monitoring): the alert rules pass `promtool check rules` and
# their unit tests (`promtool test rules`); every query of the Grafana dashboard is valid
# PromQL (promtool checks each as a recording rule) and every panel is well formed.
# The metric names they use are checked against a served /metrics in api_approvals_test.
set -euo pipefail
root=${1:?usage: check.sh REPOSITORY-ROOT}
dir="$root/docs/monitoring"
command -v promtool >/dev/null || { echo "promtool is missing: run scripts/setup-deps" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
promtool check rules "$dir/covenant-alerts.yaml"
(cd "$dir" && promtool test rules covenant-alerts.test.yaml)
python3 - "$dir/grafana-dashboard.json" "$tmp/dashboard-rules.yaml" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["uid"] and d["title"], "the dashboard needs a uid and a title"
names = [v["name"] for v in d["templating"]["list"]]
assert "datasource" in names, "panels pick their Prometheus through $datasource"
ids, rules = set(), []
for p in d["panels"]:
    assert p["id"] not in ids, f"panel id {p['id']} repeats"
    ids.add(p["id"])
    g = p["gridPos"]
    assert g["x"] >= 0 and g["x"] + g["w"] <= 24, f"panel {p['title']} leaves the 24 columns"
    assert p["datasource"]["uid"] == "${datasource}", p["title"]
    assert p["targets"], f"panel {p['title']} has no query"
    for t in p["targets"]:
        assert t["expr"].strip(), p["title"]
        rules.append(t["expr"])
with open(sys.argv[2], "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(rules):
        out.write(f"      - record: dashboard:query_{i}\n        expr: {json.dumps(e)}\n")
print(f"dashboard: {len(d['panels'])} panels, {len(rules)} queries")
PY
promtool check rules "$tmp/dashboard-rules.yaml"
# A broken query must be refused (so the check above can fail).
printf 'groups:\n  - name: x\n    rules:\n      - record: x:y\n        expr: "sum(rate(covenant_transitions_total[5m])"\n' >"$tmp/bad.yaml"
if promtool check rules "$tmp/bad.yaml" >/dev/null 2>&1; then
  echo "promtool accepted a broken query" >&2
  exit 1
fi
echo "monitoring: OK"
