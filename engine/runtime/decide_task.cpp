// Task states: dispatching an activity (after the run-time approval check for financial
// ones), its outcome, retries with backoff and jitter, catch rules, and compensations.
#include "engine/runtime/decider.hpp"
#include "workflows/sha256.hpp"

#include <cmath>

namespace covenant::engine::runtime {

using history::EventType;
using nlohmann::json;
namespace wf = workflows;

namespace {

constexpr std::int64_t kSecond = 1'000'000;

// Backoff before attempt `attempt + 1`, with jitter derived from the idempotency key so that
// the decision stays a pure function of its inputs (replays compute the same delay).
std::int64_t backoff_us(const wf::RetryPolicy& p, int attempt, const std::string& key) {
  double base = static_cast<double>(p.initial_interval.seconds) *
                std::pow(p.multiplier, static_cast<double>(attempt - 1));
  base = std::min(base, static_cast<double>(p.max_interval.seconds));
  std::string h = wf::sha256_hex(key + "#" + std::to_string(attempt));
  double u = static_cast<double>(std::stoull(h.substr(0, 12), nullptr, 16)) / 281474976710656.0;
  double factor = 1.0 + p.jitter * (2.0 * u - 1.0);
  return std::max<std::int64_t>(0, static_cast<std::int64_t>(base * factor * kSecond));
}

bool matches(const std::vector<std::string>& codes, const std::string& code) {
  return std::any_of(codes.begin(), codes.end(),
                     [&](const std::string& c) { return c == "*" || c == code; });
}

}  // namespace

void Decider::enter_task(Frame& f, const wf::State& st, const wf::TaskState& t) {
  json input = f.context;
  if (input_override_) {
    input = std::move(*input_override_);  // an operator's edit (retry_step)
    input_override_.reset();
  } else if (t.input) {
    auto r = render(t.input->value, f);
    if (!r) return fail_frame(f, "ExpressionError", r.error().message);
    input = std::move(*r);
  }
  json approval = nullptr;
  if (financial_.count(st.name) && !f.granted.contains(t.activity))
    return fail_frame(f, "ApprovalMissing",
                      "financial activity '" + t.activity + "' has no granted approval");
  if (f.granted.contains(t.activity)) {
    // Run-time control: the data about to be written must be what was approved, and a grant
    // pays for one write of each activity it lists. Recompute the gate's subject now; a
    // different digest, or a grant already spent, sends the instance back to the gate.
    const Grant g = f.granted.at(t.activity);  // a copy: the entry may be erased below
    const auto* gate_state = find(g.state);
    const auto& gate = std::get<wf::ApprovalState>(gate_state->body);
    auto subject = subject_of(gate, f);
    if (!subject) return fail_frame(f, "ExpressionError", subject.error().message);
    std::string digest = wf::sha256_hex(subject->dump());
    bool spent = g.spent || g.spent_below;
    if (spent || digest != g.digest) {
      json blocked = {{"activity", t.activity},
                      {"approved_digest", g.digest},
                      {"current_digest", digest},
                      {"gate", g.state},
                      {"reason", spent ? "spent" : "changed"}};
      if (spent) blocked["spent_by"] = g.spent_by;
      emit(EventType::WritebackBlocked, f, st.name, std::move(blocked));
      f.granted.erase(t.activity);
      return enter(f, g.state);
    }
    approval = model::grant_json(g);
    // A child's copy of a grant a sibling spent below the parent still names that task.
    if (!g.spent_by.empty()) approval["spent_by"] = g.spent_by;
    spend_grant(f, t.activity, key(f));
  }
  f.status = frame_status::kTask;
  f.attempt = 1;
  f.task_key = key(f);
  emit(EventType::ActivityScheduled, f, st.name,
       {{"activity", t.activity},
        {"attempt", 1},
        {"idempotency_key", f.task_key},
        {"input_digest", wf::sha256_hex(input.dump())},
        {"approval", approval}});
  d_.tasks.push_back({f.task_key, f.id, st.name, occurrence(f), false, t.activity, std::move(input),
                      1, now_us_, t.timeout ? t.timeout->seconds * kSecond : 0});
}

void Decider::spend_grant(Frame& f, const std::string& activity, const std::string& task_key) {
  // The frame's own grant is spent; the same grant in every frame above it is spent below
  // (the frame that forked may not write again after the join), while a sibling branch or
  // map item gets its own copy when it starts, so each item of an approved list is written
  // once.
  const std::string approved = f.granted.at(activity).digest;
  for (Frame* at = &f; at;) {
    auto g = at->granted.find(activity);
    if (g != at->granted.end() && g->second.digest == approved) {
      (at == &f ? g->second.spent : g->second.spent_below) = true;
      g->second.spent_by = task_key;
    }
    auto parent = inst_.frames.find(at->parent);
    at = at->parent.empty() || parent == inst_.frames.end() ? nullptr : &parent->second;
  }
}

Result<void> Decider::on_activity(const ActivityOutcome& o) {
  auto it = inst_.frames.find(o.frame);
  if (it == inst_.frames.end()) return {};
  Frame& f = it->second;
  if (f.state != o.state || f.status != frame_status::kTask || occurrence(f) != o.occurrence ||
      f.attempt != o.attempt)
    return {};  // a late or duplicate outcome of an attempt that no longer matters
  const auto& st = *find(f.state);
  const auto& t = std::get<wf::TaskState>(st.body);
  if (o.ok) {
    json value = o.result;
    if (t.result) {
      Frame view = f;
      view.context = o.result;
      auto v = eval(*t.result, view);
      if (!v) return fail_frame(f, "ExpressionError", v.error().message), Result<void>{};
      value = std::move(*v);
    }
    emit(EventType::ActivityCompleted, f, f.state,
         {{"activity", t.activity},
          {"attempt", o.attempt},
          {"idempotency_key", f.task_key},
          {"result", o.result}});
    if (auto g = f.granted.find(t.activity); g != f.granted.end()) {
      emit(EventType::WritebackCommitted, f, f.state,
           {{"activity", t.activity},
            {"idempotency_key", f.task_key},
            {"result", o.result},
            {"approval", model::grant_json(g->second)}});
    }
    if (t.output) set_path(f.context, t.output->source, value);
    f.last = value;
    if (t.compensate) {
      auto in =
          t.compensate->input ? render(t.compensate->input->value, f) : Result<json>(f.context);
      if (in)
        inst_.compensations.push_back(
            {t.compensate->activity,
             *in,
             f.task_key + "/compensate",
             f.state,
             {{"activity", t.activity}, {"idempotency_key", f.task_key}, {"result", o.result}}});
    }
    f.task_key.clear();
    follow(f, t.then);
    return {};
  }
  emit(EventType::ActivityFailed, f, f.state,
       {{"activity", t.activity},
        {"attempt", o.attempt},
        {"error", o.error_code},
        {"message", o.message},
        {"retryable", o.retryable}});
  wf::RetryPolicy policy = t.retry.value_or(wf::RetryPolicy{});
  bool retry = o.retryable && o.attempt < policy.max_attempts &&
               (policy.errors.empty() || matches(policy.errors, o.error_code));
  if (retry) {
    std::int64_t delay = backoff_us(policy, o.attempt, f.task_key);
    f.attempt = o.attempt + 1;
    emit(EventType::RetryScheduled, f, f.state,
         {{"activity", t.activity}, {"attempt", f.attempt}, {"delay_us", delay}});
    auto input = t.input ? render(t.input->value, f) : Result<json>(f.context);
    if (!input) return fail_frame(f, "ExpressionError", input.error().message), Result<void>{};
    d_.tasks.push_back({f.task_key, f.id, f.state, occurrence(f), false, t.activity, *input,
                        f.attempt, now_us_ + delay, t.timeout ? t.timeout->seconds * kSecond : 0});
    return {};
  }
  for (const auto& c : t.catches) {
    if (!matches(c.errors, o.error_code)) continue;
    json error = {{"error", o.error_code}, {"message", o.message}, {"state", f.state}};
    if (c.output) set_path(f.context, c.output->source, error);
    f.task_key.clear();
    enter(f, c.next.name);
    return {};
  }
  fail_frame(f, o.error_code.empty() ? "ActivityFailed" : o.error_code, o.message);
  return {};
}

void Decider::next_compensation() {
  Frame root;
  root.id = "root";
  if (inst_.compensations.empty()) {
    // Every compensation ran. If one gave up, its write stands: the instance says so in its
    // own status, and nothing claims it was compensated.
    bool clean = inst_.left_standing.empty();
    inst_.status = clean ? "failed" : "compensation_failed";
    inst_.error = clean ? inst_.failure_code : "CompensationFailed";
    json failed = {{"error", inst_.failure_code},
                   {"cause", inst_.failure_cause},
                   {"compensated", clean},
                   {"status", inst_.status}};
    if (!clean) failed["left_standing"] = inst_.left_standing;
    emit(EventType::WorkflowFailed, root, "", std::move(failed));
    d_.cancel_all = true;
    return;
  }
  const Compensation& c = inst_.compensations.back();
  emit(EventType::CompensationScheduled, root, "",
       {{"activity", c.activity}, {"idempotency_key", c.key}});
  d_.tasks.push_back({c.key, "root", "", static_cast<int>(inst_.compensations.size()), true,
                      c.activity, c.input, 1, now_us_, 0});
}

Result<void> Decider::on_compensation(const ActivityOutcome& o) {
  if (inst_.status != "compensating" || inst_.compensations.empty() ||
      o.occurrence != static_cast<int>(inst_.compensations.size()))
    return {};
  Frame root;
  root.id = "root";
  const Compensation& c = inst_.compensations.back();
  // The compensation's own retry policy (the task state's `compensate.retry`), else five
  // attempts with exponential backoff on retryable errors.
  wf::RetryPolicy policy;
  policy.max_attempts = 5;
  if (const auto* st = c.state.empty() ? nullptr : find(c.state))
    if (const auto* t = std::get_if<wf::TaskState>(&st->body))
      if (t->compensate && t->compensate->retry) policy = *t->compensate->retry;
  bool retry = !o.ok && o.retryable && o.attempt < policy.max_attempts &&
               (policy.errors.empty() || matches(policy.errors, o.error_code));
  if (retry) {
    std::int64_t delay = backoff_us(policy, o.attempt, c.key);
    emit(EventType::RetryScheduled, root, "",
         {{"activity", c.activity},
          {"compensation", true},
          {"attempt", o.attempt + 1},
          {"delay_us", delay},
          {"error", o.error_code},  // the failed attempt's: a replay rebuilds the outcome
          {"message", o.message}});
    d_.tasks.push_back({c.key, "root", "", o.occurrence, true, c.activity, c.input, o.attempt + 1,
                        now_us_ + delay, 0});
    return {};
  }
  emit(o.ok ? EventType::ActivityCompleted : EventType::ActivityFailed, root, "",
       {{"activity", c.activity},
        {"compensation", true},
        {"attempt", o.attempt},
        {"result", o.result},
        {"error", o.error_code},
        {"message", o.message}});
  if (!o.ok) {
    inst_.failure_cause += "; compensation " + c.activity + " failed: " + o.message;
    json standing = c.write.is_object() ? c.write : json::object();
    standing["compensation"] = c.activity;
    standing["compensation_key"] = c.key;
    standing["error"] = o.error_code;
    standing["message"] = o.message;
    standing["attempts"] = o.attempt;
    emit(EventType::CompensationFailed, root, "", standing);
    inst_.left_standing.push_back(std::move(standing));
  }
  inst_.compensations.pop_back();
  next_compensation();
  return {};
}

}  // namespace covenant::engine::runtime
