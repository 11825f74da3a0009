#include "engine/runtime/instance.hpp"

namespace covenant::engine::runtime {

namespace {

nlohmann::json frame_json(const Frame& f) {
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
          {"gate", f.gate},
          {"granted", f.granted}};
}

Frame frame_from(const nlohmann::json& j) {
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
  f.gate = j.at("gate");
  f.granted = j.at("granted");
  return f;
}

}  // namespace

nlohmann::json runtime_to_json(const Instance& inst) {
  nlohmann::json frames = nlohmann::json::array();
  for (const auto& [id, f] : inst.frames) frames.push_back(frame_json(f));
  nlohmann::json comps = nlohmann::json::array();
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

void runtime_from_json(const nlohmann::json& j, Instance& inst) {
  inst.frames.clear();
  for (const auto& f : j.at("frames")) {
    Frame frame = frame_from(f);
    inst.frames.emplace(frame.id, std::move(frame));
  }
  inst.compensations.clear();
  for (const auto& c : j.at("compensations"))
    inst.compensations.push_back({c.at("activity"), c.at("input"), c.at("key"),
                                  c.value("state", ""), c.value("write", nlohmann::json())});
  inst.failure_code = j.at("failure").at("code");
  inst.failure_cause = j.at("failure").at("cause");
  inst.changed_by = j.value("changed_by", std::vector<std::string>{});  // absent before 0.2
  inst.left_standing = j.value("left_standing", nlohmann::json::array());
}

std::string root_context(const Instance& inst) {
  auto it = inst.frames.find("root");
  return it == inst.frames.end() ? std::string("{}") : it->second.context.dump();
}

}  // namespace covenant::engine::runtime
