// ActivityExecutor: how the engine runs an activity. Declared here, implemented by
// activities/ (and by test systems). Called at least once per attempt, outside any database
// transaction, always with the same idempotency key for every attempt of a task: the
// implementation passes it to the system it writes to, so a repeated call writes once.
// Implementations must be safe to call from several worker threads at once.
#pragma once

#include "engine/clock.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace covenant::engine {

struct ActivityCall {
  std::string activity;
  nlohmann::json input;
  std::string idempotency_key;
  int attempt = 1;
  std::string instance_id;
  TimePoint deadline{};  // epoch when the task has no timeout
  std::string ns;        // the instance's namespace: what the activity stores or reads is its
};

struct ActivityResult {
  bool ok = false;
  nlohmann::json result;   // when ok
  std::string error_code;  // e.g. "Unavailable", "ValidationFailed", "NotImplemented"
  std::string message;
  bool retryable = false;  // transient: try again later

  static ActivityResult success(nlohmann::json r) { return {true, std::move(r), "", "", false}; }
  static ActivityResult failure(std::string code, std::string msg, bool retryable) {
    return {false, nullptr, std::move(code), std::move(msg), retryable};
  }
};

class ActivityExecutor {
 public:
  virtual ~ActivityExecutor() = default;
  virtual ActivityResult execute(const ActivityCall& call) = 0;
};

}  // namespace covenant::engine
