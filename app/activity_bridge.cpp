#include "app/activity_bridge.hpp"

namespace covenant::app {

engine::ActivityResult ActivityBridge::execute(const engine::ActivityCall& call) {
  auto o = runner_.run(call.activity, call.input, call.idempotency_key, call.ns);
  if (o.ok) return engine::ActivityResult::success(std::move(o.result));
  return engine::ActivityResult::failure(o.code, o.message, o.retryable);
}

}  // namespace covenant::app
