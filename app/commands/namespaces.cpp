// covenant namespaces quota [--running-instances N] [--document-bytes N] --namespace NS
//   Sets a namespace's quota (0: no limit); without a limit flag, shows it. An event
//   "quota.set" in the namespace's log.
// covenant namespaces usage [--month YYYY-MM] --namespace NS   [--format json]
//   What it did that month (UTC), counted from its records: the totals GET /v1/usage gives.
// covenant namespaces list                                       [--format json]
//   Every namespace with what it holds — running instances, documents, bytes — and its quota:
//   counts only, nothing of what they hold (docs/tenancy.md).
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/config.hpp"
#include "engine/audit/usage.hpp"
#include "engine/store/store.hpp"
#include "engine/time_format.hpp"

#include <iostream>
#include <optional>

namespace covenant::app {
namespace namespaces_command {

struct Options {
  CommonOptions common;
  std::optional<std::int64_t> running_instances, document_bytes;
  std::string month;
};

engine::Result<std::unique_ptr<engine::store::Store>> open(const std::string& db) {
  return engine::store::Store::open(db, 2, false);
}

int quota(const Options& o) {
  auto store = open(o.common.db);
  if (!store) return report(store.error());
  auto& ns = (*store)->namespaces;
  if (o.running_instances || o.document_bytes) {
    auto q = ns.quota(o.common.ns);
    if (!q) return report(q.error());
    if (o.running_instances) q->running_instances = *o.running_instances;
    if (o.document_bytes) q->document_bytes = *o.document_bytes;
    engine::SystemClock clock;
    if (auto r = ns.set_quota(o.common.ns, *q, engine::to_micros(clock.now()),
                              "cli:" + process_identity());
        !r)
      return report(r.error());
  }
  auto q = ns.quota(o.common.ns);
  if (!q) return report(q.error());
  if (o.common.format == "json") {
    std::cout << nlohmann::json{{"namespace", o.common.ns},
                                {"running_instances", q->running_instances},
                                {"document_bytes", q->document_bytes}}
                     .dump(2)
              << '\n';
  } else {
    auto limit = [](std::int64_t n) { return n ? std::to_string(n) : std::string("no limit"); };
    std::cout << o.common.ns << ": running instances " << limit(q->running_instances)
              << ", document bytes " << limit(q->document_bytes) << '\n';
  }
  return 0;
}

int usage(const Options& o) {
  auto store = open(o.common.db);
  if (!store) return report(store.error());
  engine::SystemClock clock;
  std::string month = o.month.empty() ? engine::format_rfc3339(clock.now()).substr(0, 7) : o.month;
  auto u = engine::audit::monthly_usage(**store, o.common.ns, month);
  if (!u) return report(u.error());
  auto j = engine::audit::usage_json(*u);
  if (o.common.format == "json") {
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  std::cout << u->ns << " in " << u->month << ": " << u->counts.transitions << " transitions, "
            << u->counts.instances_started << " instances started, " << u->approvals_requested
            << " approvals requested, " << u->approval_decisions << " decisions, "
            << u->counts.documents << " documents (" << u->counts.document_bytes << " bytes)\n";
  for (const auto& [system, n] : u->activity_calls)
    std::cout << "  activity calls, " << system << ": " << n << '\n';
  return 0;
}

int list(const Options& o) {
  auto store = open(o.common.db);
  if (!store) return report(store.error());
  auto all = (*store)->namespaces.all_holdings();
  if (!all) return report(all.error());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [ns, h] : *all) {
    out.push_back({{"namespace", ns},
                   {"running_instances", h.running_instances},
                   {"documents", h.documents},
                   {"document_bytes", h.document_bytes}});
    if (o.common.format != "json")
      std::cout << ns << "  " << h.running_instances << " running, " << h.documents
                << " documents (" << h.document_bytes << " bytes)\n";
  }
  if (o.common.format == "json") std::cout << out.dump(2) << '\n';
  return 0;
}

}  // namespace namespaces_command

void add_namespaces_command(CLI::App& app, int& exit_code) {
  using namespace namespaces_command;
  auto* cmd = app.add_subcommand("namespaces", "Quotas, usage and counts of namespaces");
  cmd->require_subcommand(1);
  auto q = std::make_shared<Options>();
  auto* c = cmd->add_subcommand("quota", "Show or set a namespace's quota (0: no limit)");
  add_common_options(c, q->common);
  c->add_option("--running-instances", q->running_instances, "How many instances may run at once")
      ->check(CLI::NonNegativeNumber);
  c->add_option("--document-bytes", q->document_bytes, "How many bytes of documents it may store")
      ->check(CLI::NonNegativeNumber);
  c->callback([q, &exit_code] { exit_code = quota(*q); });
  auto u = std::make_shared<Options>();
  c = cmd->add_subcommand("usage", "What a namespace did in a month, from its records");
  add_common_options(c, u->common);
  c->add_option("--month", u->month, "YYYY-MM (UTC; default: this month)");
  c->callback([u, &exit_code] { exit_code = usage(*u); });
  auto l = std::make_shared<Options>();
  c = cmd->add_subcommand("list", "Every namespace's counts (no data)");
  add_common_options(c, l->common, false);
  c->callback([l, &exit_code] { exit_code = list(*l); });
}

}  // namespace covenant::app
