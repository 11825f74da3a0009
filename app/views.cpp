#include "app/views.hpp"

#include "engine/time_format.hpp"

namespace covenant::app {

nlohmann::json instance_json(const engine::model::Instance& i) {
  nlohmann::json frames = nlohmann::json::array();
  for (const auto& [id, f] : i.frames)
    frames.push_back({{"frame", id}, {"state", f.state}, {"status", f.status}});
  return {{"id", i.id},
          {"workflow", i.workflow},
          {"version", i.digest},
          {"business_key", i.business_key},
          {"started_by", i.started_by},
          {"changed_by", i.changed_by},
          {"status", i.status},
          {"error", i.error},
          {"error_message", i.failure_cause},
          {"at", frames},
          {"output", i.output},
          {"created", engine::format_rfc3339(engine::from_micros(i.created_us))},
          {"updated", engine::format_rfc3339(engine::from_micros(i.updated_us))},
          {"events", i.next_seq - 1}};
}

nlohmann::json event_json(const engine::history::Event& e) {
  return {{"instance", e.instance_id},
          {"seq", e.seq},
          {"type", engine::history::name(e.type)},
          {"at", engine::format_rfc3339(engine::from_micros(e.at_us))},
          {"frame", e.frame},
          {"state", e.state},
          {"payload", e.payload},
          {"prev_hash", e.prev_hash},
          {"hash", e.hash}};
}

}  // namespace covenant::app
