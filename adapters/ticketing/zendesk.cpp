#include "adapters/ticketing/ticketing.hpp"

#include <map>

namespace covenant::adapters::ticketing {

namespace {

using http::Error;
using http::Failure;

Error classify(const http::Client& client, const http::Response& r) {
  Error e = client.classify_default(r);
  auto j = http::parse_answer(r.body);
  if (j.is_object() && j.contains("error")) {
    e.code = j["error"].is_string() ? j["error"].get<std::string>() : j["error"].value("title", "");
    std::string d = j.contains("description") && j["description"].is_string()
                        ? j["description"].get<std::string>()
                        : (j["error"].is_object() ? j["error"].value("message", e.code) : e.code);
    e.message = "zendesk: " + d;
  }
  return e;
}

}  // namespace

http::Result<json> Zendesk::list_tickets(const json& in) {
  if (!in.contains("account") || !in["account"].is_string() ||
      in["account"].get<std::string>().empty())
    return tl::unexpected(
        Error{Failure::Permanent, "zendesk: 'account' must be a non-empty string", 0, "bad_input"});
  std::string since = in.value("since", "");
  auto send = [this](const std::string& path) -> http::Result<json> {
    http::Request r;
    r.path = path;
    auto res =
        http_->send(r, [this](const http::Response& resp) { return classify(*http_, resp); });
    if (!res) return tl::unexpected(res.error());
    auto j = http::parse_answer(res->body);
    if (j.is_discarded())
      return tl::unexpected(
          Error{Failure::Transient, "zendesk: an answer that is not JSON", res->status, ""});
    return j;
  };
  auto orgs =
      send("/api/v2/organizations/search.json?external_id=" + http::url_encode(in["account"]));
  if (!orgs) return orgs;
  if ((*orgs)["organizations"].empty())
    return tl::unexpected(
        Error{Failure::Permanent,
              "zendesk: no organization with external_id " + in["account"].get<std::string>(), 404,
              "RecordNotFound"});
  auto org_id = (*orgs)["organizations"][0]["id"];
  json tickets = json::array();
  std::string next =
      "/api/v2/organizations/" + org_id.dump() + "/tickets.json?include=metric_sets&per_page=100";
  for (int pages = 0; !next.empty() && pages < 1000; ++pages) {
    auto page = send(next);
    if (!page) return page;
    std::map<long long, json> metrics;
    for (const auto& m : (*page).value("metric_sets", json::array()))
      metrics[m.value("ticket_id", 0LL)] = m;
    for (const auto& t : (*page)["tickets"]) {
      std::string created = t.value("created_at", "");
      if (!since.empty() && created < since) continue;
      const json& m = metrics[t.value("id", 0LL)];
      tickets.push_back(
          {{"id", t.value("id", 0LL)},
           {"subject", t.value("subject", "")},
           {"priority", t.value("priority", json())},
           {"status", t.value("status", "")},
           {"created_at", created},
           {"updated_at", t.value("updated_at", "")},
           {"first_reply_minutes", m.is_object() && m.contains("reply_time_in_minutes")
                                       ? m["reply_time_in_minutes"].value("calendar", json())
                                       : json()},
           {"resolution_minutes",
            m.is_object() && m.contains("full_resolution_time_in_minutes")
                ? m["full_resolution_time_in_minutes"].value("calendar", json())
                : json()}});
    }
    std::string nxt = (*page).value("next_page", json()).is_string()
                          ? (*page)["next_page"].get<std::string>()
                          : "";
    auto at = nxt.find("/api/v2/");
    next = at == std::string::npos ? "" : nxt.substr(at);
  }
  return json{{"system", "zendesk"}, {"account", in["account"]}, {"tickets", tickets}};
}

}  // namespace covenant::adapters::ticketing
