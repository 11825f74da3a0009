#include "engine/audit/usage.hpp"

#include "engine/time_format.hpp"

namespace covenant::engine::audit {

Result<MonthlyUsage> monthly_usage(store::Store& store, const std::string& ns,
                                   const std::string& month) {
  if (auto bad = store::check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto digits = [&](std::size_t at, std::size_t n) {
    for (std::size_t i = at; i < at + n; ++i)
      if (i >= month.size() || month[i] < '0' || month[i] > '9') return false;
    return true;
  };
  auto start = month.size() == 7 && digits(0, 4) && month[4] == '-' && digits(5, 2)
                   ? parse_rfc3339(month + "-01")
                   : std::nullopt;
  if (!start) return fail(ErrorCode::InvalidArgument, "a month is YYYY-MM, not '" + month + "'");
  int year = std::stoi(month.substr(0, 4)), mon = std::stoi(month.substr(5, 2));
  int next_year = mon == 12 ? year + 1 : year, next_mon = mon == 12 ? 1 : mon + 1;
  std::string next =
      std::to_string(next_year) + (next_mon < 10 ? "-0" : "-") + std::to_string(next_mon) + "-01";
  auto end = year < 9999 ? parse_rfc3339(next) : std::nullopt;
  if (!end) return fail(ErrorCode::InvalidArgument, "a month is YYYY-MM, not '" + month + "'");
  MonthlyUsage u;
  u.ns = ns;
  u.month = month;
  u.from_us = to_micros(*start);
  u.to_us = to_micros(*end);
  auto counts = store.namespaces.counts(ns, u.from_us, u.to_us);
  if (!counts) return tl::unexpected(counts.error());
  u.counts = *counts;
  auto holdings = store.namespaces.holdings(ns);
  if (!holdings) return tl::unexpected(holdings.error());
  u.holdings = *holdings;
  auto quota = store.namespaces.quota(ns);
  if (!quota) return tl::unexpected(quota.error());
  u.quota = *quota;
  // The month's events, a page at a time (bounded memory, stable under appends).
  store::HistoryQuery q;
  q.from_us = u.from_us;
  q.to_us = u.to_us;
  store::HistoryCursor after;
  for (;;) {
    auto page = store.audit.page(store::Scope::of(ns), q, after, 1000);
    if (!page) return tl::unexpected(page.error());
    for (const auto& e : *page) {
      if (e.type_name == "ApprovalRequested") ++u.approvals_requested;
      if (e.type_name == "ApprovalDecided") ++u.approval_decisions;
      if (e.type_name == "ActivityCompleted" || e.type_name == "ActivityFailed") {
        ++u.activity_calls[history::activity_system(
            nlohmann::json::parse(e.payload, nullptr, false))];
      }
    }
    if (page->size() < 1000) break;
    after = {page->back().at_us, page->back().instance_id, page->back().seq};
  }
  return u;
}

nlohmann::json usage_json(const MonthlyUsage& u) {
  return {
      {"namespace", u.ns},
      {"month", u.month},
      {"from", format_rfc3339(from_micros(u.from_us))},
      {"to", format_rfc3339(from_micros(u.to_us))},
      {"transitions", u.counts.transitions},
      {"instances_started", u.counts.instances_started},
      {"activity_calls", u.activity_calls},
      {"approvals", {{"requested", u.approvals_requested}, {"decisions", u.approval_decisions}}},
      {"documents", {{"stored", u.counts.documents}, {"bytes", u.counts.document_bytes}}},
      {"now",
       {{"running_instances", u.holdings.running_instances},
        {"documents", u.holdings.documents},
        {"document_bytes", u.holdings.document_bytes}}},
      {"quota",
       {{"running_instances", u.quota.running_instances},
        {"document_bytes", u.quota.document_bytes}}}};
}

}  // namespace covenant::engine::audit
