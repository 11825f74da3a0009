// /healthz (no token: for load balancers), /problems/{slug} (no token: what a problem type
// means) and /metrics (Prometheus text format 0.0.4).
#include "app/http/api.hpp"
#include "app/http/problem.hpp"

#include <sstream>

namespace covenant::app::http {

namespace {

using engine::history::EventType;

void family(std::ostringstream& o, const char* name, const char* type, const char* help) {
  o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

std::string render(const engine::store::Stats& st, const engine::Metrics& m) {
  std::ostringstream o;
  family(o, "covenant_instances", "gauge", "Workflow instances by status.");
  for (const char* status :
       {"running", "compensating", "completed", "failed", "compensation_failed", "cancelled"}) {
    auto it = st.instances_by_status.find(status);
    o << "covenant_instances{status=\"" << status << "\"} "
      << (it == st.instances_by_status.end() ? 0 : it->second) << '\n';
  }
  family(o, "covenant_approvals_pending", "gauge", "Approval gates waiting for decisions.");
  o << "covenant_approvals_pending " << st.approvals_open << '\n';
  family(o, "covenant_tasks_ready", "gauge", "Activity tasks waiting for a worker.");
  o << "covenant_tasks_ready " << st.tasks_ready << '\n';
  family(o, "covenant_timers_pending", "gauge", "Durable timers not yet fired.");
  o << "covenant_timers_pending " << st.timers_pending << '\n';
  family(o, "covenant_webhooks_queued", "gauge", "Webhooks in the outbox by status.");
  for (const char* status : {"pending", "delivered", "failed"}) {
    auto it = st.outbox_by_status.find(status);
    o << "covenant_webhooks_queued{status=\"" << status << "\"} "
      << (it == st.outbox_by_status.end() ? 0 : it->second) << '\n';
  }
  family(o, "covenant_transitions_total", "counter",
         "Durable transitions committed by this process.");
  o << "covenant_transitions_total " << m.transitions() << '\n';
  family(o, "covenant_transition_errors_total", "counter",
         "Transitions that failed with an internal or unavailable error in this process.");
  o << "covenant_transition_errors_total " << m.transition_errors() << '\n';
  family(o, "covenant_writebacks_total", "counter",
         "Financial writebacks recorded by this process, by outcome.");
  o << "covenant_writebacks_total{outcome=\"committed\"} "
    << m.events(EventType::WritebackCommitted)
    << "\ncovenant_writebacks_total{outcome=\"blocked\"} " << m.events(EventType::WritebackBlocked)
    << '\n';
  family(o, "covenant_compensations_failed_total", "counter",
         "Compensations that gave up, leaving a write standing (an operator must act).");
  o << "covenant_compensations_failed_total " << m.events(EventType::CompensationFailed) << '\n';
  family(o, "covenant_approval_decisions_total", "counter",
         "Approval decisions recorded by this process.");
  o << "covenant_approval_decisions_total " << m.events(EventType::ApprovalDecided) << '\n';
  family(o, "covenant_activity_failures_total", "counter", "Activity attempts that failed.");
  o << "covenant_activity_failures_total " << m.events(EventType::ActivityFailed) << '\n';
  family(o, "covenant_webhook_deliveries_total", "counter",
         "Webhook delivery attempts by outcome.");
  o << "covenant_webhook_deliveries_total{outcome=\"delivered\"} " << m.webhooks_delivered()
    << "\ncovenant_webhook_deliveries_total{outcome=\"failed\"} " << m.webhook_failures() << '\n';
  family(o, "covenant_late_outcomes_total", "counter",
         "Task outcomes dropped because their worker had lost the lease (frozen past it).");
  o << "covenant_late_outcomes_total " << m.late_outcomes() << '\n';
  family(o, "covenant_stranded_instances", "gauge",
         "Running instances with no task, timer, approval or awaited event (the last sweep).");
  o << "covenant_stranded_instances " << m.stranded() << '\n';
  family(o, "covenant_task_duration_seconds", "histogram", "Activity attempt durations.");
  auto buckets = m.task_buckets();
  for (std::size_t i = 0; i < engine::Metrics::kBuckets.size(); ++i)
    o << "covenant_task_duration_seconds_bucket{le=\"" << engine::Metrics::kBuckets[i] << "\"} "
      << buckets[i] << '\n';
  o << "covenant_task_duration_seconds_bucket{le=\"+Inf\"} " << buckets.back() << '\n';
  o << "covenant_task_duration_seconds_sum " << static_cast<double>(m.task_sum_us()) / 1e6 << '\n';
  o << "covenant_task_duration_seconds_count " << m.task_count() << '\n';
  return o.str();
}

}  // namespace

void add_admin_routes(Api& api) {
  Services& s = api.services();
  api.route(
      "GET", "/healthz", {},
      [&s](Call& c) {
        auto st = s.store.stats();
        if (!st) return problem(c, 503, "Unavailable", "the database does not answer");
        reply(c, 200, {{"status", "ok"}});
      },
      Access::Public);
  // The problem types (RFC 9457): each problem document's `type` is one of these paths, and
  // GETting it says what the problem means. Public: it describes the API, not its data.
  api.route(
      "GET", "/problems/{slug}", {},
      [](Call& c) {
        const ProblemType* t = problem_type(c.params[0]);
        if (!t || c.params[0] != t->slug)
          return problem(c, 404, "NotFound", "no problem type " + c.params[0]);
        reply(c, 200,
              {{"type", std::string("/problems/") + t->slug},
               {"code", t->code},
               {"title", t->title},
               {"description", t->description}});
      },
      Access::Public);
  api.route("GET", "/metrics", {"service", "auditor"}, [&s](Call& c) {
    auto st = s.store.stats();
    if (!st) return problem(c, st.error());
    c.res.status = 200;
    c.res.content_type = "text/plain; version=0.0.4";
    c.res.body = render(*st, s.metrics);
  });
}

}  // namespace covenant::app::http
