// UsageRecords (store.usage): metered usage per contract.
#include "engine/store/usage_records.hpp"

#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

constexpr const char* kFindUsage =
    "SELECT contract_id, metric, quantity, occurred_us FROM usage_records WHERE namespace = :ns "
    "AND event_id = :e";
constexpr const char* kAddUsage =
    "INSERT INTO usage_records (namespace, event_id, contract_id, metric, quantity, occurred_us, "
    "recorded_us) VALUES (:ns, :e, :c, :m, :q, :o, :r)";
constexpr const char* kUsageRows =
    "SELECT quantity FROM usage_records WHERE namespace = :ns AND contract_id = :c AND metric = "
    ":m AND occurred_us >= CAST(:f AS BIGINT) AND occurred_us < CAST(:t AS BIGINT)";

}  // namespace

Result<UsageRecorded> UsageRecords::record(const std::string& ns,
                                           const std::vector<UsageRecord>& rows,
                                           std::int64_t now_us) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  for (const auto& r : rows) {
    if (r.event_id.empty() || r.contract_id.empty() || r.metric.empty())
      return fail(ErrorCode::InvalidArgument,
                  "a usage record needs an event id, a contract and a metric");
    if (r.quantity < 0)
      return fail(ErrorCode::InvalidArgument,
                  "usage event " + r.event_id + ": a negative quantity");
  }
  // Two requests with the same new event id at once: the loser's insert meets the winner's
  // row (a unique violation) — it reads again, and finds a repeat or a conflict like any other.
  for (int attempt = 1;; ++attempt) {
    auto r = record_once(ns, rows, now_us);
    if (r || r.error().code != ErrorCode::Conflict || r.error().where == "usage" || attempt == 3)
      return r;
  }
}

Result<UsageRecorded> UsageRecords::record_once(const std::string& ns,
                                                const std::vector<UsageRecord>& rows,
                                                std::int64_t now_us) {
  auto tx = db_.begin(Scope::of(ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<UsageRecorded>("record usage", [&]() -> Result<UsageRecorded> {
    UsageRecorded out;
    for (const auto& row : rows) {
      std::string contract, metric;
      long long quantity = 0, occurred = 0;
      soci::indicator ind = soci::i_null;
      (*tx)->sql() << kFindUsage, soci::use(ns), soci::use(row.event_id), soci::into(contract, ind),
          soci::into(metric), soci::into(quantity), soci::into(occurred);
      if ((*tx)->sql().got_data() && ind == soci::i_ok) {
        if (contract != row.contract_id || metric != row.metric || quantity != row.quantity ||
            occurred != row.occurred_us)
          return fail(ErrorCode::Conflict,
                      "usage event " + row.event_id + " was recorded before with other values (" +
                          contract + ", " + metric + ", " + std::to_string(quantity) +
                          "): an event id names one event",
                      "usage");
        ++out.repeated;
        continue;
      }
      long long q = row.quantity, o = row.occurred_us, at = now_us;
      (*tx)->sql() << kAddUsage, soci::use(ns), soci::use(row.event_id), soci::use(row.contract_id),
          soci::use(row.metric), soci::use(q), soci::use(o), soci::use(at);
      ++out.added;
    }
    return out;
  });
  if (!r) return r;
  if (r->added == 0) return r;
  if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  return r;
}

Result<UsageTotal> UsageRecords::total(const std::string& ns, const std::string& contract_id,
                                       const std::string& metric, std::int64_t from_us,
                                       std::int64_t to_us) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<UsageTotal>("read usage", [&]() -> Result<UsageTotal> {
    UsageTotal out;
    long long q = 0, f = from_us, t = to_us;
    soci::statement st = ((*tx)->sql().prepare << kUsageRows, soci::use(ns), soci::use(contract_id),
                          soci::use(metric), soci::use(f), soci::use(t), soci::into(q));
    st.execute();
    while (st.fetch()) {
      if (q > INT64_MAX - out.quantity)
        return fail(ErrorCode::FailedPrecondition,
                    "the usage of " + contract_id + " (" + metric +
                        ") passes the largest total Covenant counts: a person must look");
      out.quantity += q;
      ++out.records;
    }
    return out;
  });
}

}  // namespace covenant::engine::store
