// GET /v1/contracts/{contract}/obligations: the contract's obligations register as
// obligations.record wrote it (activities/resolve/obligations.cpp), soonest due first; filtered
// by ?kind=, ?owner= and ?due_before=YYYY-MM-DD (dated obligations due on or before that day).
#include "app/http/api.hpp"
#include "engine/time_format.hpp"

#include <set>

namespace covenant::app::http {

namespace {

using nlohmann::json;

bool is_day(const std::string& d) {
  return engine::parse_rfc3339(d + "T00:00:00Z").has_value() && d.size() == 10;
}

}  // namespace

void add_obligation_routes(Api& api) {
  Services& s = api.services();
  api.route("GET", "/v1/contracts/{contract}/obligations",
            {"revops", "finance", "auditor", "service"}, [&s](Call& c) {
              static const std::set<std::string> kinds = {
                  "deliverable",       "report",         "certificate", "audit",
                  "payment_milestone", "renewal_window", "other"};
              std::string kind = query_param(c, "kind"), owner = query_param(c, "owner");
              std::string before = query_param(c, "due_before");
              if (!kind.empty() && !kinds.count(kind))
                return problem(
                    c, "BadRequest",
                    "?kind= is deliverable, report, certificate, audit, payment_milestone, "
                    "renewal_window or other");
              if (!before.empty() && !is_day(before))
                return problem(c, "BadRequest", "?due_before= is a day, YYYY-MM-DD");
              if (owner.size() > 200)
                return problem(c, "BadRequest", "?owner= is at most 200 characters");
              auto rows = s.store.obligations.of_contract(c.ns, c.params[0]);
              if (!rows) return problem(c, rows.error());
              if (rows->empty()) {
                // An empty register of a contract in the book, or no such contract.
                auto known = s.store.contracts.get(c.ns, c.params[0]);
                if (!known) return problem(c, known.error());
                if (!*known)
                  return problem(c, "NotFound",
                                 "contract " + c.params[0] + " is not in the book of contracts");
              }
              json out = json::array();
              for (const auto& r : *rows) {
                if (!kind.empty() && r.kind != kind) continue;
                if (!owner.empty() && r.owner != owner) continue;
                if (!before.empty() && (r.due_date.empty() || r.due_date > before)) continue;
                json o = json::parse(r.body, nullptr, false);
                // A damaged row is said to be one, never shown as if it were the register.
                if (!o.is_object())
                  return problem(c, "Internal",
                                 "contract " + c.params[0] + "'s stored obligation " +
                                     r.obligation_id + " is not a JSON object: a person must look");
                o["id"] = r.obligation_id;
                o["kind"] = r.kind;
                o["owner"] = r.owner;
                o["due_date"] = r.due_date.empty() ? json() : json(r.due_date);
                o["recorded_at"] = engine::format_rfc3339(engine::from_micros(r.recorded_us));
                o["instance_id"] = r.instance_id;
                out.push_back(std::move(o));
              }
              reply(c, 200, {{"contract_id", c.params[0]}, {"obligations", out}});
            });
}

}  // namespace covenant::app::http
