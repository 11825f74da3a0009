// /v1/contracts/{contract}/usage: metered usage in (idempotent per event id) and its total
// over a period out, for usage-based billing (bill.rate_usage rates it).
#include "app/http/api.hpp"
#include "engine/time_format.hpp"

#include <regex>

namespace covenant::app::http {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxRecords = 1000;

// One usage record from the body, or a 422 problem written (nullopt).
std::optional<engine::store::UsageRecord> read_record(Call& c, const json& j, const std::string& at,
                                                      const std::string& contract,
                                                      std::int64_t now_us) {
  static const std::regex id_re(R"(^[A-Za-z0-9_.:\-]{1,128}$)");
  static const std::regex metric_re(R"(^[a-z0-9][a-z0-9_.\-]{0,63}$)");
  auto bad = [&](const std::string& why) {
    problem(c, "InvalidArgument", at + ": " + why, {{"field", at}});
    return std::nullopt;
  };
  if (!j.is_object()) return bad("a usage record is an object");
  engine::store::UsageRecord r;
  r.contract_id = contract;
  if (!j.contains("event_id") || !j["event_id"].is_string() ||
      !std::regex_match(j["event_id"].get_ref<const std::string&>(), id_re))
    return bad("'event_id' is 1 to 128 letters, digits, '_', '.', ':' or '-'");
  r.event_id = j["event_id"].get<std::string>();
  if (!j.contains("metric") || !j["metric"].is_string() ||
      !std::regex_match(j["metric"].get_ref<const std::string&>(), metric_re))
    return bad("'metric' is 1 to 64 of a-z, 0-9, '_', '.' and '-'");
  r.metric = j["metric"].get<std::string>();
  if (!j.contains("quantity") || !j["quantity"].is_number_integer() ||
      (j["quantity"].is_number_unsigned() && j["quantity"].get<std::uint64_t>() > INT64_MAX) ||
      j["quantity"].get<std::int64_t>() < 0)
    return bad(
        "'quantity' is a whole number of units, 0 or more (no fractions: meter smaller units)");
  r.quantity = j["quantity"].get<std::int64_t>();
  auto when = j.contains("occurred_at") && j["occurred_at"].is_string()
                  ? engine::parse_rfc3339(j["occurred_at"].get<std::string>())
                  : std::nullopt;
  if (!when) return bad("'occurred_at' is an RFC 3339 time");
  r.occurred_us = engine::to_micros(*when);
  if (r.occurred_us > now_us + 300'000'000)
    return bad("'occurred_at' is more than 5 minutes in the future");
  return r;
}

}  // namespace

void add_usage_routes(Api& api) {
  Services& s = api.services();
  api.route("POST", "/v1/contracts/{contract}/usage", {"service", "revops"}, [&s](Call& c) {
    auto body = json_body(c);
    if (!body) return;
    std::int64_t now_us = engine::to_micros(s.clock.now());
    const json& list = body->is_object() && body->contains("records") ? (*body)["records"] : *body;
    std::vector<engine::store::UsageRecord> rows;
    if (list.is_array()) {
      if (list.empty() || list.size() > kMaxRecords)
        return problem(c, "InvalidArgument",
                       "'records' holds 1 to " + std::to_string(kMaxRecords) + " usage records");
      for (std::size_t i = 0; i < list.size(); ++i) {
        auto r = read_record(c, list[i], "records[" + std::to_string(i) + "]", c.params[0], now_us);
        if (!r) return;
        rows.push_back(*r);
      }
    } else {
      auto r = read_record(c, list, "the body", c.params[0], now_us);
      if (!r) return;
      rows.push_back(*r);
    }
    auto done = s.store.usage.record(c.ns, rows, now_us);
    if (!done) return problem(c, done.error());
    reply(c, done->added > 0 ? 201 : 200, {{"added", done->added}, {"repeated", done->repeated}});
  });
  api.route("GET", "/v1/contracts/{contract}/usage", {"revops", "auditor", "finance", "service"},
            [&s](Call& c) {
              std::string metric = query_param(c, "metric");
              auto from = engine::parse_rfc3339(query_param(c, "from") + "T00:00:00Z");
              auto to = engine::parse_rfc3339(query_param(c, "to") + "T00:00:00Z");
              if (metric.empty() || !from || !to || *to <= *from)
                return problem(c, "BadRequest",
                               "give ?metric=…&from=YYYY-MM-DD&to=YYYY-MM-DD (to after from; "
                               "to is not included)");
              auto t = s.store.usage.total(c.ns, c.params[0], metric, engine::to_micros(*from),
                                           engine::to_micros(*to));
              if (!t) return problem(c, t.error());
              reply(c, 200,
                    {{"contract_id", c.params[0]},
                     {"metric", metric},
                     {"from", query_param(c, "from")},
                     {"to", query_param(c, "to")},
                     {"quantity", t->quantity},
                     {"records", t->records}});
            });
}

}  // namespace covenant::app::http
