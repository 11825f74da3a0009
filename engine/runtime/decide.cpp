#include "engine/runtime/decide.hpp"

#include "engine/runtime/decider.hpp"
#include "engine/time_format.hpp"
#include "workflows/expressions.hpp"

namespace covenant::engine::runtime {

using history::EventType;
using nlohmann::json;
namespace wf = workflows;

Result<Decision> decide(Instance& inst, const Input& in, TimePoint now,
                        const wf::CompiledWorkflow& workflow, wf::JqEvaluator& jq) {
  return Decider(inst, now, workflow, jq).run(in);
}

Decider::Decider(Instance& inst, TimePoint now, const wf::CompiledWorkflow& wf, wf::JqEvaluator& jq)
    : inst_(inst), now_(now), now_us_(to_micros(now)), wf_(wf), jq_(jq) {
  index(wf.definition().root);
  index_financial(wf.canonical());
}

void Decider::index_financial(const json& scope) {
  for (const auto& [name, st] : scope.at("states").items()) {
    if (st.value("financial", false)) financial_[name] = true;
    if (st.contains("branches"))
      for (const auto& b : st["branches"]) index_financial(b);
    if (st.contains("iterator") && st["iterator"].is_object()) index_financial(st["iterator"]);
  }
}

void Decider::index(const wf::Scope& scope) {
  for (const auto& st : scope.states) {
    states_.emplace(st.name, &st);
    if (const auto* p = std::get_if<wf::ParallelState>(&st.body))
      for (const auto& b : p->branches) index(b.scope);
    if (const auto* m = std::get_if<wf::MapState>(&st.body)) index(m->iterator);
  }
}

const wf::State* Decider::find(const std::string& name) const {
  auto it = states_.find(name);
  return it == states_.end() ? nullptr : it->second;
}

Result<Decision> Decider::run(const Input& in) {
  if (!std::holds_alternative<StartInput>(in) && inst_.finished()) {
    // Late deliveries to an ended instance are harmless no-ops, except explicit requests.
    if (std::holds_alternative<SignalInput>(in) || std::holds_alternative<CancelInput>(in) ||
        std::holds_alternative<ApprovalInput>(in) || std::holds_alternative<MigrateInput>(in) ||
        std::holds_alternative<RetryStepInput>(in))
      return fail(ErrorCode::FailedPrecondition,
                  "instance " + inst_.id + " has already " + inst_.status);
    return std::move(d_);
  }
  Result<void> r;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, StartInput>)
          start(x);
        else if constexpr (std::is_same_v<T, ActivityOutcome>)
          r = x.compensation ? on_compensation(x) : on_activity(x);
        else if constexpr (std::is_same_v<T, TimerInput>)
          r = on_timer(x);
        else if constexpr (std::is_same_v<T, SignalInput>)
          r = on_signal(x);
        else if constexpr (std::is_same_v<T, CancelInput>)
          r = cancel(x);
        else if constexpr (std::is_same_v<T, ApprovalInput>)
          r = on_approval(x);
        else if constexpr (std::is_same_v<T, MigrateInput>)
          r = migrate(x);
        else if constexpr (std::is_same_v<T, RetryStepInput>)
          r = retry_step(x);
      },
      in);
  if (!r) return tl::unexpected(r.error());
  return std::move(d_);
}

void Decider::emit(EventType type, const Frame& f, const std::string& state, json payload) {
  d_.events.push_back({type, f.id, state, std::move(payload)});
}

json Decider::vars() const {
  return {{"now", format_rfc3339(now_)},
          {"instance",
           {{"id", inst_.id},
            {"business_key", inst_.business_key},
            {"workflow", inst_.workflow},
            {"version", inst_.digest}}},
          {"input", inst_.input}};
}

Result<json> Decider::eval(const wf::Expression& e, const Frame& f) {
  auto v = jq_.evaluate(e.source, f.context, vars());
  if (!v) return fail(ErrorCode::InvalidArgument, v.error(), e.source);
  return *v;
}

Result<json> Decider::render(const json& value, const Frame& f) {
  std::string failed;  // the program that failed, for the error
  auto r = wf::render_template(value, [&](const std::string& program) {
    failed = program;
    return jq_.evaluate(program, f.context, vars());
  });
  if (!r) return fail(ErrorCode::InvalidArgument, r.error(), failed);
  return std::move(*r);
}

void Decider::set_path(json& target, const std::string& path, json value) {
  if (path == ".") {
    target = std::move(value);
    return;
  }
  json* at = &target;
  std::size_t pos = 1;
  while (true) {
    std::size_t dot = path.find('.', pos);
    std::string key = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    if (!at->is_object()) *at = json::object();
    at = &(*at)[key];
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  *at = std::move(value);
}

int Decider::occurrence(const Frame& f) const {
  auto it = f.visits.find(f.state);
  return it == f.visits.end() ? 0 : it->second;
}

std::string Decider::key(const Frame& f, const std::string& suffix) const {
  return inst_.id + "/" + f.id + "/" + f.state + "#" + std::to_string(occurrence(f)) + suffix;
}

void Decider::start(const StartInput& in) {
  inst_.status = "running";
  inst_.input = in.input;
  Frame root;
  root.id = "root";
  root.context = in.input.is_object() ? in.input : json::object({{"input", in.input}});
  auto& f = inst_.frames.emplace("root", std::move(root)).first->second;
  emit(EventType::WorkflowStarted, f, "",
       {{"workflow", inst_.workflow},
        {"version", inst_.digest},
        {"input", in.input},
        {"business_key", inst_.business_key},
        {"started_by", inst_.started_by}});
  enter(f, wf_.definition().root.start->name);
}

void Decider::enter(Frame& f, const std::string& name) {
  const wf::State* st = find(name);
  f.state = name;
  f.visits[name] += 1;
  f.status.clear();
  f.timer_keys.clear();
  f.task_key.clear();
  emit(EventType::StateEntered, f, name,
       {{"type", wf::to_string(st->type)}, {"occurrence", f.visits[name]}});
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, wf::TaskState>)
          enter_task(f, *st, b);
        else if constexpr (std::is_same_v<T, wf::ChoiceState>) {
          for (const auto& c : b.choices) {
            auto v = eval(c.when, f);
            if (!v) return fail_frame(f, "ExpressionError", v.error().message);
            if (truthy(*v)) return enter(f, c.next.name);
          }
          if (b.default_next) return enter(f, b.default_next->name);
          fail_frame(f, "NoChoiceMatched", "no condition of choice '" + name + "' held");
        } else if constexpr (std::is_same_v<T, wf::ApprovalState>)
          enter_approval(f, *st, b);
        else if constexpr (std::is_same_v<T, wf::WaitState>)
          enter_wait(f, *st, b);
        else if constexpr (std::is_same_v<T, wf::ParallelState>)
          enter_parallel(f, *st, b);
        else if constexpr (std::is_same_v<T, wf::MapState>)
          enter_map(f, *st, b);
        else if constexpr (std::is_same_v<T, wf::SucceedState>) {
          json result = f.last;
          if (b.output) {
            auto v = eval(*b.output, f);
            if (!v) return fail_frame(f, "ExpressionError", v.error().message);
            result = *v;
          }
          finish_frame(f, std::move(result));
        } else if constexpr (std::is_same_v<T, wf::FailState>)
          fail_frame(f, b.error, b.cause);
      },
      st->body);
}

void Decider::follow(Frame& f, const wf::Continuation& c) {
  if (c.next) return enter(f, c.next->name);
  finish_frame(f, f.last);
}

void Decider::drop_frame_work(const Frame& f) {
  if (!f.task_key.empty()) d_.cancel_tasks.push_back(f.task_key);
  for (const auto& k : f.timer_keys) d_.cancel_timers.push_back(k);
}

void Decider::finish_frame(Frame& f, json result) {
  drop_frame_work(f);
  if (f.parent.empty()) {
    inst_.status = "completed";
    inst_.output = result;
    emit(EventType::WorkflowCompleted, f, f.state, {{"output", result}});
    inst_.frames.clear();
    d_.cancel_all = true;
    return;
  }
  child_finished(f.id, std::move(result));
}

void Decider::fail_frame(Frame& f, const std::string& code, const std::string& cause) {
  drop_frame_work(f);
  if (f.parent.empty()) return fail_instance(code, cause);
  child_failed(f.id, code, cause);
}

void Decider::fail_instance(const std::string& code, const std::string& cause) {
  inst_.frames.clear();
  inst_.failure_code = code;
  inst_.failure_cause = cause;
  if (!inst_.compensations.empty()) {
    inst_.status = "compensating";
    next_compensation();
    return;
  }
  inst_.status = "failed";
  inst_.error = code;
  Frame root;
  root.id = "root";
  emit(EventType::WorkflowFailed, root, "", {{"error", code}, {"cause", cause}});
  d_.cancel_all = true;
}

Result<void> Decider::cancel(const CancelInput& in) {
  inst_.frames.clear();
  inst_.status = "cancelled";
  inst_.error = "Cancelled";
  Frame root;
  root.id = "root";
  emit(EventType::WorkflowCancelled, root, "", {{"reason", in.reason}, {"by", in.by}});
  d_.cancel_all = true;
  return {};
}

}  // namespace covenant::engine::runtime
