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

json frame_json(const Frame& f) {
  json granted = json::object();
  for (const auto& [activity, g] : f.granted) granted[activity] = grant_stored(g);
  return {{"id", f.id},
          {"parent", f.parent},
          {"index", f.index},
          {"state", f.state},
          {"status", f.status},
          {"context", f.context},
          {"last", f.last},
          {"visits", f.visits},
          {"attempt", f.attempt},
          {"task_key", f.task_key},
          {"timer_keys", f.timer_keys},
          {"event", f.event},
          {"items", f.items},
          {"results", f.results},
          {"next_item", f.next_item},
          {"running", f.running},
          {"finished", f.finished},
          {"gate", f.gate ? gate_json(*f.gate) : json()},
          {"granted", std::move(granted)}};
}

Frame frame_from(const json& j) {
  Frame f;
  f.id = j.at("id");
  f.parent = j.at("parent");
  f.index = j.at("index");
  f.state = j.at("state");
  f.status = j.at("status");
  f.context = j.at("context");
  f.last = j.at("last");
  f.visits = j.at("visits").get<std::map<std::string, int>>();
  f.attempt = j.at("attempt");
  f.task_key = j.at("task_key");
  f.timer_keys = j.at("timer_keys").get<std::vector<std::string>>();
  f.event = j.at("event");
  f.items = j.at("items");
  f.results = j.at("results");
  f.next_item = j.at("next_item");
  f.running = j.at("running");
  f.finished = j.at("finished");
  if (const auto& g = j.at("gate"); g.is_object()) f.gate = gate_from(g);
  for (const auto& [activity, g] : j.at("granted").items()) f.granted[activity] = grant_from(g);
  return f;
}

}  // namespace

json runtime_to_json(const Instance& inst) {
  json frames = json::array();
  for (const auto& [id, f] : inst.frames) frames.push_back(frame_json(f));
  json comps = json::array();
  for (const auto& c : inst.compensations)
    comps.push_back({{"activity", c.activity},
                     {"input", c.input},
                     {"key", c.key},
                     {"state", c.state},
                     {"write", c.write}});
  return {{"v", 1},
          {"frames", frames},
          {"compensations", comps},
          {"failure", {{"code", inst.failure_code}, {"cause", inst.failure_cause}}},
          {"changed_by", inst.changed_by},
          {"left_standing", inst.left_standing}};
}

void runtime_from_json(const json& j, Instance& inst) {
  inst.frames.clear();
  for (const auto& f : j.at("frames")) {
    Frame frame = frame_from(f);
    inst.frames.emplace(frame.id, std::move(frame));
  }
  inst.compensations.clear();
  for (const auto& c : j.at("compensations"))
    inst.compensations.push_back({c.at("activity"), c.at("input"), c.at("key"),
                                  c.value("state", ""), c.value("write", json())});
  inst.failure_code = j.at("failure").at("code");
  inst.failure_cause = j.at("failure").at("cause");
  inst.changed_by = j.value("changed_by", std::vector<std::string>{});  // absent before 0.2
  inst.left_standing = j.value("left_standing", json::array());
}

}  // namespace covenant::engine::model
