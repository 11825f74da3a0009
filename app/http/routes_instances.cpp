// /v1/instances: start (Idempotency-Key honoured), get, history, cancel, events.
#include "app/http/problem.hpp"
#include "app/http/server.hpp"
#include "app/views.hpp"
#include "engine/time_format.hpp"

namespace covenant::app::http {

void add_instance_routes(Server& s) {
  s.route("POST", "/v1/instances", {"revops", "service"}, [&s](Call& c) {
    auto body = json_body(c);
    if (!body) return;
    if (!body->is_object() || !body->contains("workflow") || !(*body)["workflow"].is_string())
      return problem(c.res, 422, "InvalidArgument", "the body needs a string 'workflow'",
                     c.request_id);
    engine::runtime::StartOptions opts;
    opts.business_key = body->value("business_key", "");
    opts.started_by = c.principal.name;
    opts.start_key = c.req.get_header_value("Idempotency-Key");
    auto id = s.engine().runtime->start((*body)["workflow"],
                                        body->value("input", nlohmann::json::object()), opts);
    if (!id) return problem(c.res, id.error(), c.request_id);
    auto inst = s.engine().store->instance(*id);
    if (!inst || !*inst)
      return problem(c.res, 500, "Internal", "the instance vanished", c.request_id);
    reply(c, 201, instance_json(**inst));
  });
  s.route("GET", R"(/v1/instances/([A-Za-z0-9_.-]+))", {}, [&s](Call& c) {
    auto inst = s.engine().store->instance(c.req.matches[1]);
    if (!inst) return problem(c.res, inst.error(), c.request_id);
    if (!*inst) return problem(c.res, 404, "NotFound", "no such instance", c.request_id);
    reply(c, 200, instance_json(**inst));
  });
  s.route("GET", R"(/v1/instances/([A-Za-z0-9_.-]+)/history)", {"auditor", "revops"},
          [&s](Call& c) {
            auto h = s.engine().store->history(c.req.matches[1]);
            if (!h) return problem(c.res, h.error(), c.request_id);
            nlohmann::json out = nlohmann::json::array();
            for (const auto& e : *h) out.push_back(event_json(e));
            reply(c, 200, {{"items", out}});
          });
  s.route("POST", R"(/v1/instances/([A-Za-z0-9_.-]+)/cancel)", {"revops"}, [&s](Call& c) {
    auto r =
        s.engine().runtime->cancel(c.req.matches[1], "cancelled over the API", c.principal.name);
    if (!r) return problem(c.res, r.error(), c.request_id);
    reply(c, 200, {{"id", c.req.matches[1]}, {"status", "cancelled"}});
  });
  s.route("POST", R"(/v1/instances/([A-Za-z0-9_.-]+)/events/([A-Za-z0-9_.-]+))",
          {"revops", "service"}, [&s](Call& c) {
            auto body = json_body(c);
            if (!body) return;
            auto r = s.engine().runtime->signal(c.req.matches[1], c.req.matches[2], *body);
            if (!r) return problem(c.res, r.error(), c.request_id);
            reply(c, 202, {{"id", c.req.matches[1]}, {"event", c.req.matches[2]}});
          });
}

}  // namespace covenant::app::http
