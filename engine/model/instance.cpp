#include "engine/model/instance.hpp"

namespace covenant::engine::model {

using nlohmann::json;

json grant_json(const Grant& g) {
  return {{"state", g.state}, {"digest", g.digest}, {"approvers", g.approvers}};
}

json decision_json(const std::string& approval_id, const GateDecision& d) {
  json j = {{"approval_id", approval_id}, {"approver", d.approver}, {"role", d.role},
            {"approve", d.approve},       {"comment", d.comment},   {"digest", d.digest}};
  if (d.request_changes) j["request_changes"] = true;  // optional: older events as were
  if (!d.on_behalf_of.empty()) {
    j["on_behalf_of"] = d.on_behalf_of;
    j["recorded_as"] = d.approver + " for " + d.on_behalf_of;
  }
  return j;
}

json gate_json(const Gate& g) {
  json rules = json::array(), decisions = json::array();
  for (const auto& r : g.rules) rules.push_back({{"role", r.role}, {"count", r.count}});
  for (const auto& d : g.decisions) decisions.push_back(decision_json(g.id, d));
  json j = {{"id", g.id},         {"digest", g.digest},     {"rules", rules},
            {"quorum", g.quorum}, {"decisions", decisions}, {"deadline_us", g.deadline_us}};
  if (g.escalated) j["escalated"] = true;
  if (!g.changes_to.empty()) j["changes_to"] = g.changes_to;
  return j;
}

namespace {

Gate gate_from(const json& j) {
  Gate g;
  g.id = j.at("id");
  g.digest = j.at("digest");
  for (const auto& r : j.at("rules")) g.rules.push_back({r.at("role"), r.at("count")});
  g.quorum = j.at("quorum");
  for (const auto& d : j.at("decisions"))
    g.decisions.push_back({d.at("approver"), d.at("role"), d.at("approve"),
                           d.value("request_changes", false), d.value("comment", ""),
                           d.value("digest", ""), d.value("on_behalf_of", "")});
  g.deadline_us = j.value("deadline_us", std::int64_t{0});
  g.escalated = j.value("escalated", false);
  g.changes_to = j.value("changes_to", "");
  return g;
}

// The stored form keeps the spending marks, each only when set.
json grant_stored(const Grant& g) {
  json j = grant_json(g);
  if (g.spent) j["spent"] = true;
  if (g.spent_below) j["spent_below"] = true;
  if (!g.spent_by.empty()) j["spent_by"] = g.spent_by;
  return j;
}

Grant grant_from(const json& j) {
  Grant g;
  g.state = j.at("state");
  g.digest = j.at("digest");
  g.approvers = j.at("approvers").get<std::vector<std::string>>();
  g.spent = j.value("spent", false);
  g.spent_below = j.value("spent_below", false);
  g.spent_by = j.value("spent_by", "");
  return g;
}

// A frame as stored: what a frame always has (id, state, status, context, visits), then only
// the fields that differ from a new frame's (version 2 of the runtime form). The instance row
// is rewritten on every transition; a parked instance's frame shrinks by about half, which keeps
// the row inline (PostgreSQL moves a row over ~2 KB into its TOAST table) and the transition's
// write small. frame_from reads both forms: a field absent is the new frame's value.
json frame_json(const Frame& f) {
  json j = {{"id", f.id},
            {"state", f.state},
            {"status", f.status},
            {"context", f.context},
            {"visits", f.visits}};
  if (!f.parent.empty()) j["parent"] = f.parent;
  if (f.index != 0) j["index"] = f.index;
  if (!f.last.is_null()) j["last"] = f.last;
  if (f.attempt != 0) j["attempt"] = f.attempt;
  if (!f.task_key.empty()) j["task_key"] = f.task_key;
  if (!f.timer_keys.empty()) j["timer_keys"] = f.timer_keys;
  if (!f.event.empty()) j["event"] = f.event;
  if (!f.items.is_array() || !f.items.empty()) j["items"] = f.items;
  if (!f.results.is_array() || !f.results.empty()) j["results"] = f.results;
  if (f.next_item != 0) j["next_item"] = f.next_item;
  if (f.running != 0) j["running"] = f.running;
  if (f.finished != 0) j["finished"] = f.finished;
  if (f.gate) j["gate"] = gate_json(*f.gate);
  if (!f.granted.empty()) {
    json granted = json::object();
    for (const auto& [activity, g] : f.granted) granted[activity] = grant_stored(g);
    j["granted"] = std::move(granted);
  }
  return j;
}

Frame frame_from(const json& j) {
  Frame f;
  f.id = j.at("id");
  f.state = j.at("state");
  f.status = j.at("status");
  f.context = j.at("context");
  f.visits = j.at("visits").get<std::map<std::string, int>>();
  f.parent = j.value("parent", "");
  f.index = j.value("index", 0);
  f.last = j.value("last", json());
  f.attempt = j.value("attempt", 0);
  f.task_key = j.value("task_key", "");
  f.timer_keys = j.value("timer_keys", std::vector<std::string>{});
  f.event = j.value("event", "");
  f.items = j.value("items", json::array());
  f.results = j.value("results", json::array());
  f.next_item = j.value("next_item", 0);
  f.running = j.value("running", 0);
  f.finished = j.value("finished", 0);
  if (auto g = j.find("gate"); g != j.end() && g->is_object()) f.gate = gate_from(*g);
  if (auto g = j.find("granted"); g != j.end())
    for (const auto& [activity, grant] : g->items()) f.granted[activity] = grant_from(grant);
  return f;
}

}  // namespace

json runtime_to_json(const Instance& inst) {
  json frames = json::array();
  for (const auto& [id, f] : inst.frames) frames.push_back(frame_json(f));
  json j = {{"v", 2}, {"frames", std::move(frames)}};
  if (!inst.compensations.empty()) {
    json comps = json::array();
    for (const auto& c : inst.compensations)
      comps.push_back({{"activity", c.activity},
                       {"input", c.input},
                       {"key", c.key},
                       {"state", c.state},
                       {"write", c.write}});
    j["compensations"] = std::move(comps);
  }
  if (!inst.failure_code.empty() || !inst.failure_cause.empty())
    j["failure"] = {{"code", inst.failure_code}, {"cause", inst.failure_cause}};
  if (!inst.changed_by.empty()) j["changed_by"] = inst.changed_by;
  if (!inst.left_standing.is_array() || !inst.left_standing.empty())
    j["left_standing"] = inst.left_standing;
  return j;
}

// Reads version 1 (every field written) and version 2 (fields at their defaults left out).
void runtime_from_json(const json& j, Instance& inst) {
  if (int v = j.value("v", 0); v != 1 && v != 2)
    throw std::invalid_argument("runtime form version " + std::to_string(v) + " is not known");
  inst.frames.clear();
  for (const auto& f : j.at("frames")) {
    Frame frame = frame_from(f);
    inst.frames.emplace(frame.id, std::move(frame));
  }
  inst.compensations.clear();
  if (auto comps = j.find("compensations"); comps != j.end())
    for (const auto& c : *comps)
      inst.compensations.push_back({c.at("activity"), c.at("input"), c.at("key"),
                                    c.value("state", ""), c.value("write", json())});
  inst.failure_code.clear();
  inst.failure_cause.clear();
  if (auto failure = j.find("failure"); failure != j.end()) {
    inst.failure_code = failure->at("code");
    inst.failure_cause = failure->at("cause");
  }
  inst.changed_by = j.value("changed_by", std::vector<std::string>{});  // absent before 0.2
  inst.left_standing = j.value("left_standing", json::array());
}

}  // namespace covenant::engine::model
