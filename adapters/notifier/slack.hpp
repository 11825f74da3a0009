// Slack-compatible incoming webhooks: POST {"text", "channel"?} as JSON to the webhook URL
// (itself a secret: it comes from the environment), answered "ok". Slack has no idempotency
// key: a message retried after a lost answer may arrive twice (notifications are at least
// once). Thread-safe.
#pragma once

#include "adapters/http/client.hpp"

#include <nlohmann/json.hpp>

#include <memory>

namespace covenant::adapters::notifier {

class Slack {
 public:
  // `client` is on the webhook URL's scheme and host; `path` is the rest of it.
  Slack(std::shared_ptr<http::Client> client, std::string path)
      : http_(std::move(client)), path_(std::move(path)) {}
  http::Result<nlohmann::json> post(const nlohmann::json& in);

 private:
  std::shared_ptr<http::Client> http_;
  std::string path_;
};

// Splits "https://hooks.slack.com/services/T/B/X" into base and path; nullopt when it is not
// an http(s) URL.
std::optional<std::pair<std::string, std::string>> split_url(const std::string& url);

}  // namespace covenant::adapters::notifier
