#include "adapters/notifier/webhook_client.hpp"

#include "adapters/notifier/signature.hpp"

#include <httplib.h>

#include <regex>

namespace covenant::adapters::notifier {

Delivery post_webhook(const Webhook& w, std::chrono::seconds timeout) {
  static const std::regex url_re(R"(^(https?://[^/]+)(/.*)?$)");
  std::smatch m;
  if (!std::regex_match(w.url, m, url_re)) return {Delivery::Refused, "not an http(s) URL"};
  httplib::Client client(m[1].str());
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  httplib::Headers headers = {{"Covenant-Event-Id", w.event_id},
                              {"User-Agent", "Covenant-Webhooks/1"}};
  // A Slack incoming webhook has no secret to sign with: its URL is the secret.
  if (!w.secrets.empty()) headers.emplace(kSignatureHeader, sign(w.secrets, w.timestamp_s, w.body));
  auto res = client.Post(m[2].matched ? m[2].str() : "/", headers, w.body, "application/json");
  if (!res) return {Delivery::Transient, "cannot reach it: " + httplib::to_string(res.error())};
  if (res->status >= 200 && res->status < 300) return {};
  std::string why = "it answered " + std::to_string(res->status);
  if (res->status == 408 || res->status == 429 || res->status >= 500)
    return {Delivery::Transient, why};
  return {Delivery::Refused, why};
}

}  // namespace covenant::adapters::notifier
