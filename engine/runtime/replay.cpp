#include "engine/runtime/replay.hpp"

#include "engine/runtime/decide.hpp"
#include "engine/time_format.hpp"

#include <algorithm>
#include <exception>
#include <functional>

namespace covenant::engine::runtime {

using history::EventType;
using nlohmann::json;

namespace {

std::string describe(EventType type, const std::string& frame, const std::string& state) {
  std::string s(history::name(type));
  if (!state.empty()) s += " at " + state;
  return s + " (frame " + frame + ")";
}

std::string describe(const history::Event& e) { return describe(e.type, e.frame, e.state); }
std::string describe(const history::NewEvent& e) { return describe(e.type, e.frame, e.state); }

std::string shown(const json& v) {
  std::string s = v.dump();
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

// The first place two JSON values differ, as a path ("payload.result.total"), with both sides.
std::optional<std::string> first_difference(const json& recorded, const json& decided,
                                            const std::string& path) {
  if (recorded == decided) return std::nullopt;
  if (recorded.is_object() && decided.is_object()) {
    for (const auto& [k, v] : recorded.items()) {
      auto it = decided.find(k);
      if (it == decided.end())
        return path + "." + k + " is recorded as " + shown(v) + " but not decided";
      if (auto d = first_difference(v, *it, path + "." + k)) return d;
    }
    for (const auto& [k, v] : decided.items())
      if (!recorded.contains(k))
        return path + "." + k + " is decided as " + shown(v) + " but not recorded";
  }
  if (recorded.is_array() && decided.is_array() && recorded.size() == decided.size())
    for (std::size_t i = 0; i < recorded.size(); ++i)
      if (auto d = first_difference(recorded[i], decided[i], path + "[" + std::to_string(i) + "]"))
        return d;
  return path + ": recorded " + shown(recorded) + ", decided " + shown(decided);
}

// The events that begin a transition: each records the input that caused it. An approval
// granted by policy is decided inside a transition (its role is "policy"), not an input; a
// compensation's failed attempt that is retried records only its RetryScheduled.
bool begins_transition(const history::Event& e) {
  switch (e.type) {
    case EventType::WorkflowStarted:
    case EventType::ActivityCompleted:
    case EventType::ActivityFailed:
    case EventType::TimerFired:
    case EventType::ValueCorrected:
    case EventType::EventReceived:
    case EventType::WorkflowCancelled:
    case EventType::StepRetried:
    case EventType::InstanceMigrated:
      return true;
    case EventType::ApprovalDecided:
      return e.payload.value("role", "") != "policy";
    case EventType::RetryScheduled:
      return e.payload.value("compensation", false);
    default:
      return false;
  }
}

std::string text(const json& p, const char* key) {
  auto it = p.find(key);
  return it != p.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int occurrence_at(const model::Instance& inst, const std::string& frame, const std::string& state) {
  auto f = inst.frames.find(frame);
  if (f == inst.frames.end()) return 0;
  auto v = f->second.visits.find(state);
  return v == f->second.visits.end() ? 0 : v->second;
}

// The input recorded at `recorded[pos]` (and, for a signal, the corrections before its
// EventReceived: `consumed` says how many events that took), or a reason it cannot be read.
std::variant<Input, std::string> input_at(const std::vector<history::Event>& recorded,
                                          std::size_t pos, const model::Instance& inst) {
  const auto& e = recorded[pos];
  const json& p = e.payload;
  switch (e.type) {
    case EventType::WorkflowStarted:
      return StartInput{p.contains("input") ? p["input"] : json::object()};
    case EventType::ActivityCompleted:
    case EventType::ActivityFailed:
    case EventType::RetryScheduled: {
      ActivityOutcome o;
      o.compensation = p.value("compensation", false);
      o.ok = e.type == EventType::ActivityCompleted;
      o.attempt = p.value("attempt", 1);
      if (e.type == EventType::RetryScheduled) {
        o.attempt -= 1;  // the attempt that failed
        o.retryable = true;
      } else {
        o.retryable = p.value("retryable", false);
      }
      if (o.ok && p.contains("result")) o.result = p["result"];
      o.error_code = text(p, "error");
      o.message = text(p, "message");
      if (o.compensation) {
        o.frame = "root";
        o.occurrence = static_cast<int>(inst.compensations.size());
      } else {
        o.frame = e.frame;
        o.state = e.state;
        o.occurrence = occurrence_at(inst, e.frame, e.state);
      }
      return o;
    }
    case EventType::TimerFired:
      return TimerInput{e.frame, e.state, occurrence_at(inst, e.frame, e.state), text(p, "kind")};
    case EventType::ValueCorrected:
    case EventType::EventReceived: {
      SignalInput s;
      json corrections = json::array();
      std::size_t at = pos;
      for (; at < recorded.size() && recorded[at].type == EventType::ValueCorrected; ++at) {
        json c = recorded[at].payload;
        c.erase("event");
        c.erase("by");
        corrections.push_back(std::move(c));
      }
      if (at == recorded.size() || recorded[at].type != EventType::EventReceived)
        return std::string("a ValueCorrected that no EventReceived follows");
      const json& r = recorded[at].payload;
      s.event = text(r, "event");
      s.payload = r.contains("payload") ? r["payload"] : json::object();
      s.by = text(r, "by");
      if (!corrections.empty()) s.corrections = std::move(corrections);
      return s;
    }
    case EventType::ApprovalDecided: {
      ApprovalInput a;
      a.state = e.state;
      a.approver = text(p, "approver");
      a.roles = {text(p, "role")};
      a.approve = p.value("approve", false);
      a.request_changes = p.value("request_changes", false);
      a.comment = text(p, "comment");
      a.digest = text(p, "digest");
      a.on_behalf_of = text(p, "on_behalf_of");
      return a;
    }
    case EventType::WorkflowCancelled:
      return CancelInput{text(p, "reason"), text(p, "by")};
    case EventType::StepRetried:
      return RetryStepInput{e.state, p.contains("input") ? p["input"] : json(), text(p, "reason"),
                            text(p, "by")};
    default:
      return std::string(history::name(e.type)) + " records no input";
  }
}

// How the instance waits, frame by frame: what the next input must find.
json pending(const model::Instance& inst) {
  json out = json::object();
  for (const auto& [id, f] : inst.frames) {
    json g = f.gate ? model::gate_json(*f.gate) : json();
    if (g.is_object()) g.erase("decisions");
    out[id] = {{"state", f.state},    {"status", f.status},   {"event", f.event},
               {"task", f.task_key},  {"attempt", f.attempt}, {"gate", g},
               {"context", f.context}};
  }
  return out;
}

}  // namespace

namespace {

ReplayResult run(const std::vector<history::Event>& recorded, const workflows::CompiledWorkflow& wf,
                 workflows::JqEvaluator& jq, const model::Instance* stored,
                 std::optional<std::size_t> stop_before, model::Instance* rebuilt,
                 const std::function<void(const Decision&, std::int64_t)>& observe = {}) {
  ReplayResult out;
  auto diverge = [&](std::int64_t seq, std::string rec, std::string dec, std::string reason) {
    out.divergence = Divergence{seq, std::move(rec), std::move(dec), std::move(reason)};
    return out;
  };
  if (recorded.empty()) return diverge(1, "(empty history)", "", "there is nothing to replay");
  out.instance_id = recorded.front().instance_id;
  if (recorded.front().type != EventType::WorkflowStarted)
    return diverge(recorded.front().seq, describe(recorded.front()), "",
                   "a history begins with WorkflowStarted");
  const json& started = recorded.front().payload;
  if (text(started, "workflow") != wf.name())
    return diverge(recorded.front().seq, describe(recorded.front()), "",
                   "the history is of workflow '" + text(started, "workflow") +
                       "', the definition is '" + wf.name() + "'");
  model::Instance inst;
  inst.id = out.instance_id;
  inst.workflow = wf.name();
  inst.digest = wf.digest();
  inst.business_key = text(started, "business_key");
  inst.started_by = text(started, "started_by");
  inst.created_us = inst.updated_us = recorded.front().at_us;

  // A history that spans versions is not re-decided by one of them.
  for (const auto& e : recorded)
    if (e.type == EventType::InstanceMigrated) {
      out.skipped = "moved to another version at event " + std::to_string(e.seq) +
                    " (covenant migrate): its history spans versions";
      return out;
    }
  std::size_t pos = 0;
  model::Instance before_last;  // as it was before the last transition (a retried step's)
  while (pos < recorded.size()) {
    const auto& first = recorded[pos];
    if (stop_before && pos == *stop_before) break;
    if (first.type == EventType::StepRetried) {
      if (inst.status != "failed")
        return diverge(first.seq, describe(first), "(refused)",
                       "a step is run again only on a failed instance; the new definition "
                       "leaves it " +
                           inst.status);
      inst = before_last;  // the step runs again from where it failed
    }
    if (!begins_transition(first))
      return diverge(first.seq, describe(first), "(nothing)",
                     "the history records more in this transition than the new definition decides");
    auto in = input_at(recorded, pos, inst);
    if (auto* why = std::get_if<std::string>(&in))
      return diverge(first.seq, describe(first), "", "unreadable input: " + *why);
    before_last = inst;
    Result<Decision> d = tl::unexpected(Error{ErrorCode::Internal, "not decided", ""});
    try {
      d = decide(inst, std::get<Input>(in), from_micros(first.at_us), wf, jq);
    } catch (const std::exception& ex) {
      return diverge(first.seq, describe(first), "(an error)",
                     std::string("deciding this input threw: ") + ex.what());
    }
    if (!d)
      return diverge(first.seq, describe(first), "(refused)",
                     "the new definition refuses this input: " + d.error().message);
    ++out.transitions;
    if (observe) observe(*d, first.at_us);
    if (d->events.empty())
      return diverge(first.seq, describe(first), "(nothing)",
                     "the new definition takes no notice of this input (nothing waits for it "
                     "there)");
    for (const auto& ev : d->events) {
      if (pos == recorded.size())
        return diverge(
            recorded.back().seq + 1, "(end of history)", describe(ev),
            "the new definition decides more in this transition than the history records");
      const auto& r = recorded[pos];
      if (r.type != ev.type || r.frame != ev.frame || r.state != ev.state)
        return diverge(r.seq, describe(r), describe(ev), "a different step");
      json rp = r.payload, dp = ev.payload;
      if (r.type == EventType::WorkflowStarted) {
        rp.erase("version");
        dp.erase("version");
      }
      if (auto diff = first_difference(rp, dp, "payload"))
        return diverge(r.seq, describe(r), describe(ev), *diff);
      ++pos;
      ++out.events;
    }
    inst.updated_us = first.at_us;
  }
  if (rebuilt) *rebuilt = inst;
  if (stop_before) return out;
  if (stored && stored->status != inst.status)
    return diverge(recorded.back().seq + 1, "(the instance now: " + stored->status + ")",
                   "(" + inst.status + ")", "the instance ends in another status");
  if (stored)
    if (auto diff = first_difference(pending(*stored), pending(inst), "waiting"))
      return diverge(recorded.back().seq + 1, "(what the instance waits for now)",
                     "(what the new definition would wait for)", *diff);
  return out;
}

}  // namespace

ReplayResult replay(const std::vector<history::Event>& recorded,
                    const workflows::CompiledWorkflow& wf, workflows::JqEvaluator& jq,
                    const model::Instance* stored) {
  return run(recorded, wf, jq, stored, std::nullopt, nullptr);
}

Result<model::Instance> rebuild_before_failure(const std::vector<history::Event>& recorded,
                                               const workflows::CompiledWorkflow& wf,
                                               workflows::JqEvaluator& jq) {
  // The transition that failed the instance begins at the last event that begins one.
  std::optional<std::size_t> last;
  for (std::size_t i = 0; i < recorded.size(); ++i)
    if (begins_transition(recorded[i])) last = i;
  if (!last || *last == 0)
    return fail(ErrorCode::FailedPrecondition, "the history has no transition to go back before");
  for (const auto& e : recorded)
    if (e.type == EventType::CompensationScheduled)
      return fail(ErrorCode::FailedPrecondition,
                  "the instance's writes were compensated when it failed: it is not run again "
                  "(start a new instance)");
  if (recorded[*last].type != EventType::ActivityFailed)
    return fail(ErrorCode::FailedPrecondition,
                "the instance did not fail at a step (it failed at event " +
                    std::to_string(recorded[*last].seq) + ", " +
                    std::string(history::name(recorded[*last].type)) + ")");
  model::Instance inst;
  auto r = run(recorded, wf, jq, nullptr, *last, &inst);
  if (!r.skipped.empty()) return fail(ErrorCode::FailedPrecondition, r.skipped);
  if (r.divergence)
    return fail(ErrorCode::Internal, "the history does not replay on its own version at event " +
                                         std::to_string(r.divergence->seq) + ": " +
                                         r.divergence->reason);
  return inst;
}

Result<std::vector<StepRun>> steps(const std::vector<history::Event>& recorded,
                                   const workflows::CompiledWorkflow& wf,
                                   workflows::JqEvaluator& jq) {
  std::vector<StepRun> out;
  auto last_at = [&](const std::string& frame, const std::string& state, bool compensation) {
    for (auto it = out.rbegin(); it != out.rend(); ++it)
      if (it->compensation == compensation &&
          (compensation || (it->frame == frame && it->state == state)))
        return &*it;
    return static_cast<StepRun*>(nullptr);
  };
  auto r = run(
      recorded, wf, jq, nullptr, std::nullopt, nullptr, [&](const Decision& d, std::int64_t at_us) {
        for (const auto& e : d.events) {
          if (e.type != EventType::ActivityCompleted && e.type != EventType::ActivityFailed)
            continue;
          const json& p = e.payload;
          bool compensation = p.value("compensation", false);
          StepRun* step = last_at(e.frame, e.state, compensation);
          if (!step) continue;
          StepRun::Attempt a;
          a.attempt = p.value("attempt", 1);
          a.at_us = at_us;
          a.ok = e.type == EventType::ActivityCompleted;
          if (a.ok && p.contains("result")) a.result = p["result"];
          a.error = text(p, "error");
          a.message = text(p, "message");
          step->attempts.push_back(std::move(a));
        }
        for (const auto& t : d.tasks) {
          bool known =
              std::any_of(out.begin(), out.end(), [&](const StepRun& s) { return s.key == t.key; });
          if (known) continue;  // a retry of a step already listed: the same input
          StepRun s;
          s.key = t.key;
          s.frame = t.frame;
          s.state = t.state;
          s.activity = t.activity;
          s.compensation = t.compensation;
          s.input = t.input;
          s.scheduled_us = at_us;
          out.push_back(std::move(s));
        }
      });
  if (!r.skipped.empty()) return fail(ErrorCode::FailedPrecondition, r.skipped);
  if (r.divergence)
    return fail(ErrorCode::Internal, "the history does not replay on its own version at event " +
                                         std::to_string(r.divergence->seq) + ": " +
                                         r.divergence->reason);
  return out;
}

}  // namespace covenant::engine::runtime
