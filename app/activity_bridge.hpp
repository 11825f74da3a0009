// Connects the engine's ActivityExecutor seam to the activities Covenant ships
// (activities::Runner), and builds the adapters they call from configuration. Activities
// not implemented yet fail with NotImplemented (not retryable), so an instance that reaches
// one fails with a clear error instead of waiting forever.
#pragma once

#include "activities/runner.hpp"
#include "engine/activity_executor.hpp"

namespace covenant::app {

class ActivityBridge final : public engine::ActivityExecutor {
 public:
  ActivityBridge() : runner_(activities::Systems{}) {}
  explicit ActivityBridge(
      activities::Systems systems,
      std::function<std::int64_t()> timestamp_s = [] { return std::int64_t{0}; })
      : runner_(std::move(systems), std::move(timestamp_s)) {}
  engine::ActivityResult execute(const engine::ActivityCall& call) override;

 private:
  activities::Runner runner_;
};

}  // namespace covenant::app
