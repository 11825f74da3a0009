// /v1/instances: start (Idempotency-Key honoured), list (filters, cursor), get, history
// (paginated), cancel, and external events.
#include "app/http/api.hpp"
#include "app/views.hpp"
#include "engine/runtime/replay.hpp"
#include "engine/time_format.hpp"

namespace covenant::app::http {

namespace {

// An RFC 3339 query parameter as microseconds (0 when absent), or a 400 problem written.
std::optional<std::int64_t> time_param(Call& c, const std::string& name) {
  auto it = c.req.query.find(name);
  if (it == c.req.query.end()) return 0;
  auto t = engine::parse_rfc3339(it->second);
  if (!t) {
    problem(c, "BadRequest", "'" + name + "' must be an RFC 3339 time, e.g. 2027-01-15T08:00:00Z");
    return std::nullopt;
  }
  return engine::to_micros(*t);
}

}  // namespace

void add_instance_routes(Api& api) {
  Services& s = api.services();
  api.route("POST", "/v1/instances", {"revops", "service"}, [&s](Call& c) {
    auto body = json_body(c);
    if (!body) return;
    if (!body->is_object() || !body->contains("workflow") || !(*body)["workflow"].is_string())
      return problem(c, "InvalidArgument", "the body needs a string 'workflow'");
    if (body->contains("business_key") && !(*body)["business_key"].is_string())
      return problem(c, "InvalidArgument", "'business_key' must be a string");
    if (body->contains("allow_duplicate_business_key") &&
        !(*body)["allow_duplicate_business_key"].is_boolean())
      return problem(c, "InvalidArgument", "'allow_duplicate_business_key' must be a boolean");
    engine::runtime::StartOptions opts;
    opts.business_key = body->value("business_key", "");
    opts.allow_duplicate_business_key = body->value("allow_duplicate_business_key", false);
    opts.started_by = c.principal.name;
    opts.ns = c.ns;
    opts.start_key = c.req.header("idempotency-key");
    auto started =
        s.runtime.start((*body)["workflow"], body->value("input", nlohmann::json::object()), opts);
    if (!started && started.error().code == engine::ErrorCode::Conflict &&
        !started.error().where.empty()) {
      // The business key is held by a running instance: name it, for the caller to go on with.
      problem(c, "Conflict", started.error().message,
              {{"existing_instance", started.error().where}});
      c.res.headers.emplace_back("Location", "/v1/instances/" + started.error().where);
      return;
    }
    if (!started) return problem(c, started.error());
    auto inst = s.store.instances.get(scope(c), started->id);
    if (!inst) return problem(c, inst.error());
    if (!*inst) return problem(c, "Internal", "the instance vanished");
    c.instance = started->id;
    c.workflow = (*inst)->workflow;
    c.res.headers.emplace_back("Location", "/v1/instances/" + started->id);
    // A replay (the same Idempotency-Key again) says so, as Stripe does, and creates nothing.
    if (started->replayed) c.res.headers.emplace_back("Idempotent-Replayed", "true");
    reply(c, started->replayed ? 200 : 201, instance_json(**inst));
  });
  api.route("GET", "/v1/instances", {"revops", "auditor", "service"}, [&s](Call& c) {
    engine::store::InstanceFilter f;
    f.status = query_param(c, "status");
    f.workflow = query_param(c, "workflow");
    f.business_key = query_param(c, "business_key");
    f.version = query_param(c, "version");
    if (auto gate = query_param(c, "open_gate"); !gate.empty()) {
      if (gate != "true" && gate != "false")
        return problem(c, "BadRequest", "'open_gate' must be true or false");
      f.open_gate = gate == "true";
    }
    auto from = time_param(c, "created_from");
    if (!from) return;
    auto to = time_param(c, "created_to");
    if (!to) return;
    auto idle = time_param(c, "updated_before");
    if (!idle) return;
    f.created_from_us = *from;
    f.created_to_us = *to;
    f.updated_before_us = *idle;
    auto limit = limit_param(c);
    if (!limit) return;
    f.limit = *limit + 1;  // one more tells whether there is a next page
    if (auto cur = query_param(c, "cursor"); !cur.empty()) {
      auto pos = read_cursor(cur);
      if (!pos) return problem(c, "BadRequest", "'cursor' is not a cursor this API gave");
      f.after_us = pos->first;
      f.after_id = pos->second;
    }
    auto rows = s.store.instances.find(scope(c), f);
    if (!rows) return problem(c, rows.error());
    nlohmann::json items = nlohmann::json::array();
    nlohmann::json next = nullptr;
    for (int i = 0; i < static_cast<int>(rows->size()) && i < *limit; ++i)
      items.push_back(instance_json((*rows)[i]));
    if (static_cast<int>(rows->size()) > *limit) {
      const auto& last = (*rows)[*limit - 1];
      next = make_cursor(last.created_us, last.id);
    }
    reply(c, 200, {{"items", items}, {"next_cursor", next}});
  });
  api.route("GET", "/v1/instances/{id}", {"revops", "auditor", "service"}, [&s](Call& c) {
    auto inst = s.store.instances.get(scope(c), c.params[0]);
    if (!inst) return problem(c, inst.error());
    if (!*inst) return problem(c, "NotFound", "no instance " + c.params[0]);
    c.workflow = (*inst)->workflow;
    reply(c, 200, instance_json(**inst));
  });
  api.route("GET", "/v1/instances/{id}/history", {"auditor", "revops"}, [&s](Call& c) {
    auto limit = limit_param(c, 200, 1000);
    if (!limit) return;
    std::int64_t after = 0;
    if (auto cur = query_param(c, "cursor"); !cur.empty()) {
      auto pos = read_cursor(cur);
      if (!pos || pos->second != c.params[0])
        return problem(c, "BadRequest", "'cursor' is not a cursor this API gave");
      after = pos->first;
    }
    auto inst = s.store.instances.get(scope(c), c.params[0]);
    if (!inst) return problem(c, inst.error());
    if (!*inst) return problem(c, "NotFound", "no instance " + c.params[0]);
    c.workflow = (*inst)->workflow;
    auto h = s.store.instances.history(scope(c), c.params[0], after, *limit + 1);
    if (!h) return problem(c, h.error());
    nlohmann::json items = nlohmann::json::array();
    for (int i = 0; i < static_cast<int>(h->size()) && i < *limit; ++i)
      items.push_back(event_json((*h)[i]));
    nlohmann::json next = nullptr;
    if (static_cast<int>(h->size()) > *limit) next = make_cursor((*h)[*limit - 1].seq, c.params[0]);
    reply(c, 200, {{"items", items}, {"next_cursor", next}});
  });
  // Each activity the instance ran: its input, and each attempt's result or error (re-decided
  // from the history: runtime::steps).
  api.route("GET", "/v1/instances/{id}/steps", {"auditor", "revops"}, [&s](Call& c) {
    auto inst = s.store.instances.get(scope(c), c.params[0]);
    if (!inst) return problem(c, inst.error());
    if (!*inst) return problem(c, "NotFound", "no instance " + c.params[0]);
    c.workflow = (*inst)->workflow;
    auto h = s.store.instances.history(scope(c), c.params[0]);
    if (!h) return problem(c, h.error());
    auto wf = s.runtime.workflow((*inst)->ns, (*inst)->digest);
    if (!wf) return problem(c, wf.error());
    workflows::JqEvaluator jq;
    auto steps = engine::runtime::steps(*h, **wf, jq);
    if (!steps) return problem(c, steps.error());
    auto at = [](std::int64_t us) { return engine::format_rfc3339(engine::from_micros(us)); };
    nlohmann::json items = nlohmann::json::array();
    for (const auto& st : *steps) {
      nlohmann::json attempts = nlohmann::json::array();
      for (const auto& a : st.attempts) {
        nlohmann::json j = {{"attempt", a.attempt}, {"at", at(a.at_us)}, {"ok", a.ok}};
        if (a.ok)
          j["result"] = a.result;
        else
          j["error"] = {{"code", a.error}, {"message", a.message}};
        attempts.push_back(std::move(j));
      }
      items.push_back({{"key", st.key},
                       {"frame", st.frame},
                       {"state", st.state},
                       {"activity", st.activity},
                       {"compensation", st.compensation},
                       {"input", st.input},
                       {"scheduled", at(st.scheduled_us)},
                       {"attempts", std::move(attempts)}});
    }
    reply(c, 200, {{"items", items}});
  });
  // Fix and retry: a failed step run again, its input edited or not (Runtime::retry_step).
  api.route("POST", "/v1/instances/{id}/retry", {"operator"}, [&s](Call& c) {
    auto body = json_body(c);
    if (!body) return;
    if (!body->is_object())
      return problem(c, "InvalidArgument", "the body is a JSON object: {reason, state, input}");
    auto reason = body->find("reason");
    if (reason == body->end() || !reason->is_string() ||
        reason->get<std::string>().find_first_not_of(" \t\n") == std::string::npos)
      return problem(c, "InvalidArgument",
                     "'reason' must say why the step runs again (it is recorded in the history)");
    auto state = body->find("state");
    if (state != body->end() && !state->is_string())
      return problem(c, "InvalidArgument", "'state' must be a string");
    nlohmann::json input = body->contains("input") ? (*body)["input"] : nlohmann::json();
    std::string at = state != body->end() ? state->get<std::string>() : "";
    if (at.empty()) {  // where it failed: the last failed activity's state
      auto h = s.store.instances.history(scope(c), c.params[0]);
      if (!h) return problem(c, h.error());
      for (const auto& e : *h)
        if (e.type == engine::history::EventType::ActivityFailed && !e.state.empty()) at = e.state;
    }
    auto r = s.runtime.retry_step(scope(c), c.params[0], {at, input, *reason, c.principal.name});
    if (!r) return problem(c, r.error());
    auto inst = s.store.instances.get(scope(c), c.params[0]);
    if (!inst) return problem(c, inst.error());
    if (!*inst) return problem(c, "NotFound", "no instance " + c.params[0]);
    c.workflow = (*inst)->workflow;
    reply(c, 200, instance_json(**inst));
  });
  api.route("POST", "/v1/instances/{id}/cancel", {"revops"}, [&s](Call& c) {
    std::string reason = "cancelled over the API";
    if (!c.req.body.empty()) {
      auto body = json_body(c);
      if (!body) return;
      if (body->is_object() && body->contains("reason") && (*body)["reason"].is_string())
        reason = (*body)["reason"];
    }
    auto r = s.runtime.cancel(scope(c), c.params[0], reason, c.principal.name);
    if (!r) return problem(c, r.error());
    reply(c, 200, {{"id", c.params[0]}, {"status", "cancelled"}});
  });
  api.route("POST", "/v1/instances/{id}/events/{event}", {"revops", "service"}, [&s](Call& c) {
    auto body = json_body(c);
    if (!body) return;
    auto r = s.runtime.signal(scope(c), c.params[0], c.params[1], *body, c.principal.name);
    if (!r) return problem(c, r.error());
    reply(c, 202, {{"id", c.params[0]}, {"event", c.params[1]}});
  });
}

}  // namespace covenant::app::http
