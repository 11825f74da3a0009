// covenant audit verify [ID] [--db URL] [--format text|json]
//   Recomputes every history hash chain (or one instance's) and reports the first broken link
//   of each instance. Exit 0 intact, 1 broken (or an error), 2 usage.
// covenant audit export --from DATE --to DATE [--format csv|jsonl] [-o FILE] [--db URL]
//                       [--instance ID] [--contract KEY] [--type EVENT] [--actor NAME]
//   The audit trail of a period, streamed (docs/audit.md has the columns).
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/config.hpp"
#include "engine/audit/export.hpp"
#include "engine/audit/verify.hpp"
#include "engine/store/store.hpp"
#include "engine/time_format.hpp"

#include <fstream>
#include <iostream>

namespace covenant::app {
namespace {

engine::Result<std::unique_ptr<engine::store::Store>> open_store(const std::string& db) {
  return engine::store::Store::open(db, 2);
}

int verify(const CommonOptions& o, const std::string& id) {
  auto store = open_store(o.db);
  if (!store) return report(store.error());
  auto r = engine::audit::verify(**store, id);
  if (!r) return report(r.error());
  if (o.format == "json") {
    nlohmann::json breaks = nlohmann::json::array();
    for (const auto& b : r->breaks)
      breaks.push_back({{"instance", b.instance_id},
                        {"contract", b.business_key},
                        {"seq", b.seq},
                        {"reason", b.reason}});
    std::cout << nlohmann::json{{"instances", r->instances},
                                {"events", r->events},
                                {"intact", r->intact()},
                                {"breaks", breaks}}
                     .dump(2)
              << '\n';
  } else {
    for (const auto& b : r->breaks)
      std::cout << "BROKEN instance " << b.instance_id << " (contract " << b.business_key
                << ") at event " << b.seq << ": " << b.reason << '\n';
    std::cout << (r->intact() ? "intact: " : "NOT intact: ") << r->instances << " instances, "
              << r->events << " events verified";
    if (!r->intact()) std::cout << ", " << r->breaks.size() << " broken";
    std::cout << '\n';
  }
  return r->intact() ? 0 : 1;
}

struct ExportArgs {
  std::string db, from, to, format = "csv", output, instance, contract, type, actor;
};

int export_(const ExportArgs& a) {
  engine::audit::ExportOptions o;
  auto from = engine::parse_rfc3339(a.from);
  auto to = engine::parse_rfc3339(a.to);
  if (!from || !to) {
    std::cerr << "covenant audit export: --from and --to are dates (2027-01-31) or RFC 3339 "
                 "times\n";
    return 2;
  }
  o.query.from_us = engine::to_micros(*from);
  o.query.to_us = engine::to_micros(*to);
  if (o.query.to_us <= o.query.from_us) {
    std::cerr << "covenant audit export: --to must be after --from (the range is [from, to))\n";
    return 2;
  }
  o.query.instance_id = a.instance;
  o.query.business_key = a.contract;
  o.query.type_name = a.type;
  o.actor = a.actor;
  o.format = a.format;
  auto store = open_store(a.db);
  if (!store) return report(store.error());
  std::ofstream file;
  if (!a.output.empty() && a.output != "-") {
    file.open(a.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "covenant audit export: cannot write " << a.output << '\n';
      return 1;
    }
  }
  std::ostream& out = file.is_open() ? static_cast<std::ostream&>(file) : std::cout;
  auto n = engine::audit::export_history(**store, o, out);
  if (!n) return report(n.error());
  std::cerr << "covenant audit export: " << *n << " events\n";
  return 0;
}

}  // namespace

void add_audit_command(CLI::App& app, int& exit_code) {
  auto* audit = app.add_subcommand("audit", "Verify and export the audit trail");
  audit->require_subcommand(1);

  auto vo = std::make_shared<CommonOptions>();
  auto id = std::make_shared<std::string>();
  auto* v = audit->add_subcommand("verify", "Recompute every hash chain; report broken links");
  add_common_options(v, *vo);
  v->add_option("id", *id, "Only this instance");
  v->callback([vo, id, &exit_code] { exit_code = verify(*vo, *id); });

  auto ea = std::make_shared<ExportArgs>();
  ea->db = default_database_url();
  auto* e = audit->add_subcommand("export", "Write the events of a period as CSV or JSON Lines");
  e->add_option("--db", ea->db, "Database URL: sqlite:PATH or postgresql://… (env COVENANT_DB)");
  e->add_option("--from", ea->from, "First day (or RFC 3339 time), inclusive")->required();
  e->add_option("--to", ea->to, "Last bound, exclusive")->required();
  e->add_option("--format", ea->format, "csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}));
  e->add_option("-o,--output", ea->output, "Write to this file (default standard output)");
  e->add_option("--instance", ea->instance, "Only this instance");
  e->add_option("--contract", ea->contract, "Only this business key (contract id)");
  e->add_option("--type", ea->type, "Only this event type, e.g. ApprovalDecided");
  e->add_option("--actor", ea->actor, "Only events caused by this principal");
  e->callback([ea, &exit_code] { exit_code = export_(*ea); });
}

}  // namespace covenant::app
