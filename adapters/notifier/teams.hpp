// Microsoft Teams messages through a channel's incoming webhook (a Teams Workflows "post to a
// channel when a webhook request is received" URL, or a legacy connector's): POST a message
// whose one attachment is an Adaptive Card (application/vnd.microsoft.card.adaptive, schema
// 1.4) — the title, the text, and facts as a FactSet — answered 202 (Workflows) or 200 "1"
// (connector). The URL is itself the secret: it comes from the environment. A message over
// Teams' 28 KB is refused before it is sent. Teams takes no idempotency key: a message retried
// after a lost answer may arrive twice (notifications are at least once). Thread-safe.
#pragma once

#include "adapters/http/client.hpp"

#include <nlohmann/json.hpp>

#include <memory>

namespace covenant::adapters::notifier {

class Teams {
 public:
  // `client` is on the webhook URL's scheme and host; `path` is the rest of it.
  Teams(std::shared_ptr<http::Client> client, std::string path)
      : http_(std::move(client)), path_(std::move(path)) {}
  // in: {text, title?, facts?: [{title, value}] (at most 20)}
  http::Result<nlohmann::json> post(const nlohmann::json& in);

 private:
  std::shared_ptr<http::Client> http_;
  std::string path_;
};

// The message `in` makes (what post sends), or the reason it cannot be one.
tl::expected<nlohmann::json, std::string> teams_message(const nlohmann::json& in);

}  // namespace covenant::adapters::notifier
