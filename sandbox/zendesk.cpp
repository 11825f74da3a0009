#include "sandbox/zendesk.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

namespace covenant::sandbox {

namespace {

using nlohmann::json;

constexpr const char* kZendesk = "zendesk";

}  // namespace

Answer zendesk(const std::string& path, const json& query, const std::string& base_url,
               RecordTx& tx) {
  if (path == "/api/v2/organizations/search.json") {
    json orgs = json::array();
    if (auto r = tx.by_external_id(kZendesk, "organization", query.value("external_id", "")))
      orgs.push_back(r->body);
    return {200, {{"organizations", orgs}, {"count", orgs.size()}, {"next_page", nullptr}}};
  }
  static const std::regex tickets_re(R"(^/api/v2/organizations/(\d+)/tickets\.json$)");
  std::smatch m;
  if (std::regex_match(path, m, tickets_re)) {
    if (!tx.get(kZendesk, "organization", m[1]))
      return {404, {{"error", "RecordNotFound"}, {"description", "Not found"}}};
    auto number = [&](const char* name, std::size_t fallback) -> std::optional<std::size_t> {
      std::string v = query.value(name, "");
      if (v.empty()) return fallback;
      if (v.size() > 6 ||
          !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::nullopt;
      return static_cast<std::size_t>(std::stoul(v));
    };
    auto per_page_value = number("per_page", 100), page_value = number("page", 1);
    if (!per_page_value || !page_value)
      return {400,
              {{"error", "InvalidPaginationParameter"},
               {"description", "per_page and page must be positive integers"}}};
    std::size_t per_page = std::clamp<std::size_t>(*per_page_value, 1, 100);
    std::size_t page = std::max<std::size_t>(1, *page_value);
    json tickets = json::array(), metrics = json::array();
    std::size_t seen = 0;
    bool more = false;
    for (const auto& r : tx.list(kZendesk, "ticket")) {
      if (r.body["organization_id"].dump() != m[1].str()) continue;
      ++seen;
      if (seen <= (page - 1) * per_page) continue;
      if (tickets.size() == per_page) {
        more = true;
        break;
      }
      json t = r.body;
      metrics.push_back(t["_metrics"]);
      t.erase("_metrics");
      tickets.push_back(t);
    }
    json next =
        more ? json(base_url + "/api/v2/organizations/" + m[1].str() +
                    "/tickets.json?include=metric_sets&per_page=" + std::to_string(per_page) +
                    "&page=" + std::to_string(page + 1))
             : json();
    json out = {{"tickets", tickets}, {"next_page", next}, {"count", tickets.size()}};
    if (query.value("include", "") == "metric_sets") out["metric_sets"] = metrics;
    return {200, out};
  }
  return {404, {{"error", "InvalidEndpoint"}, {"description", "Not found"}}};
}

void seed_zendesk(RecordTx& tx) {
  if (!tx.list(kZendesk, "organization").empty()) return;
  const char* orgs[][2] = {
      {"ACC-1001", "Acme Corporation"}, {"ACC-1002", "Globex GmbH"}, {"ACC-1003", "Initech LLC"}};
  long long id = 360001;
  for (const auto& o : orgs) {
    tx.put({kZendesk,
            "organization",
            std::to_string(id),
            o[0],
            {{"id", id}, {"name", o[1]}, {"external_id", o[0]}},
            0});
    ++id;
  }
  struct T {
    long long id;
    long long org;
    const char* subject;
    const char* priority;
    const char* status;
    const char* created;
    int reply;
    int resolve;
  };
  const T tickets[] = {
      {9001, 360001, "Dashboard slow to load", "normal", "solved", "2027-02-03T09:12:00Z", 95,
       1320},
      {9002, 360001, "API returning 503s for all requests", "urgent", "solved",
       "2027-03-14T02:40:00Z", 240, 610},
      {9003, 360001, "SSO login fails for new users", "high", "solved", "2027-03-20T15:05:00Z", 38,
       300},
      {9004, 360001, "Question about invoice layout", "low", "open", "2027-04-02T11:30:00Z", 480,
       -1},
      {9005, 360002, "Export to CSV missing columns", "normal", "solved", "2027-02-10T08:00:00Z",
       120, 2880},
  };
  for (const auto& t : tickets) {
    json metrics = {{"ticket_id", t.id},
                    {"reply_time_in_minutes", {{"calendar", t.reply}, {"business", t.reply}}},
                    {"full_resolution_time_in_minutes",
                     t.resolve < 0 ? json{{"calendar", nullptr}, {"business", nullptr}}
                                   : json{{"calendar", t.resolve}, {"business", t.resolve}}}};
    tx.put({kZendesk,
            "ticket",
            std::to_string(t.id),
            "",
            {{"id", t.id},
             {"organization_id", t.org},
             {"subject", t.subject},
             {"priority", t.priority},
             {"status", t.status},
             {"created_at", t.created},
             {"updated_at", t.created},
             {"type", "incident"},
             {"_metrics", metrics}},
            0});
  }
}

Answer teams(const std::string& path, const std::string& body, RecordTx& tx) {
  const std::string bad = "Bad payload received by generic incoming webhook.";
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("type", json()) != "message" ||
      !j.contains("attachments") || !j["attachments"].is_array() || j["attachments"].empty())
    return {400, bad};
  for (const auto& a : j["attachments"]) {
    if (!a.is_object() ||
        a.value("contentType", json()) != "application/vnd.microsoft.card.adaptive")
      return {400, bad};
    const json& card = a.value("content", json());
    if (!card.is_object() || card.value("type", json()) != "AdaptiveCard" ||
        !card.contains("body") || !card["body"].is_array())
      return {400, bad};
  }
  tx.put({"teams", "message", std::to_string(tx.next("teams:message")), path, j, 0});
  return {202, ""};
}

Answer slack(const std::string& path, const std::string& body, RecordTx& tx) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return {400, "invalid_payload"};
  if (!j.contains("text") || !j["text"].is_string() || j["text"].get<std::string>().empty())
    return {400, "no_text"};
  tx.put({"slack", "message", std::to_string(tx.next("slack:message")), path, j, 0});
  return {200, "ok"};
}

}  // namespace covenant::sandbox
