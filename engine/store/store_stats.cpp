// Store: the counts /metrics reports (each an indexed GROUP BY or COUNT).
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

constexpr const char* kInstancesByStatus = "SELECT status, COUNT(*) FROM instances GROUP BY status";
constexpr const char* kOpenApprovals = "SELECT COUNT(*) FROM approvals WHERE status = 'open'";
constexpr const char* kOutboxByStatus = "SELECT status, COUNT(*) FROM outbox GROUP BY status";
constexpr const char* kReadyTasks = "SELECT COUNT(*) FROM tasks WHERE status = 'ready'";
constexpr const char* kPendingTimers = "SELECT COUNT(*) FROM timers WHERE status = 'pending'";
constexpr const char* kOldestOpenApproval =
    "SELECT COALESCE(MIN(opened_us), 0) FROM approvals WHERE status = 'open'";

}  // namespace

Result<Stats> Store::stats() {
  auto tx = begin(Scope::all(), false);
  if (!tx) return tl::unexpected(tx.error());
  return guard<Stats>("read stats", [&]() -> Result<Stats> {
    Stats out;
    std::string key;
    long long n = 0;
    for (auto [sql, target] : {std::pair{kInstancesByStatus, &out.instances_by_status},
                               std::pair{kOutboxByStatus, &out.outbox_by_status}}) {
      soci::statement st = ((*tx)->sql().prepare << sql, soci::into(key), soci::into(n));
      st.execute();
      while (st.fetch()) (*target)[key] = n;
    }
    for (auto [sql, target] :
         {std::pair{kOpenApprovals, &out.approvals_open}, std::pair{kReadyTasks, &out.tasks_ready},
          std::pair{kPendingTimers, &out.timers_pending},
          std::pair{kOldestOpenApproval, &out.oldest_open_approval_us}}) {
      long long v = 0;
      (*tx)->sql() << sql, soci::into(v);
      *target = v;
    }
    return out;
  });
}

}  // namespace covenant::engine::store
