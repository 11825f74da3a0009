// Operators' actions over many instances (role operator): POST /v1/instances/bulk (cancel,
// retry or signal every instance a query finds) and POST /v1/migrations (move running
// instances to another version by a state map). The same code as `covenant bulk` and
// `covenant migrate` (engine/runtime/operations.hpp); the caller is recorded as who did it.
#include "app/http/api.hpp"
#include "engine/runtime/operations.hpp"
#include "engine/time_format.hpp"

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace covenant::app::http {

namespace {

using nlohmann::json;

// A string member, "" when absent; nullopt (problem written) when present but not a string.
std::optional<std::string> text_member(Call& c, const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    problem(c, "InvalidArgument", std::string("'") + key + "' must be a string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<std::vector<std::string>> id_list(Call& c, const json& body) {
  std::vector<std::string> out;
  auto it = body.find("instances");
  if (it == body.end()) return out;
  bool ok = it->is_array() && it->size() <= 10000;
  for (const auto& v : ok ? *it : json::array()) ok = ok && v.is_string();
  if (!ok) {
    problem(c, "InvalidArgument", "'instances' must be an array of at most 10000 instance ids");
    return std::nullopt;
  }
  for (const auto& v : *it) out.push_back(v.get<std::string>());
  return out;
}

std::optional<int> limit_member(Call& c, const json& body, int max) {
  auto it = body.find("limit");
  if (it == body.end()) return 1000;
  if (!it->is_number_integer() || *it < 1 || *it > max) {
    problem(c, "InvalidArgument",
            "'limit' must be a whole number from 1 to " + std::to_string(max));
    return std::nullopt;
  }
  return it->get<int>();
}

std::optional<bool> flag(Call& c, const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end()) return false;
  if (!it->is_boolean()) {
    problem(c, "InvalidArgument", std::string("'") + key + "' must be true or false");
    return std::nullopt;
  }
  return it->get<bool>();
}

}  // namespace

void add_operation_routes(Api& api) {
  Services& s = api.services();
  api.route("POST", "/v1/instances/bulk", {"operator"}, [&s](Call& c) {
    auto body = json_body(c);
    if (!body) return;
    if (!body->is_object())
      return problem(c, "InvalidArgument",
                     "the body is a JSON object: {action, reason, query | instances, …}");
    engine::runtime::BulkRequest req;
    req.ns = c.ns;
    auto action = text_member(c, *body, "action");
    auto reason = text_member(c, *body, "reason");
    auto state = text_member(c, *body, "state");
    auto event = text_member(c, *body, "event");
    if (!action || !reason || !state || !event) return;
    auto dry_run = flag(c, *body, "dry_run");
    auto ids = id_list(c, *body);
    auto limit = limit_member(c, *body, 100000);
    if (!dry_run || !ids || !limit) return;
    req.action = *action;
    req.reason = *reason;
    req.state = *state;
    req.event = *event;
    req.dry_run = *dry_run;
    req.instances = *ids;
    req.limit = *limit;
    req.by = c.principal.name;
    if (body->contains("data")) req.data = (*body)["data"];
    json query = body->value("query", json::object());
    if (!query.is_object())
      return problem(c, "InvalidArgument",
                     "'query' is an object: {workflow, status, business_key, version, "
                     "open_gate, idle_for, created_from, created_to}");
    static const std::set<std::string> known = {"workflow",     "status",    "business_key",
                                                "version",      "open_gate", "idle_for",
                                                "created_from", "created_to"};
    for (const auto& [k, v] : query.items())
      if (!known.count(k))
        return problem(c, "InvalidArgument", "'query' has no member '" + k + "'");
    auto workflow = text_member(c, query, "workflow");
    auto status = text_member(c, query, "status");
    auto key = text_member(c, query, "business_key");
    auto version = text_member(c, query, "version");
    auto idle = text_member(c, query, "idle_for");
    auto from = text_member(c, query, "created_from");
    auto to = text_member(c, query, "created_to");
    auto gate = flag(c, query, "open_gate");
    if (!workflow || !status || !key || !version || !idle || !from || !to || !gate) return;
    req.filter.workflow = *workflow;
    req.filter.status = *status;
    req.filter.business_key = *key;
    req.filter.version = *version;
    req.filter.open_gate = *gate;
    req.idle_for = *idle;
    for (auto [text, target] : {std::pair{&*from, &req.filter.created_from_us},
                                std::pair{&*to, &req.filter.created_to_us}}) {
      if (text->empty()) continue;
      auto t = engine::parse_rfc3339(*text);
      if (!t)
        return problem(c, "InvalidArgument",
                       "'created_from' and 'created_to' are RFC 3339 times, not '" + *text + "'");
      *target = engine::to_micros(*t);
    }
    auto r = engine::runtime::bulk_action(s.runtime, req);
    if (!r) return problem(c, r.error());
    reply(c, 200, r->to_json(req));
  });

  api.route("POST", "/v1/migrations", {"operator"}, [&s](Call& c) {
    auto body = json_body(c);
    if (!body) return;
    if (!body->is_object() || !body->contains("map"))
      return problem(c, "InvalidArgument",
                     "the body is a JSON object with the state map: {map, reason, dry_run}");
    // The map as the YAML a file holds, or the same as a JSON object (which is YAML too).
    json map = (*body)["map"];
    std::string text;
    if (map.is_string()) {
      text = map.get<std::string>();
    } else if (map.is_object()) {
      if (!map.contains("apiVersion")) map["apiVersion"] = "covenant/v1";
      if (!map.contains("kind")) map["kind"] = "Migration";
      for (const char* k : {"from", "to"})
        if (map.contains(k) && map[k].is_number_integer())
          map[k] = std::to_string(map[k].get<long long>());
      text = map.dump(2);
    } else {
      return problem(c, "InvalidArgument", "'map' is the state map: a YAML text or an object");
    }
    auto parsed = workflows::parse_state_map(text, "map");
    if (!parsed)
      return problem(c, "InvalidArgument", "the state map is not valid",
                     {{"errors", parsed.error()}});
    auto reason = text_member(c, *body, "reason");
    auto dry_run = flag(c, *body, "dry_run");
    auto ids = id_list(c, *body);
    auto limit = limit_member(c, *body, 1000000);
    if (!reason || !dry_run || !ids || !limit) return;
    engine::runtime::MigrationRequest req{c.ns,     *parsed, *ids, *reason, c.principal.name,
                                          *dry_run, *limit};
    c.workflow = parsed->workflow;
    auto r = engine::runtime::migrate_instances(s.runtime, req);
    if (!r) return problem(c, r.error());
    if (!r->errors.empty())
      return problem(c, "InvalidArgument",
                     "the map does not hold between the two versions: nothing was moved",
                     {{"errors", r->errors}});
    reply(c, 200, r->to_json(req.dry_run));
  });
}

}  // namespace covenant::app::http
