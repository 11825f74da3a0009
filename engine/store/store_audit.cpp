// Store: audit reads. History is read in keyset pages (never a whole table in memory: an
// export of millions of events holds one page at a time) in one of two stable orders: by time
// across instances, or by instance and sequence number (for verifying chains).
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

constexpr const char* kColumns =
    "SELECT h.instance_id, h.seq, h.type, h.type_name, h.at_us, h.frame, h.state, h.payload, "
    "h.prev_hash, h.hash, i.workflow, i.business_key FROM history h "
    "JOIN instances i ON i.id = h.instance_id "
    "WHERE (:inst = '' OR h.instance_id = :inst2) AND (:bk = '' OR i.business_key = :bk2) "
    "AND (:ty = '' OR h.type_name = :ty2) AND h.at_us >= :from AND (:to = 0 OR h.at_us < :to2) ";
constexpr const char* kByTime =
    "AND (h.at_us > :a OR (h.at_us = :a2 AND (h.instance_id > :i OR (h.instance_id = :i2 AND "
    "h.seq > :s)))) ORDER BY h.at_us, h.instance_id, h.seq LIMIT :n";
constexpr const char* kByInstance =
    "AND :a >= -1 AND :a2 >= -1 AND (h.instance_id > :i OR (h.instance_id = :i2 AND h.seq > :s)) "
    "ORDER BY h.instance_id, h.seq LIMIT :n";
constexpr const char* kHeads =
    "SELECT id, business_key, next_seq, last_hash FROM instances WHERE id > :after ORDER BY id "
    "LIMIT :n";

}  // namespace

Result<std::vector<HistoryRow>> Store::history_page(const HistoryQuery& q,
                                                    const HistoryCursor& after, int limit) {
  auto tx = begin(false);
  if (!tx) return tl::unexpected(tx.error());
  return guard<std::vector<HistoryRow>>("read history", [&]() -> Result<std::vector<HistoryRow>> {
    std::vector<HistoryRow> out;
    HistoryRow r;
    long long seq = 0, at = 0, from = q.from_us, to = q.to_us, a = after.at_us, s = after.seq;
    int type = 0;
    std::string sql = std::string(kColumns) + (q.by_instance ? kByInstance : kByTime);
    soci::statement st =
        ((*tx)->sql().prepare << sql, soci::use(q.instance_id), soci::use(q.instance_id),
         soci::use(q.business_key), soci::use(q.business_key), soci::use(q.type_name),
         soci::use(q.type_name), soci::use(from), soci::use(to), soci::use(to), soci::use(a),
         soci::use(a), soci::use(after.instance_id), soci::use(after.instance_id), soci::use(s),
         soci::use(limit), soci::into(r.instance_id), soci::into(seq), soci::into(type),
         soci::into(r.type_name), soci::into(at), soci::into(r.frame), soci::into(r.state),
         soci::into(r.payload), soci::into(r.prev_hash), soci::into(r.hash), soci::into(r.workflow),
         soci::into(r.business_key));
    st.execute();
    while (st.fetch()) {
      r.seq = seq;
      r.type = type;
      r.at_us = at;
      out.push_back(r);
    }
    return out;
  });
}

Result<std::vector<ChainHead>> Store::chain_heads(const std::string& after_id, int limit) {
  auto tx = begin(false);
  if (!tx) return tl::unexpected(tx.error());
  return guard<std::vector<ChainHead>>("read chain heads", [&]() -> Result<std::vector<ChainHead>> {
    std::vector<ChainHead> out;
    ChainHead h;
    long long next = 0;
    soci::statement st = ((*tx)->sql().prepare << kHeads, soci::use(after_id), soci::use(limit),
                          soci::into(h.instance_id), soci::into(h.business_key), soci::into(next),
                          soci::into(h.last_hash));
    st.execute();
    while (st.fetch()) {
      h.next_seq = next;
      out.push_back(h);
    }
    return out;
  });
}

}  // namespace covenant::engine::store
