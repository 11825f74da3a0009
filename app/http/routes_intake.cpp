// /v1/intake: "contract executed" deliveries from CLM systems (app/intake.hpp). A delivery is
// authenticated by the vendor's signature, not a token; whatever becomes of it — accepted,
// replayed, refused, ignored — is recorded (store.intake) before the answer goes back.
#include "app/http/api.hpp"
#include "app/intake.hpp"
#include "engine/log.hpp"
#include "workflows/sha256.hpp"

namespace covenant::app::http {

namespace {

using nlohmann::json;

json delivery_json(const engine::store::IntakeRow& r) {
  return {{"id", r.id},
          {"source", r.source},
          {"vendor", r.vendor},
          {"event_id", r.event_id.empty() ? json() : json(r.event_id)},
          {"outcome", r.outcome},
          {"reason", r.reason.empty() ? json() : json(r.reason)},
          {"detail", r.detail},
          {"instance_id", r.instance_id.empty() ? json() : json(r.instance_id)},
          {"body_sha256", r.body_sha256},
          {"received_at", engine::format_rfc3339(engine::from_micros(r.received_us))}};
}

}  // namespace

void add_intake_routes(Api& api) {
  Services& s = api.services();
  Api* self = &api;
  api.route(
      "POST", "/v1/intake/{source}", {},
      [&s, self](Call& c) {
        const intake::Source* source = nullptr;
        for (const auto& src : self->intake_sources())
          if (src.name == c.params[0]) source = &src;
        if (!source) return problem(c, "NotFound", "no intake source '" + c.params[0] + "'");
        std::int64_t now_us = engine::to_micros(s.clock.now());
        if (auto wait = self->take_intake(source->name, now_us)) {
          c.res.headers.emplace_back("Retry-After", std::to_string(*wait));
          return problem(c, "TooManyRequests",
                         "intake source '" + source->name +
                             "' is over its rate: send it again in " + std::to_string(*wait) +
                             " s");
        }
        engine::store::IntakeRow row;
        row.ns = source->ns;
        row.id = "dlv_" + s.ids.instance_id();  // time-ordered, unique
        row.source = source->name;
        row.vendor = source->vendor;
        row.body_sha256 = workflows::sha256_hex(c.req.body);
        row.received_us = now_us;
        auto keep = [&]() -> bool {
          if (auto r = s.store.intake.record(row); !r) {
            problem(c, r.error());
            return false;
          }
          (row.outcome == "refused" ? engine::log::warn : engine::log::info)(
              "intake", "delivery " + row.outcome,
              {{"source", row.source},
               {"delivery", row.id},
               {"event_id", row.event_id},
               {"reason", row.reason},
               {"instance", row.instance_id}});
          return true;
        };
        auto d = intake::read_delivery(
            *source, c.req.body, [&c](const std::string& h) { return c.req.header(h); }, now_us);
        if (!d) {
          row.outcome = d.error().outcome;
          row.reason = d.error().reason;
          row.detail = d.error().detail;
          if (!keep()) return;
          if (row.outcome == "ignored")
            return reply(c, 200,
                         {{"status", "ignored"}, {"delivery", row.id}, {"detail", row.detail}});
          bool auth = row.reason == "unsigned" || row.reason == "bad_signature";
          return problem(c, auth ? "Unauthenticated" : "BadRequest",
                         "delivery refused (" + row.reason + "): " + row.detail,
                         {{"delivery", row.id}, {"reason", row.reason}});
        }
        row.event_id = d->event_id;
        engine::runtime::StartOptions opts;
        opts.ns = source->ns;
        opts.business_key = d->contract_id;
        opts.started_by = "intake:" + source->name;
        // The start key makes a redelivered event (or two deliveries of it at once) start
        // one instance: the store's idempotent start is the dedupe.
        opts.start_key = "intake:" + source->name + ":" + d->event_id;
        const std::string& workflow = intake::workflow_for(*source, *d);
        auto started = s.runtime.start(workflow, d->input, opts);
        if (!started) {
          if (started.error().code == engine::ErrorCode::Conflict ||
              started.error().code == engine::ErrorCode::NotFound ||
              started.error().code == engine::ErrorCode::InvalidArgument ||
              started.error().code == engine::ErrorCode::ResourceExhausted) {
            row.outcome = "refused";
            row.reason = engine::to_string(started.error().code);
            row.detail = started.error().message;
            if (!keep()) return;
          }
          return problem(c, started.error());
        }
        row.instance_id = started->id;
        row.outcome = started->replayed ? "replayed" : "accepted";
        row.detail = started->replayed
                         ? "event " + d->event_id + " was delivered before: nothing started again"
                         : "started " + workflow + " for contract " + d->contract_id;
        if (!keep()) return;
        c.instance = started->id;
        c.workflow = workflow;
        reply(c, started->replayed ? 200 : 202,
              {{"status", started->replayed ? "duplicate" : "accepted"},
               {"delivery", row.id},
               {"event_id", row.event_id},
               {"instance_id", row.instance_id}});
      },
      Access::Public);
  api.route("GET", "/v1/intake/deliveries", {"auditor", "operator", "revops"}, [&s](Call& c) {
    auto limit = limit_param(c, 50, 500);
    if (!limit) return;
    std::optional<std::pair<std::int64_t, std::string>> before;
    if (auto cur = query_param(c, "cursor"); !cur.empty()) {
      before = read_cursor(cur);
      if (!before) return problem(c, "BadRequest", "'cursor' is not a cursor this API gave");
    }
    auto rows = s.store.intake.list(c.ns, query_param(c, "source"), *limit + 1, before);
    if (!rows) return problem(c, rows.error());
    json items = json::array();
    for (int i = 0; i < static_cast<int>(rows->size()) && i < *limit; ++i)
      items.push_back(delivery_json((*rows)[i]));
    json next = nullptr;
    if (static_cast<int>(rows->size()) > *limit)
      next = make_cursor((*rows)[*limit - 1].received_us, (*rows)[*limit - 1].id);
    reply(c, 200, {{"items", items}, {"next_cursor", next}});
  });
}

}  // namespace covenant::app::http
