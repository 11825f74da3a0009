#include "adapters/notifier/slack.hpp"

#include <regex>

namespace covenant::adapters::notifier {

std::optional<std::pair<std::string, std::string>> split_url(const std::string& url) {
  static const std::regex url_re(R"(^(https?://[^/]+)(/.*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, url_re)) return std::nullopt;
  return std::make_pair(m[1].str(), m[2].matched ? m[2].str() : "/");
}

http::Result<nlohmann::json> Slack::post(const nlohmann::json& in) {
  if (!in.contains("text") || !in["text"].is_string() || in["text"].get<std::string>().empty())
    return tl::unexpected(http::Error{http::Failure::Permanent,
                                      "slack: 'text' must be a non-empty string", 0, "bad_input"});
  nlohmann::json body = {{"text", in["text"]}};
  if (in.contains("channel") && in["channel"].is_string()) body["channel"] = in["channel"];
  http::Request r;
  r.method = "POST";
  r.path = path_;
  r.body = body.dump();
  r.content_type = "application/json";
  auto res = http_->send(r, [this](const http::Response& resp) {
    http::Error e = http_->classify_default(resp);
    e.message = "slack: " + resp.body;  // Slack answers errors as plain words: no_text, …
    e.code = resp.body;
    return e;
  });
  if (!res) return tl::unexpected(res.error());
  return nlohmann::json{{"system", "slack"}, {"delivered", true}};
}

}  // namespace covenant::adapters::notifier
