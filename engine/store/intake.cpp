// Intake (store.intake): the record of CLM deliveries.
#include "engine/store/intake.hpp"

#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

constexpr const char* kAddDelivery =
    "INSERT INTO intake_deliveries (namespace, id, source, vendor, event_id, outcome, reason, "
    "detail, instance_id, body_sha256, received_us) VALUES (:ns, :id, :s, :v, :e, :o, :r, :d, "
    ":i, :b, :t)";
constexpr const char* kDeliveries =
    "SELECT id, source, vendor, event_id, outcome, reason, detail, instance_id, body_sha256, "
    "received_us FROM intake_deliveries WHERE namespace = :ns AND (:any = 1 OR source = :s) AND "
    "(:all = 1 OR received_us < CAST(:bt AS BIGINT) OR (received_us = CAST(:bt2 AS BIGINT) AND "
    "id < :bi)) ORDER BY received_us DESC, id DESC LIMIT :lim";
constexpr const char* kAccepted =
    "SELECT instance_id FROM intake_deliveries WHERE namespace = :ns AND source = :s AND "
    "event_id = :e AND outcome = 'accepted' ORDER BY received_us LIMIT 1";

bool valid_outcome(const std::string& o) {
  return o == "accepted" || o == "replayed" || o == "refused" || o == "ignored";
}

}  // namespace

Result<void> Intake::record(const IntakeRow& row) {
  if (auto bad = check_namespace(row.ns); !bad) return bad;
  if (!valid_outcome(row.outcome))
    return fail(ErrorCode::InvalidArgument, "not an intake outcome: '" + row.outcome + "'");
  auto tx = db_.begin(Scope::of(row.ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<bool>("record an intake delivery", [&]() -> Result<bool> {
    long long at = row.received_us;
    (*tx)->sql() << kAddDelivery, soci::use(row.ns), soci::use(row.id), soci::use(row.source),
        soci::use(row.vendor), soci::use(row.event_id), soci::use(row.outcome),
        soci::use(row.reason), soci::use(row.detail), soci::use(row.instance_id),
        soci::use(row.body_sha256), soci::use(at);
    return true;
  });
  if (!r) return tl::unexpected(r.error());
  return (*tx)->commit();
}

Result<std::vector<IntakeRow>> Intake::list(
    const std::string& ns, const std::string& source, int limit,
    const std::optional<std::pair<std::int64_t, std::string>>& before) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<IntakeRow>>(
      "read intake deliveries", [&]() -> Result<std::vector<IntakeRow>> {
        std::vector<IntakeRow> out;
        IntakeRow row;
        row.ns = ns;
        long long at = 0, bt = before ? before->first : 0;
        int any = source.empty() ? 1 : 0, all = before ? 0 : 1, lim = limit;
        std::string bi = before ? before->second : "";
        soci::statement st =
            ((*tx)->sql().prepare << kDeliveries, soci::use(ns), soci::use(any), soci::use(source),
             soci::use(all), soci::use(bt), soci::use(bt), soci::use(bi), soci::use(lim),
             soci::into(row.id), soci::into(row.source), soci::into(row.vendor),
             soci::into(row.event_id), soci::into(row.outcome), soci::into(row.reason),
             soci::into(row.detail), soci::into(row.instance_id), soci::into(row.body_sha256),
             soci::into(at));
        st.execute();
        while (st.fetch()) {
          row.received_us = at;
          out.push_back(row);
        }
        return out;
      });
}

Result<std::optional<std::string>> Intake::accepted(const std::string& ns,
                                                    const std::string& source,
                                                    const std::string& event_id) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<std::string>>(
      "read an intake delivery", [&]() -> Result<std::optional<std::string>> {
        std::string id;
        soci::indicator ind = soci::i_null;
        (*tx)->sql() << kAccepted, soci::use(ns), soci::use(source), soci::use(event_id),
            soci::into(id, ind);
        if (!(*tx)->sql().got_data() || ind != soci::i_ok) return std::nullopt;
        return id;
      });
}

}  // namespace covenant::engine::store
