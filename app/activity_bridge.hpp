// Connects the engine's ActivityExecutor seam to the activities Covenant ships. Activities
// named in the catalog but not implemented yet fail with NotImplemented (not retryable), so
// an instance that reaches one fails with a clear error instead of waiting forever.
#pragma once

#include "engine/activity_executor.hpp"

namespace covenant::app {

class ActivityBridge final : public engine::ActivityExecutor {
 public:
  engine::ActivityResult execute(const engine::ActivityCall& call) override;
};

}  // namespace covenant::app
