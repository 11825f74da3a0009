#include "app/webhook_bridge.hpp"

#include "adapters/notifier/webhook_client.hpp"

namespace covenant::app {

engine::Result<void> WebhookBridge::send(const engine::notify::Endpoint& to,
                                         const std::string& event_id, const std::string& body,
                                         std::int64_t timestamp_s) {
  namespace n = adapters::notifier;
  auto d = n::post_webhook({to.url, to.secrets_at(timestamp_s), event_id, body, timestamp_s});
  if (d.outcome == n::Delivery::Delivered) return {};
  return engine::fail(d.outcome == n::Delivery::Transient ? engine::ErrorCode::Unavailable
                                                          : engine::ErrorCode::InvalidArgument,
                      to.name + ": " + d.message);
}

}  // namespace covenant::app
