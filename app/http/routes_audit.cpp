// /v1/audit: the audit trail across instances for auditors and finance — events by time range,
// instance, contract, type and actor with keyset paging; the streamed export (CSV or JSON
// Lines); chain verification; the signed checkpoints; evidence documents' text, which term
// evidence offsets point into (docs/audit.md).
#include "app/http/api.hpp"
#include "engine/audit/checkpoint.hpp"
#include "engine/audit/export.hpp"
#include "engine/audit/verify.hpp"
#include "engine/time_format.hpp"

namespace covenant::app::http {
namespace {

using nlohmann::json;

// The filters every audit route shares, or a 400 problem written.
std::optional<engine::audit::ExportOptions> filters(Call& c) {
  engine::audit::ExportOptions o;
  o.ns = c.ns;
  for (const char* name : {"from", "to"}) {
    std::string v = query_param(c, name);
    if (v.empty()) continue;
    auto t = engine::parse_rfc3339(v);
    if (!t) {
      problem(c, "BadRequest",
              std::string("'") + name + "' must be a date or an RFC 3339 time, e.g. 2027-01-15");
      return std::nullopt;
    }
    (std::string(name) == "from" ? o.query.from_us : o.query.to_us) = engine::to_micros(*t);
  }
  if (o.query.to_us && o.query.to_us <= o.query.from_us) {
    problem(c, "BadRequest", "'to' must be after 'from' (the range is [from, to))");
    return std::nullopt;
  }
  o.query.instance_id = query_param(c, "instance");
  o.query.business_key = query_param(c, "contract");
  o.query.type_name = query_param(c, "type");
  o.query.customer = query_param(c, "customer");
  o.actor = query_param(c, "actor");
  return o;
}

}  // namespace

void add_audit_routes(Api& api) {
  Services& s = api.services();
  api.route("GET", "/v1/audit/events", {"auditor", "finance"}, [&s](Call& c) {
    auto o = filters(c);
    if (!o) return;
    auto limit = limit_param(c, 200, 1000);
    if (!limit) return;
    engine::store::HistoryCursor after;
    if (auto cur = query_param(c, "cursor"); !cur.empty()) {
      auto decoded = engine::audit::decode_cursor(cur);
      if (!decoded) return problem(c, "BadRequest", "'cursor' is not a cursor this API gave");
      after = *decoded;
    }
    auto page = engine::audit::events_page(s.store, *o, after, *limit);
    if (!page) return problem(c, page.error());
    reply(c, 200,
          {{"events", page->events},
           {"next_cursor", page->next ? json(engine::audit::encode_cursor(*page->next)) : json()}});
  });
  api.route("GET", "/v1/audit/export", {"auditor", "finance"}, [&s](Call& c) {
    auto o = filters(c);
    if (!o) return;
    o->format = query_param(c, "format").empty() ? "csv" : query_param(c, "format");
    if (o->format != "csv" && o->format != "jsonl")
      return problem(c, "BadRequest", "'format' is csv or jsonl");
    c.res.status = 200;
    c.res.content_type = o->format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson";
    c.res.headers.emplace_back("Content-Disposition",
                               std::string("attachment; filename=\"covenant-audit.") +
                                   (o->format == "csv" ? "csv" : "jsonl") + "\"");
    engine::store::Store& store = s.store;
    auto options = *o;
    c.res.stream = [&store, options](const std::function<bool(std::string_view)>& write) {
      return static_cast<bool>(engine::audit::export_history(store, options, write));
    };
  });
  api.route("GET", "/v1/audit/verify", {"auditor", "finance"}, [&s](Call& c) {
    auto r = engine::audit::verify(s.store, scope(c), query_param(c, "instance"));
    if (!r) return problem(c, r.error());
    json breaks = json::array();
    for (const auto& b : r->breaks)
      breaks.push_back({{"instance", b.instance_id},
                        {"contract", b.business_key},
                        {"seq", b.seq},
                        {"reason", b.reason}});
    reply(c, 200,
          {{"instances", r->instances},
           {"events", r->events},
           {"intact", r->intact()},
           {"breaks", breaks}});
  });
  api.route("GET", "/v1/documents/{sha256}", {"auditor", "finance", "revops"}, [&s](Call& c) {
    auto d = s.store.documents.get(c.ns, c.params[0]);
    if (!d) return problem(c, d.error());
    if (!*d) return problem(c, "NotFound", "no document " + c.params[0]);
    reply(c, 200,
          {{"sha256", (*d)->sha256},
           {"media_type", (*d)->media_type},
           {"bytes", (*d)->bytes},
           {"pages", (*d)->pages},
           {"text", (*d)->text}});
  });
  api.route("GET", "/v1/audit/checkpoints", {"auditor", "finance"}, [&s](Call& c) {
    auto rows = s.store.audit.checkpoints(c.ns);
    if (!rows) return problem(c, rows.error());
    json out = json::array();
    for (const auto& r : *rows) out.push_back(engine::audit::checkpoint_json(r));
    reply(c, 200, {{"checkpoints", out}});
  });
}

}  // namespace covenant::app::http
