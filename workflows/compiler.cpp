#include "workflows/compiler.hpp"

#include "workflows/sha256.hpp"
#include "workflows/subject.hpp"
#include "workflows/summary.hpp"
#include "workflows/validator.hpp"

namespace covenant::workflows {
namespace {

using nlohmann::json;

json opt_path(const std::optional<Path>& p) { return p ? json(p->source) : json(nullptr); }
json opt_expr(const std::optional<Expression>& e) { return e ? json(e->source) : json(nullptr); }
json opt_seconds(const std::optional<Duration>& d) { return d ? json(d->seconds) : json(nullptr); }
json opt_ref(const std::optional<StateRef>& r) { return r ? json(r->name) : json(nullptr); }
json opt_templ(const std::optional<Template>& t) { return t ? t->value : json(nullptr); }

void continuation(const Continuation& c, json& out) {
  out["next"] = opt_ref(c.next);
  out["end"] = c.end;
}

json scope_json(const Scope& s, const ActivityCatalog& catalog);

json retry_json(const std::optional<RetryPolicy>& retry) {
  if (!retry) return nullptr;
  const auto& r = *retry;
  return {{"max_attempts", r.max_attempts},
          {"initial_interval", r.initial_interval.seconds},
          {"max_interval", r.max_interval.seconds},
          {"multiplier", r.multiplier},
          {"jitter", r.jitter},
          {"errors", r.errors}};
}

json task_json(const TaskState& t, const ActivityCatalog& catalog) {
  json j;
  j["activity"] = t.activity;
  const auto* info = catalog.find(t.activity);
  j["financial"] = info && info->financial;
  j["input"] = opt_templ(t.input);
  j["result"] = opt_expr(t.result);
  j["output"] = opt_path(t.output);
  j["timeout"] = opt_seconds(t.timeout);
  j["retry"] = retry_json(t.retry);
  j["catch"] = json::array();
  for (const auto& c : t.catches)
    j["catch"].push_back(
        {{"errors", c.errors}, {"next", c.next.name}, {"output", opt_path(c.output)}});
  if (t.compensate) {
    const auto* ci = catalog.find(t.compensate->activity);
    j["compensate"] = {{"activity", t.compensate->activity},
                       {"financial", ci && ci->financial},
                       {"input", opt_templ(t.compensate->input)}};
    if (t.compensate->retry) j["compensate"]["retry"] = retry_json(t.compensate->retry);
  } else {
    j["compensate"] = nullptr;
  }
  continuation(t.then, j);
  return j;
}

json summary_json(const GateSummary& s) {
  auto figure = [](const SummaryFigure& f) {
    json j = {{"label", f.label}, {"type", to_string(f.type)}, {"value", f.value.value}};
    if (f.detail) j["detail"] = f.detail->value;
    if (f.against) {
      j["against"] = f.against->value;
      j["against_label"] = f.against_label;
    }
    return j;
  };
  json j = {{"title", s.title.value},
            {"figures", json::array()},
            {"compare", json::array()},
            {"writes", json::object()}};
  for (const auto& f : s.figures) j["figures"].push_back(figure(f));
  for (const auto& f : s.comparisons) j["compare"].push_back(figure(f));
  for (const auto& [activity, amount] : s.writes) j["writes"][activity] = amount.value;
  return j;
}

json approval_json(const ApprovalState& a) {
  json j;
  j["authorizes"] = a.authorizes;
  j["subject"] = opt_expr(a.subject);
  if (!a.subject_fields.empty()) {
    j["subject"] = json::object();
    for (const auto& f : a.subject_fields)
      j["subject"][f.name] = {
          {"from", f.from.source}, {"type", to_string(f.type)}, {"required", f.required}};
  }
  j["approvers"] = json::array();
  for (const auto& r : a.approvers) {
    json rule = {{"role", r.role}, {"when", opt_expr(r.when)}, {"count", r.count}};
    if (!r.policy.empty()) rule["policy"] = r.policy;  // optional: older digests unchanged
    j["approvers"].push_back(std::move(rule));
  }
  j["quorum"] = a.quorum;
  j["separation_of_duties"] = a.separation_of_duties;
  j["timeout"] = opt_seconds(a.timeout);
  // Optional key, written only when set, so definitions without it keep their digests.
  if (a.remind_before) j["remind_before"] = a.remind_before->seconds;
  if (a.on_timeout) {
    j["on_timeout"] = {
        {"escalate_to",
         a.on_timeout->escalate_to_role ? json(*a.on_timeout->escalate_to_role) : json(nullptr)},
        {"escalation_timeout", opt_seconds(a.on_timeout->escalation_timeout)},
        {"next", opt_ref(a.on_timeout->next)}};
  } else {
    j["on_timeout"] = nullptr;
  }
  j["on_reject"] = opt_ref(a.on_reject);
  if (a.on_invalid) j["on_invalid"] = a.on_invalid->name;
  if (a.on_changes_requested)  // optional: older digests unchanged
    j["on_changes_requested"] = {
        {"next", a.on_changes_requested->next.name},
        {"output", a.on_changes_requested->output ? json(a.on_changes_requested->output->source)
                                                  : json(nullptr)}};
  if (a.summary) j["summary"] = summary_json(*a.summary);  // optional: older digests unchanged
  continuation(a.then, j);
  return j;
}

json state_json(const State& st, const ActivityCatalog& catalog) {
  json j;
  j["type"] = to_string(st.type);
  j["description"] = st.description;
  if (!st.milestone.empty()) j["milestone"] = st.milestone;  // optional: older digests unchanged
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, TaskState>) {
          j.update(task_json(b, catalog));
        } else if constexpr (std::is_same_v<T, ChoiceState>) {
          j["choices"] = json::array();
          for (const auto& c : b.choices)
            j["choices"].push_back({{"when", c.when.source}, {"next", c.next.name}});
          j["default"] = opt_ref(b.default_next);
        } else if constexpr (std::is_same_v<T, ApprovalState>) {
          j.update(approval_json(b));
        } else if constexpr (std::is_same_v<T, WaitState>) {
          j["duration"] = opt_seconds(b.duration);
          j["until"] = opt_expr(b.until);
          j["event"] = b.kind == WaitKind::Event ? json(b.event) : json(nullptr);
          j["output"] = opt_path(b.output);
          j["timeout"] = opt_seconds(b.timeout);
          j["on_timeout"] = opt_ref(b.on_timeout);
          continuation(b.then, j);
        } else if constexpr (std::is_same_v<T, ParallelState>) {
          j["branches"] = json::array();
          for (const auto& br : b.branches) {
            json bj = scope_json(br.scope, catalog);
            bj["name"] = br.name;
            j["branches"].push_back(std::move(bj));
          }
          j["output"] = opt_path(b.output);
          continuation(b.then, j);
        } else if constexpr (std::is_same_v<T, MapState>) {
          j["items"] = b.items.source;
          j["max_concurrency"] = b.max_concurrency;
          j["iterator"] = scope_json(b.iterator, catalog);
          j["output"] = opt_path(b.output);
          continuation(b.then, j);
        } else if constexpr (std::is_same_v<T, SucceedState>) {
          j["output"] = opt_expr(b.output);
        } else if constexpr (std::is_same_v<T, FailState>) {
          j["error"] = b.error;
          j["cause"] = b.cause;
        }
      },
      st.body);
  return j;
}

json scope_json(const Scope& s, const ActivityCatalog& catalog) {
  json j;
  j["start"] = opt_ref(s.start);
  j["states"] = json::object();
  for (const auto& st : s.states) j["states"][st.name] = state_json(st, catalog);
  return j;
}

}  // namespace

json canonical_json(const Definition& def, const ActivityCatalog& catalog) {
  json j = scope_json(def.root, catalog);
  j["canonical_form"] = kCanonicalFormVersion;
  j["api_version"] = def.api_version;
  j["name"] = def.name;
  j["owner"] = def.owner;
  j["description"] = def.description;
  j["labels"] = def.labels;
  j["timeout"] = opt_seconds(def.timeout);
  return j;
}

namespace {
void collect_milestones(const Scope& scope, std::map<std::string, std::string>& out) {
  for (const auto& st : scope.states) {
    if (!st.milestone.empty()) out.emplace(st.name, st.milestone);
    if (const auto* p = std::get_if<ParallelState>(&st.body))
      for (const auto& b : p->branches) collect_milestones(b.scope, out);
    if (const auto* m = std::get_if<MapState>(&st.body)) collect_milestones(m->iterator, out);
  }
}
}  // namespace

CompiledWorkflow::CompiledWorkflow(Definition def, json canonical)
    : def_(std::move(def)),
      canonical_(std::move(canonical)),
      text_(canonical_.dump()),
      digest_(sha256_hex(text_)) {
  collect_milestones(def_.root, milestones_);
}

namespace {
CompileResult finish(LoadResult r, const ActivityCatalog& catalog) {
  CompileResult out;
  out.diagnostics = std::move(r.diagnostics);
  if (!r.definition || has_errors(out.diagnostics)) return out;
  json canonical = canonical_json(*r.definition, catalog);
  out.workflow =
      std::make_shared<const CompiledWorkflow>(std::move(*r.definition), std::move(canonical));
  return out;
}
}  // namespace

CompileResult compile(const std::string& yaml_text, const std::string& file,
                      const ActivityCatalog& catalog) {
  return finish(check(yaml_text, file, catalog), catalog);
}

CompileResult compile_file(const std::string& path, const ActivityCatalog& catalog) {
  return finish(check_file(path, catalog), catalog);
}

}  // namespace covenant::workflows
