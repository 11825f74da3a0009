// Connects the engine's notifier to the adapters' webhook client (the engine knows no HTTP,
// the adapters know no engine): one Sender that signs and posts.
#pragma once

#include "engine/notify/notifier.hpp"

namespace covenant::app {

class WebhookBridge final : public engine::notify::Sender {
 public:
  engine::Result<void> send(const engine::notify::Endpoint& to, const std::string& event_id,
                            const std::string& body, std::int64_t timestamp_s) override;
};

}  // namespace covenant::app
