// What operators do to an instance, decided as any other input: move it to another version
// of its workflow (covenant migrate) and run a failed step again, its input fixed.
#include "engine/runtime/decider.hpp"
#include "workflows/read_paths.hpp"
#include "workflows/sha256.hpp"

#include <algorithm>

namespace covenant::engine::runtime {

using history::EventType;
using nlohmann::json;
namespace wf = workflows;

namespace {

bool listed(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Whether a frame resting with `status` may rest at a state of this kind.
bool same_kind(const std::string& status, const wf::State& st) {
  if (status == frame_status::kApproval) return std::holds_alternative<wf::ApprovalState>(st.body);
  if (status == frame_status::kWaiting) return std::holds_alternative<wf::WaitState>(st.body);
  if (status == frame_status::kChildren)
    return std::holds_alternative<wf::ParallelState>(st.body) ||
           std::holds_alternative<wf::MapState>(st.body);
  return false;
}

// The leaves that differ between two values, as [{path, old, new}] (at most 100).
void changes(const json& before, const json& after, const std::string& path, json& out) {
  if (out.size() >= 100 || before == after) return;
  if (before.is_object() && after.is_object()) {
    for (const auto& [k, v] : before.items())
      changes(v, after.contains(k) ? after[k] : json(), path + "." + k, out);
    for (const auto& [k, v] : after.items())
      if (!before.contains(k)) changes(json(), v, path + "." + k, out);
    return;
  }
  out.push_back({{"path", path.empty() ? "." : path}, {"old", before}, {"new", after}});
}

}  // namespace

Result<void> Decider::migrate(const MigrateInput& m) {
  if (inst_.status != "running")
    return fail(ErrorCode::FailedPrecondition,
                "instance " + inst_.id + " is " + inst_.status + ": only a running instance moves");
  if (inst_.digest != m.from)
    return fail(ErrorCode::FailedPrecondition, "instance " + inst_.id + " runs version " +
                                                   inst_.digest.substr(0, 16) + ", not " +
                                                   m.from.substr(0, 16) + " (the map's from)");
  auto root_it = inst_.frames.find("root");
  if (root_it == inst_.frames.end())
    return fail(ErrorCode::Internal, "a running instance without its root frame", inst_.id);
  // The root's data as it will be, with what the map gives.
  json root_context = root_it->second.context;
  for (const auto& [path, value] : m.set.items()) set_path(root_context, path, value);
  // Everything is checked before anything changes: an instance moves whole or not at all.
  for (const auto& [id, f] : inst_.frames) {
    if (f.status == frame_status::kTask)
      return fail(ErrorCode::FailedPrecondition, "an activity is running at '" + f.state +
                                                     "' (frame " + id +
                                                     "): move the instance once it has finished");
    auto to = m.states.find(f.state);
    if (to == m.states.end())
      return fail(ErrorCode::FailedPrecondition,
                  "the state map says nothing of '" + f.state + "', where frame " + id + " is");
    const wf::State* target = find(to->second);
    if (!target)
      return fail(ErrorCode::FailedPrecondition, "the new version has no state '" + to->second +
                                                     "' (mapped from '" + f.state + "')");
    if (!same_kind(f.status, *target))
      return fail(ErrorCode::FailedPrecondition,
                  "frame " + id + " rests at '" + f.state + "' (" + f.status + "); '" + to->second +
                      "' in the new version is a " + std::string(wf::to_string(target->type)));
    const json& context = id == "root" ? root_context : f.context;
    if (auto e = m.expects.find(to->second); e != m.expects.end())
      for (const auto& path : e->second) {
        auto p = wf::plain_path(path);
        if (p && wf::value_at(context, *p).is_null())
          return fail(ErrorCode::FailedPrecondition,
                      "the new version expects " + path + " at '" + to->second +
                          "', which this instance does not hold (give it in the map's set)");
      }
    for (const auto& [activity, g] : f.granted) {
      bool unspent = !g.spent && !g.spent_below;
      if (unspent && (listed(m.changed_financial, activity) || listed(m.reopen, g.state)))
        return fail(ErrorCode::FailedPrecondition,
                    "frame " + id + " holds an approval granted at '" + g.state + "' for '" +
                        activity +
                        "' under its version, and the new version changes that step: an "
                        "approval never carries over to a changed financial step (let the "
                        "instance finish on its version)");
    }
  }
  auto mapped = [&](const std::string& state) {
    auto it = m.states.find(state);
    return it == m.states.end() ? state : it->second;
  };
  json moved = json::array(), reopened = json::array();
  std::vector<std::pair<Frame*, std::string>> reopen;
  for (auto& [id, f] : inst_.frames) {
    std::string from = f.state, to = mapped(f.state);
    std::map<std::string, int> visits;
    for (const auto& [state, n] : f.visits)
      visits[mapped(state)] = std::max(visits[mapped(state)], n);
    f.visits = std::move(visits);
    for (auto& [activity, g] : f.granted) g.state = mapped(g.state);
    moved.push_back({{"frame", id}, {"from", from}, {"to", to}});
    if (f.status == frame_status::kApproval && (from != to || listed(m.reopen, from))) {
      reopened.push_back({{"frame", id}, {"state", to}, {"approval_id", f.gate ? f.gate->id : ""}});
      reopen.emplace_back(&f, to);
      continue;
    }
    f.state = to;
    if (from == to) continue;
    // The frame's timers are keyed by its state: the same times, under the new name.
    f.timer_keys.clear();
    for (const auto& t : m.timers) {
      if (t.frame != id) continue;
      d_.cancel_timers.push_back(t.key);
      std::string key = this->key(f, "/" + t.kind);
      d_.timers.push_back({key, f.id, to, occurrence(f), t.kind, t.fire_us});
      f.timer_keys.push_back(key);
    }
  }
  root_it->second.context = std::move(root_context);
  std::string from_version = inst_.digest;
  inst_.digest = wf_.digest();
  json payload = {{"from", from_version}, {"to", inst_.digest}, {"states", moved}, {"set", m.set},
                  {"reopened", reopened}, {"reason", m.reason}, {"by", m.by}};
  emit(EventType::InstanceMigrated, root_it->second, "", std::move(payload));
  // A gate whose approval changed, or that was renamed, opens again under the new version:
  // the decisions taken under the old one do not count there.
  for (auto& [f, to] : reopen) {
    drop_frame_work(*f);
    f->timer_keys.clear();
    f->gate.reset();
    enter(*f, to);
  }
  return {};
}

Result<void> Decider::retry_step(const RetryStepInput& r) {
  Frame* at = nullptr;
  for (auto& [id, f] : inst_.frames)
    if (f.state == r.state && f.status == frame_status::kTask) at = &f;
  const wf::State* st = at ? find(r.state) : nullptr;
  if (!at || !st || !std::holds_alternative<wf::TaskState>(st->body))
    return fail(ErrorCode::FailedPrecondition,
                "the instance did not fail at a step '" + r.state + "': nothing to run again");
  const auto& t = std::get<wf::TaskState>(st->body);
  json before = at->context;
  if (t.input)
    if (auto rendered = render(t.input->value, *at)) before = std::move(*rendered);
  json payload = {{"state", r.state},       {"frame", at->id},
                  {"attempt", at->attempt}, {"input_edited", !r.input.is_null()},
                  {"reason", r.reason},     {"by", r.by}};
  if (!r.input.is_null()) {
    if (financial_.count(r.state))
      return fail(ErrorCode::FailedPrecondition,
                  "'" + r.state +
                      "' writes money: its input is what its approval covered, so "
                      "it is not edited here (correct the data and send it back through the "
                      "gate, or run it again unchanged)");
    if (!r.input.is_object())
      return fail(ErrorCode::InvalidArgument, "the edited input must be a JSON object", "input");
    json diff = json::array();
    changes(before, r.input, "", diff);
    payload["changes"] = std::move(diff);
    payload["input"] = r.input;  // what runs now: a replay runs it again
  }
  payload["input_digest"] = wf::sha256_hex((r.input.is_null() ? before : r.input).dump());
  drop_frame_work(*at);
  emit(EventType::StepRetried, *at, r.state, std::move(payload));
  if (!r.input.is_null()) input_override_ = r.input;
  enter(*at, r.state);  // a new occurrence: a new idempotency key for the edited call
  return {};
}

}  // namespace covenant::engine::runtime
