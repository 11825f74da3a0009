#include "adapters/notifier/teams.hpp"

namespace covenant::adapters::notifier {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxBytes = 28 * 1024;  // Teams' limit for a message
constexpr std::size_t kMaxFacts = 20;

bool nonempty_text(const json& in, const char* key) {
  return in.contains(key) && in[key].is_string() && !in[key].get_ref<const std::string&>().empty();
}

}  // namespace

tl::expected<json, std::string> teams_message(const json& in) {
  if (!in.is_object() || !nonempty_text(in, "text"))
    return tl::unexpected(std::string("'text' must be a non-empty string"));
  json body = json::array();
  if (in.contains("title") && !in["title"].is_null()) {
    if (!nonempty_text(in, "title"))
      return tl::unexpected(std::string("'title' must be a non-empty string"));
    body.push_back({{"type", "TextBlock"},
                    {"text", in["title"]},
                    {"weight", "Bolder"},
                    {"size", "Medium"},
                    {"wrap", true}});
  }
  body.push_back({{"type", "TextBlock"}, {"text", in["text"]}, {"wrap", true}});
  if (in.contains("facts") && !in["facts"].is_null()) {
    const json& facts = in["facts"];
    if (!facts.is_array() || facts.size() > kMaxFacts)
      return tl::unexpected(std::string("'facts' must be a list of at most ") +
                            std::to_string(kMaxFacts) + " {title, value}");
    json set = json::array();
    for (const auto& f : facts) {
      if (!f.is_object() || !nonempty_text(f, "title") || !f.contains("value") ||
          !(f["value"].is_string() || f["value"].is_number()))
        return tl::unexpected(
            std::string("each fact is {title, value}: a non-empty title, a text or number"));
      set.push_back(
          {{"title", f["title"]},
           {"value", f["value"].is_string() ? f["value"].get<std::string>() : f["value"].dump()}});
    }
    body.push_back({{"type", "FactSet"}, {"facts", set}});
  }
  json message = {
      {"type", "message"},
      {"attachments",
       json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                     {"contentUrl", nullptr},
                     {"content",
                      {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                       {"type", "AdaptiveCard"},
                       {"version", "1.4"},
                       {"body", body}}}}})}};
  if (message.dump(-1, ' ', false, json::error_handler_t::replace).size() > kMaxBytes)
    return tl::unexpected(std::string("the message is over Teams' 28 KB: shorten the text"));
  return message;
}

http::Result<json> Teams::post(const json& in) {
  auto message = teams_message(in);
  if (!message)
    return tl::unexpected(
        http::Error{http::Failure::Permanent, "teams: " + message.error(), 0, "bad_input"});
  http::Request r;
  r.method = "POST";
  r.path = path_;
  r.body = message->dump(-1, ' ', false, json::error_handler_t::replace);
  r.content_type = "application/json";
  auto res = http_->send(r, [this](const http::Response& resp) {
    http::Error e = http_->classify_default(resp);
    // Teams answers errors in words ("Bad payload received by generic incoming webhook."), or
    // with a JSON error object from Workflows.
    auto j = http::parse_answer(resp.body);
    std::string said = j.is_object() && j.contains("error") && j["error"].is_object() &&
                               j["error"].contains("message") && j["error"]["message"].is_string()
                           ? j["error"]["message"].get<std::string>()
                           : resp.body.substr(0, 300);
    e.message = "teams: " + said;
    return e;
  });
  if (!res) return tl::unexpected(res.error());
  return json{{"system", "teams"}, {"delivered", true}, {"status", res->status}};
}

}  // namespace covenant::adapters::notifier
