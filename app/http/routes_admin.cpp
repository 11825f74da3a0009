// /healthz (no token: for load balancers), /problems/{slug} (no token: what a problem type
// means) and /metrics (Prometheus text format 0.0.4, checked by `promtool check metrics` in
// the tests; docs/operations.md#metrics lists every family).
#include "app/http/api.hpp"
#include "app/http/problem.hpp"
#include "engine/audit/usage.hpp"
#include "engine/time_format.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

namespace covenant::app::http {

namespace {

using engine::history::EventType;

void family(std::ostringstream& o, const char* name, const char* type, const char* help) {
  o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

template <std::size_t N>
void histogram(std::ostringstream& o, const char* name, const char* help,
               const engine::Histogram<N>& h) {
  family(o, name, "histogram", help);
  auto buckets = h.cumulative();
  for (std::size_t i = 0; i < N; ++i)
    o << name << "_bucket{le=\"" << h.upper()[i] << "\"} " << buckets[i] << '\n';
  o << name << "_bucket{le=\"+Inf\"} " << buckets.back() << '\n';
  o << name << "_sum " << static_cast<double>(h.sum_us()) / 1e6 << '\n';
  o << name << "_count " << h.count() << '\n';
}

// The standard process_* families (as Prometheus' own clients export them), from /proc.
// A value that cannot be read is left out rather than reported as 0.
void process_metrics(std::ostringstream& o) {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) in parentheses: state is field 3.
  auto name_end = stat.rfind(')');
  std::vector<std::string> f;
  if (name_end != std::string::npos) {
    std::istringstream rest(stat.substr(name_end + 2));
    for (std::string w; rest >> w;) f.push_back(w);
  }
  long ticks = ::sysconf(_SC_CLK_TCK);
  long page = ::sysconf(_SC_PAGESIZE);
  // f[0] is field 3 (state): utime 14, stime 15, starttime 22, vsize 23, rss 24.
  if (f.size() > 21 && ticks > 0 && page > 0) {
    double cpu =
        static_cast<double>(std::stoull(f[11]) + std::stoull(f[12])) / static_cast<double>(ticks);
    family(o, "process_cpu_seconds_total", "counter", "User and system CPU time spent.");
    o << "process_cpu_seconds_total " << cpu << '\n';
    family(o, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    o << "process_virtual_memory_bytes " << f[20] << '\n';
    family(o, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    o << "process_resident_memory_bytes " << std::stoll(f[21]) * page << '\n';
    std::ifstream boot("/proc/stat");
    for (std::string key; boot >> key;) {
      if (key != "btime") continue;
      long long btime = 0;
      boot >> btime;
      family(o, "process_start_time_seconds", "gauge",
             "Start time of the process since the Unix epoch in seconds.");
      o << "process_start_time_seconds "
        << btime + static_cast<long long>(std::stoull(f[19]) / static_cast<unsigned long>(ticks))
        << '\n';
      break;
    }
  }
  if (DIR* d = ::opendir("/proc/self/fd")) {
    int n = 0;
    while (const dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    family(o, "process_open_fds", "gauge", "Number of open file descriptors.");
    o << "process_open_fds " << n - 1 << '\n';  // less the one reading the directory
  }
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    family(o, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
    o << "process_max_fds " << lim.rlim_cur << '\n';
  }
}

std::string render(const engine::store::Stats& st, const engine::Metrics& m, std::int64_t now_us,
                   const char* store_name) {
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
  histogram(o, "covenant_task_duration_seconds", "Activity attempt durations.", m.task_duration);
  histogram(o, "covenant_transition_duration_seconds",
            "Time to decide and commit a unit of transitions, retries included.",
            m.transition_duration);
  histogram(o, "covenant_approval_wait_seconds",
            "From an approval's request to each decision on it.", m.approval_wait);
  family(o, "covenant_approval_oldest_open_seconds", "gauge",
         "Age of the longest-waiting open approval (0: none open).");
  o << "covenant_approval_oldest_open_seconds "
    << (st.oldest_open_approval_us > 0 && now_us > st.oldest_open_approval_us
            ? (now_us - st.oldest_open_approval_us) / 1'000'000
            : 0)
    << '\n';
  family(o, "covenant_build_info", "gauge", "The running build: always 1, its facts as labels.");
  o << "covenant_build_info{version=\"" << COVENANT_VERSION << "\",store=\"" << store_name
    << "\"} 1\n";
  process_metrics(o);
  return o.str();
}

// A Prometheus label value, escaped (\\, \", newline).
std::string label(const std::string& v) {
  std::string out;
  for (char ch : v) {
    if (ch == '\\' || ch == '"') out += '\\';
    if (ch == '\n') {
      out += "\\n";
      continue;
    }
    out += ch;
  }
  return out;
}

// Each namespace's work since the process started (counters) and what it holds now (gauges):
// the metering a billing system reads exactly from GET /v1/usage, here to watch.
std::string namespace_metrics(const std::map<std::string, engine::store::Holdings>& held,
                              const std::map<std::string, engine::Metrics::NamespaceWork>& work) {
  std::ostringstream o;
  family(o, "covenant_namespace_transitions_total", "counter",
         "Transitions committed by this process, by namespace.");
  for (const auto& [ns, w] : work)
    o << "covenant_namespace_transitions_total{namespace=\"" << label(ns) << "\"} " << w.transitions
      << '\n';
  family(o, "covenant_namespace_activity_calls_total", "counter",
         "Activity attempts recorded by this process, by namespace and system (the activity's "
         "prefix).");
  for (const auto& [ns, w] : work)
    for (const auto& [system, n] : w.activity_calls)
      o << "covenant_namespace_activity_calls_total{namespace=\"" << label(ns) << "\",system=\""
        << label(system) << "\"} " << n << '\n';
  family(o, "covenant_namespace_approval_decisions_total", "counter",
         "Approval decisions recorded by this process, by namespace.");
  for (const auto& [ns, w] : work)
    o << "covenant_namespace_approval_decisions_total{namespace=\"" << label(ns) << "\"} "
      << w.approval_decisions << '\n';
  family(o, "covenant_namespace_running_instances", "gauge",
         "Instances running or compensating now, by namespace.");
  for (const auto& [ns, h] : held)
    o << "covenant_namespace_running_instances{namespace=\"" << label(ns) << "\"} "
      << h.running_instances << '\n';
  family(o, "covenant_namespace_documents", "gauge", "Documents stored, by namespace.");
  for (const auto& [ns, h] : held)
    o << "covenant_namespace_documents{namespace=\"" << label(ns) << "\"} " << h.documents << '\n';
  family(o, "covenant_namespace_document_bytes", "gauge",
         "Bytes of documents stored, by namespace.");
  for (const auto& [ns, h] : held)
    o << "covenant_namespace_document_bytes{namespace=\"" << label(ns) << "\"} " << h.document_bytes
      << '\n';
  return o.str();
}

}  // namespace

void add_admin_routes(Api& api) {
  Services& s = api.services();
  api.route(
      "GET", "/healthz", {},
      [&s](Call& c) {
        auto st = s.store.stats();
        if (!st) return problem(c, "Unavailable", "the database does not answer");
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
          return problem(c, "NotFound", "no problem type " + c.params[0]);
        reply(c, 200,
              {{"type", std::string("/problems/") + t->slug},
               {"code", t->code},
               {"title", t->title},
               {"description", t->description}});
      },
      Access::Public);
  // What the namespace did in a month, exact, for the billing system that charges for it.
  api.route("GET", "/v1/usage", {"admin", "auditor", "service"}, [&s](Call& c) {
    std::string month = engine::format_rfc3339(s.clock.now()).substr(0, 7);
    if (auto it = c.req.query.find("month"); it != c.req.query.end()) month = it->second;
    auto u = engine::audit::monthly_usage(s.store, c.ns, month);
    if (!u) return problem(c, u.error());
    reply(c, 200, engine::audit::usage_json(*u));
  });
  // The deployment's operators (the default namespace's): each namespace's health in counts —
  // running instances, documents and their bytes, quota — and nothing of what they hold.
  api.route("GET", "/v1/namespaces", {"operator"}, [&s](Call& c) {
    if (c.ns != engine::store::kDefaultNamespace)  // not a namespace's own route
      return problem(c, "NotFound", "no route for GET " + c.req.path);
    auto all = s.store.namespaces.all_holdings();
    if (!all) return problem(c, all.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& [ns, h] : *all) {
      auto q = s.store.namespaces.quota(ns);
      if (!q) return problem(c, q.error());
      items.push_back(
          {{"namespace", ns},
           {"running_instances", h.running_instances},
           {"documents", h.documents},
           {"document_bytes", h.document_bytes},
           {"quota",
            {{"running_instances", q->running_instances}, {"document_bytes", q->document_bytes}}}});
    }
    reply(c, 200, {{"items", items}});
  });
  api.route("GET", "/metrics", {"service", "auditor"}, [&s](Call& c) {
    auto st = s.store.stats();
    if (!st) return problem(c, st.error());
    c.res.status = 200;
    c.res.content_type = "text/plain; version=0.0.4";
    c.res.body = render(*st, s.metrics, engine::to_micros(s.clock.now()), s.store.dialect().name());
    auto held = s.store.namespaces.all_holdings();
    if (!held) return problem(c, held.error());
    c.res.body += namespace_metrics(*held, s.metrics.by_namespace());
  });
}

}  // namespace covenant::app::http
