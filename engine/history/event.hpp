// A history event. Builders (builder.hpp) make NewEvents during a transition; the runtime
// numbers them and chains their hashes (hash_chain.hpp) as it appends them. Payloads are
// versioned JSON: fields may be added (optional), never renamed.
#pragma once

#include "engine/history/event_type.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace covenant::engine::history {

struct NewEvent {
  EventType type;
  std::string frame;  // the execution path ("root", "root/load_crm.0")
  std::string state;  // the state it concerns, or ""
  nlohmann::json payload = nlohmann::json::object();
};

struct Event {
  std::string instance_id;
  std::int64_t seq = 0;  // 1, 2, 3, … per instance
  EventType type = EventType::WorkflowStarted;
  std::int64_t at_us = 0;  // transition time, microseconds since the epoch (UTC)
  std::string frame;
  std::string state;
  nlohmann::json payload;
  // payload.dump(), when the writer has it already (set by Runtime::seal; empty otherwise).
  std::string payload_text;
  std::string prev_hash;  // hash of event seq-1 ("" for the first)
  std::string hash;       // SHA-256 of this event's canonical form, which includes prev_hash
};

// The system an ActivityCompleted/ActivityFailed payload's activity calls: its name's prefix
// ("billing.create_invoice" -> "billing"); "unknown" when the payload names none. Metering
// counts activity calls by it (Metrics, audit::monthly_usage).
inline std::string activity_system(const nlohmann::json& payload) {
  const auto* activity =
      payload.is_object() && payload.contains("activity") && payload["activity"].is_string()
          ? payload["activity"].get_ptr<const std::string*>()
          : nullptr;
  std::string system = activity ? activity->substr(0, activity->find('.')) : "";
  return system.empty() ? "unknown" : system;
}

}  // namespace covenant::engine::history
