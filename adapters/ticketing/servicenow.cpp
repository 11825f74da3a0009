// ServiceNow incidents for SLA monitoring (ticketing.hpp). What ServiceNow answers is checked
// field by field: a page that is not {"result": [...]} is an error, a field of another type is
// read as absent, never a crash or a guess.
#include "adapters/ticketing/ticketing.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>

namespace covenant::adapters::ticketing {

namespace {

using http::Error;
using http::Failure;

constexpr int kPage = 100;
constexpr int kMaxPages = 1000;

std::string text_of(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// "2027-03-14 02:40:00" (UTC) as seconds since the epoch.
std::optional<std::int64_t> seconds(const std::string& t) {
  int y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  if (t.size() != 19 ||
      std::sscanf(t.c_str(), "%4d-%2u-%2u %2u:%2u:%2u%c", &y, &mo, &d, &h, &mi, &s, &tail) != 6)
    return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{mo},
                                  std::chrono::day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch().count() * 86400LL + h * 3600 + mi * 60 + s;
}

std::string rfc3339(const std::string& t) {
  return seconds(t) ? t.substr(0, 10) + "T" + t.substr(11) + "Z" : "";
}

Error servicenow_error(const http::Client& client, const http::Response& r) {
  Error e = client.classify_default(r);
  auto j = http::parse_answer(r.body);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    std::string m = text_of(j["error"], "message"), d = text_of(j["error"], "detail");
    e.code = m;
    e.message = "servicenow: " + (d.empty() ? m : m + ": " + d);
  }
  return e;
}

}  // namespace

http::Result<json> ServiceNow::list_tickets(const json& in) {
  std::string account = text_of(in, "account");
  if (account.empty() || account.find('^') != std::string::npos)
    return tl::unexpected(Error{Failure::Permanent,
                                "servicenow: 'account' must be a non-empty string without '^'", 0,
                                "bad_input"});
  std::string since = text_of(in, "since");
  if (!since.empty() && !seconds(since + " 00:00:00"))
    return tl::unexpected(Error{Failure::Permanent,
                                "servicenow: 'since' must be a date, YYYY-MM-DD", 0, "bad_input"});
  // Every page of a table's records matching `query`.
  auto all = [this](const std::string& table, const std::string& query,
                    const std::string& fields) -> http::Result<json> {
    json out = json::array();
    for (int page = 0; page < kMaxPages; ++page) {
      http::Request r;
      r.path = "/api/now/table/" + table + "?sysparm_query=" + http::url_encode(query) +
               "&sysparm_fields=" + fields + "&sysparm_limit=" + std::to_string(kPage) +
               "&sysparm_offset=" + std::to_string(page * kPage) +
               "&sysparm_display_value=false&sysparm_exclude_reference_link=true";
      auto res = http_->send(
          r, [this](const http::Response& resp) { return servicenow_error(*http_, resp); });
      if (!res) return tl::unexpected(res.error());
      auto j = http::parse_answer(res->body);
      if (!j.is_object() || !j.contains("result") || !j["result"].is_array())
        return tl::unexpected(Error{
            Failure::Transient,
            "servicenow: an answer that is not {\"result\": [...]} for " + table, res->status, ""});
      for (auto& rec : j["result"]) out.push_back(std::move(rec));
      if (j["result"].size() < static_cast<std::size_t>(kPage)) return out;
    }
    return tl::unexpected(Error{Failure::Permanent,
                                "servicenow: more than " + std::to_string(kMaxPages * kPage) +
                                    " records of " + table + " for one account",
                                0, "too_many"});
  };
  std::string of_account = "company.u_external_id=" + account;
  std::string opened = since.empty() ? "" : "^opened_at>=" + since + " 00:00:00";
  auto incidents = all("incident", of_account + opened + "^ORDERBYopened_at",
                       "sys_id,number,short_description,priority,state,opened_at,resolved_at,"
                       "sys_updated_on,calendar_stc");
  if (!incidents) return tl::unexpected(incidents.error());
  auto slas = all("task_sla", "task.company.u_external_id=" + account + "^sla.target=response",
                  "task,start_time,end_time,stage");
  if (!slas) return tl::unexpected(slas.error());
  std::map<std::string, json> response;  // incident sys_id → minutes to first response
  for (const auto& s : *slas) {
    auto start = seconds(text_of(s, "start_time")), stop = seconds(text_of(s, "end_time"));
    if (start && stop && *stop >= *start) response[text_of(s, "task")] = (*stop - *start) / 60;
  }
  json tickets = json::array();
  for (const auto& i : *incidents) {
    std::string p = text_of(i, "priority");
    int level = p == "1" ? 1 : p == "2" ? 2 : p == "3" ? 3 : (p == "4" || p == "5") ? 4 : 0;
    std::string stc = text_of(i, "calendar_stc");
    json resolution = nullptr;
    if (!text_of(i, "resolved_at").empty() && !stc.empty() && stc.size() < 10 &&
        stc.find_first_not_of("0123456789") == std::string::npos)
      resolution = std::stoll(stc) / 60;
    auto r = response.find(text_of(i, "sys_id"));
    tickets.push_back({{"id", text_of(i, "number")},
                       {"subject", text_of(i, "short_description")},
                       {"priority", p.empty() ? json() : json(p)},
                       {"priority_level", level ? json(level) : json()},
                       {"status", text_of(i, "state")},
                       {"created_at", rfc3339(text_of(i, "opened_at"))},
                       {"updated_at", rfc3339(text_of(i, "sys_updated_on"))},
                       {"first_reply_minutes", r == response.end() ? json() : r->second},
                       {"resolution_minutes", resolution}});
  }
  return json{{"system", "servicenow"}, {"account", account}, {"tickets", tickets}};
}

}  // namespace covenant::adapters::ticketing
