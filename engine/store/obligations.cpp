// Obligations (store.obligations): the obligations register.
#include "engine/store/obligations.hpp"

#include "engine/store/day_text.hpp"
#include "engine/store/store.hpp"

#include <set>

namespace covenant::engine::store {
namespace {

constexpr std::size_t kMaxObligations = 500;
// The register's writer: claimed by the first (a concurrent second waits on the key, then finds
// it taken), then locked for the rewrite.
constexpr const char* kClaim =
    "INSERT INTO obligation_registers (namespace, contract_id, instance_id, recorded_us) VALUES "
    "(:ns, :c, :i, :r) ON CONFLICT (namespace, contract_id) DO NOTHING";
constexpr const char* kWriter =
    "SELECT instance_id FROM obligation_registers WHERE namespace = :ns AND contract_id = :c";
constexpr const char* kRewritten =
    "UPDATE obligation_registers SET recorded_us = :r WHERE namespace = :ns AND contract_id = :c";
constexpr const char* kDropRegister =
    "DELETE FROM obligations WHERE namespace = :ns AND contract_id = :c";
constexpr const char* kAddObligation =
    "INSERT INTO obligations (namespace, contract_id, obligation_id, kind, owner, due_date, body, "
    "instance_id, recorded_us) VALUES (:ns, :c, :o, :k, :w, :d, :b, :i, :r)";
constexpr const char* kRegister =
    "SELECT obligation_id, kind, owner, due_date, body, instance_id, recorded_us FROM obligations "
    "WHERE namespace = :ns AND contract_id = :c ORDER BY CASE WHEN due_date IS NULL THEN 1 ELSE 0 "
    "END, due_date, obligation_id";

}  // namespace

Result<std::size_t> Obligations::replace(const std::string& ns, const std::string& contract_id,
                                         const std::string& instance_id,
                                         const std::vector<ObligationRow>& rows,
                                         std::int64_t now_us) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  if (contract_id.empty() || contract_id.size() > 200)
    return fail(ErrorCode::InvalidArgument, "a contract id is 1 to 200 characters");
  if (instance_id.empty())
    return fail(ErrorCode::InvalidArgument, "a register names the instance that wrote it");
  if (rows.size() > kMaxObligations)
    return fail(ErrorCode::InvalidArgument,
                "a register holds at most " + std::to_string(kMaxObligations) + " obligations");
  std::set<std::string> ids;
  for (const auto& r : rows) {
    if (r.obligation_id.empty() || r.obligation_id.size() > 64 || r.kind.empty() ||
        r.owner.empty() || r.body.empty())
      return fail(ErrorCode::InvalidArgument,
                  "an obligation needs an id (1 to 64 characters), a kind, an owner and a body");
    if (!r.due_date.empty() && !is_iso_day(r.due_date))
      return fail(ErrorCode::InvalidArgument,
                  "obligation " + r.obligation_id + ": a due date is YYYY-MM-DD");
    if (!ids.insert(r.obligation_id).second)
      return fail(ErrorCode::InvalidArgument, "obligation " + r.obligation_id + " is listed twice");
  }
  for (int attempt = 1;; ++attempt) {
    auto tx = db_.begin(Scope::of(ns));
    if (!tx) return tl::unexpected(tx.error());
    auto r = db_.guard<std::size_t>("record obligations", [&]() -> Result<std::size_t> {
      long long at = now_us;
      (*tx)->sql() << kClaim, soci::use(ns), soci::use(contract_id), soci::use(instance_id),
          soci::use(at);
      std::string writer;
      (*tx)->sql() << std::string(kWriter) + db_.dialect().lock_row(), soci::use(ns),
          soci::use(contract_id), soci::into(writer);
      if (writer != instance_id)
        return fail(ErrorCode::Conflict,
                    "contract " + contract_id + "'s obligations were recorded by " + writer +
                        ", not " + instance_id + ": one instance keeps a contract's register",
                    "obligations");
      (*tx)->sql() << kRewritten, soci::use(at), soci::use(ns), soci::use(contract_id);
      (*tx)->sql() << kDropRegister, soci::use(ns), soci::use(contract_id);
      for (const auto& o : rows) {
        soci::indicator di = o.due_date.empty() ? soci::i_null : soci::i_ok;
        (*tx)->sql() << kAddObligation, soci::use(ns), soci::use(contract_id),
            soci::use(o.obligation_id), soci::use(o.kind), soci::use(o.owner),
            soci::use(o.due_date, di), soci::use(o.body), soci::use(instance_id), soci::use(at);
      }
      return rows.size();
    });
    if (!r) {
      if (r.error().code == ErrorCode::Conflict && r.error().where != "obligations" && attempt < 3)
        continue;
      return r;
    }
    if (auto c = (*tx)->commit(); !c) {
      if (c.error().code == ErrorCode::Conflict && attempt < 3) continue;
      return tl::unexpected(c.error());
    }
    return r;
  }
}

Result<std::vector<ObligationRow>> Obligations::of_contract(const std::string& ns,
                                                            const std::string& contract_id) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<ObligationRow>>(
      "read obligations", [&]() -> Result<std::vector<ObligationRow>> {
        std::vector<ObligationRow> out;
        ObligationRow row;
        long long at = 0;
        soci::indicator di = soci::i_ok;
        soci::statement st =
            ((*tx)->sql().prepare << kRegister, soci::use(ns), soci::use(contract_id),
             soci::into(row.obligation_id), soci::into(row.kind), soci::into(row.owner),
             soci::into(row.due_date, di), soci::into(row.body), soci::into(row.instance_id),
             soci::into(at));
        st.execute();
        while (st.fetch()) {
          ObligationRow r = row;
          r.contract_id = contract_id;
          if (di != soci::i_ok) r.due_date.clear();
          r.recorded_us = at;
          out.push_back(std::move(r));
        }
        return out;
      });
}

}  // namespace covenant::engine::store
