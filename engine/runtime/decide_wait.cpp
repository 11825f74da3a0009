// Wait states (a duration, a moment, a named event), durable timers and external events.
#include "engine/runtime/decider.hpp"
#include "engine/time_format.hpp"

namespace covenant::engine::runtime {

using history::EventType;
using nlohmann::json;
namespace wf = workflows;

void Decider::add_timer(Frame& f, const std::string& kind, std::int64_t fire_us) {
  std::string k = key(f, "/" + kind);
  f.timer_keys.push_back(k);
  d_.timers.push_back({k, f.id, f.state, occurrence(f), kind, fire_us});
  emit(EventType::TimerScheduled, f, f.state,
       {{"kind", kind}, {"fire_at", format_rfc3339(from_micros(fire_us))}, {"timer", k}});
}

void Decider::enter_wait(Frame& f, const wf::State&, const wf::WaitState& w) {
  f.status = frame_status::kWaiting;
  switch (w.kind) {
    case wf::WaitKind::Duration:
      add_timer(f, "wait", now_us_ + w.duration->seconds * 1'000'000);
      return;
    case wf::WaitKind::Until: {
      auto v = eval(*w.until, f);
      if (!v) return fail_frame(f, "ExpressionError", v.error().message);
      auto at = v->is_string() ? parse_rfc3339(v->get<std::string>()) : std::nullopt;
      if (!at)
        return fail_frame(f, "BadTimestamp",
                          "'until' gave " + v->dump() + ", not an RFC 3339 timestamp");
      add_timer(f, "wait", std::max(now_us_, to_micros(*at)));
      return;
    }
    case wf::WaitKind::Event:
      f.event = w.event;
      if (w.timeout) add_timer(f, "event_timeout", now_us_ + w.timeout->seconds * 1'000'000);
      return;
  }
}

Result<void> Decider::on_timer(const TimerInput& t) {
  auto it = inst_.frames.find(t.frame);
  if (it == inst_.frames.end()) return {};
  Frame& f = it->second;
  if (f.state != t.state || occurrence(f) != t.occurrence) return {};  // state already left
  const wf::State& st = *find(f.state);
  if (t.kind == "approval_reminder" && f.status == frame_status::kApproval && f.gate) {
    emit(EventType::TimerFired, f, f.state, {{"kind", t.kind}});
    std::erase(f.timer_keys, key(f, "/approval_reminder"));
    on_approval_reminder(f);
    return {};
  }
  if ((t.kind == "approval_timeout" || t.kind == "approval_escalation") &&
      f.status == frame_status::kApproval && f.gate) {
    emit(EventType::TimerFired, f, f.state, {{"kind", t.kind}});
    on_approval_timeout(f, std::get<wf::ApprovalState>(st.body));
    return {};
  }
  if (f.status != frame_status::kWaiting) return {};
  const auto& w = std::get<wf::WaitState>(st.body);
  emit(EventType::TimerFired, f, f.state, {{"kind", t.kind}});
  std::erase(f.timer_keys, key(f, "/" + t.kind));
  if (t.kind == "wait") {
    follow(f, w.then);
  } else if (t.kind == "event_timeout") {
    f.event.clear();
    if (w.on_timeout)
      enter(f, w.on_timeout->name);
    else
      fail_frame(f, "Timeout", "event '" + w.event + "' did not arrive in time");
  }
  return {};
}

Result<void> Decider::on_signal(const SignalInput& s) {
  std::vector<std::string> waiting;
  for (const auto& [id, f] : inst_.frames)
    if (f.status == frame_status::kWaiting && f.event == s.event &&
        (s.at_state.empty() || (f.state == s.at_state && occurrence(f) == s.occurrence)))
      waiting.push_back(id);
  if (waiting.empty())
    return fail(
        ErrorCode::FailedPrecondition,
        "instance " + inst_.id + " is not waiting for event '" + s.event + "'" +
            (s.at_state.empty() ? ""
                                : " at '" + s.at_state + "' #" + std::to_string(s.occurrence) +
                                      " (it moved on since that was read)"));
  if (!s.by.empty() && s.by != inst_.started_by &&
      std::find(inst_.changed_by.begin(), inst_.changed_by.end(), s.by) == inst_.changed_by.end())
    inst_.changed_by.push_back(s.by);
  for (const auto& id : waiting) {
    auto it = inst_.frames.find(id);
    if (it == inst_.frames.end()) continue;  // ended by an earlier delivery in this loop
    Frame& f = it->second;
    const auto& w = std::get<wf::WaitState>(find(f.state)->body);
    if (s.corrections.is_array())
      for (const auto& c : s.corrections) {
        json corrected = c;
        corrected["event"] = s.event;
        if (!s.by.empty()) corrected["by"] = s.by;
        emit(EventType::ValueCorrected, f, f.state, std::move(corrected));
      }
    json received = {{"event", s.event}, {"payload", s.payload}};
    if (!s.by.empty()) received["by"] = s.by;
    emit(EventType::EventReceived, f, f.state, std::move(received));
    drop_frame_work(f);
    f.timer_keys.clear();
    f.event.clear();
    if (w.output) set_path(f.context, w.output->source, s.payload);
    f.last = s.payload;
    follow(f, w.then);
  }
  return {};
}

}  // namespace covenant::engine::runtime
