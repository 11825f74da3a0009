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
    "AND (:ty = '' OR h.type_name = :ty2) AND h.at_us >= :from AND (:to = 0 OR h.at_us < :to2) "
    "AND (:cu = '' OR h.instance_id IN (SELECT r.instance_id FROM history r WHERE r.type_name = "
    "'ActivityCompleted' AND r.payload LIKE '%\"activity\":\"resolve.customer\"%' AND "
    "(r.payload LIKE :cu_id ESCAPE '!' OR r.payload LIKE :cu_name ESCAPE '!'))) ";
constexpr const char* kByTime =
    "AND (h.at_us > :a OR (h.at_us = :a2 AND (h.instance_id > :i OR (h.instance_id = :i2 AND "
    "h.seq > :s)))) ORDER BY h.at_us, h.instance_id, h.seq LIMIT :n";
constexpr const char* kByInstance =
    "AND :a >= -1 AND :a2 >= -1 AND (h.instance_id > :i OR (h.instance_id = :i2 AND h.seq > :s)) "
    "ORDER BY h.instance_id, h.seq LIMIT :n";
constexpr const char* kHeads =
    "SELECT id, business_key, next_seq, last_hash FROM instances WHERE id > :after ORDER BY id "
    "LIMIT :n";

constexpr const char* kHeadsBefore =
    "SELECT h.instance_id, h.seq, h.hash FROM history h JOIN (SELECT instance_id, MAX(seq) AS "
    "seq FROM history WHERE at_us < :before GROUP BY instance_id) m ON m.instance_id = "
    "h.instance_id AND m.seq = h.seq ORDER BY h.instance_id";
constexpr const char* kHashAt = "SELECT hash FROM history WHERE instance_id = :i AND seq = :s";
constexpr const char* kAddCheckpoint =
    "INSERT INTO checkpoints (day, document, digest, signature, public_key, created_us) "
    "VALUES (:d, :doc, :dg, :sig, :pk, :c)";
constexpr const char* kCheckpoints =
    "SELECT day, document, digest, signature, public_key, created_us FROM checkpoints ORDER BY "
    "day";

// A LIKE pattern for `"key":"value"` in a stored payload (compact JSON), with the pattern
// characters in the value escaped ('!' is the escape).
std::string member_pattern(const std::string& key, const std::string& value) {
  std::string v = nlohmann::json(value).dump();  // quoted, JSON-escaped as stored
  std::string out = "%\"" + key + "\":";
  for (char ch : v) {
    if (ch == '%' || ch == '_' || ch == '!') out += '!';
    out += ch;
  }
  return out + "%";
}

}  // namespace

Result<std::vector<std::tuple<std::string, std::int64_t, std::string>>> Store::heads_before(
    std::int64_t before_us) {
  using Head = std::tuple<std::string, std::int64_t, std::string>;
  auto tx = begin(false);
  if (!tx) return tl::unexpected(tx.error());
  return guard<std::vector<Head>>("read chain heads", [&]() -> Result<std::vector<Head>> {
    std::vector<Head> out;
    std::string id, hash;
    long long seq = 0, before = before_us;
    soci::statement st = ((*tx)->sql().prepare << kHeadsBefore, soci::use(before), soci::into(id),
                          soci::into(seq), soci::into(hash));
    st.execute();
    while (st.fetch()) out.emplace_back(id, seq, hash);
    return out;
  });
}

Result<std::optional<std::string>> Store::event_hash_at(const std::string& instance_id,
                                                        std::int64_t seq) {
  auto tx = begin(false);
  if (!tx) return tl::unexpected(tx.error());
  return guard<std::optional<std::string>>(
      "read an event's hash", [&]() -> Result<std::optional<std::string>> {
        std::string hash;
        long long s = seq;
        (*tx)->sql() << kHashAt, soci::use(instance_id), soci::use(s), soci::into(hash);
        if (!(*tx)->sql().got_data()) return std::nullopt;
        return hash;
      });
}

Result<void> Store::add_checkpoint(const CheckpointRow& c) {
  auto tx = begin();
  if (!tx) return tl::unexpected(tx.error());
  auto r = guard<void>("add checkpoint", [&]() -> Result<void> {
    long long created = c.created_us;
    (*tx)->sql() << kAddCheckpoint, soci::use(c.day), soci::use(c.document), soci::use(c.digest),
        soci::use(c.signature), soci::use(c.public_key), soci::use(created);
    return {};
  });
  if (!r) return r;
  return (*tx)->commit();
}

Result<std::vector<CheckpointRow>> Store::checkpoints() {
  auto tx = begin(false);
  if (!tx) return tl::unexpected(tx.error());
  return guard<std::vector<CheckpointRow>>(
      "read checkpoints", [&]() -> Result<std::vector<CheckpointRow>> {
        std::vector<CheckpointRow> out;
        CheckpointRow c;
        long long created = 0;
        soci::statement st = ((*tx)->sql().prepare << kCheckpoints, soci::into(c.day),
                              soci::into(c.document), soci::into(c.digest), soci::into(c.signature),
                              soci::into(c.public_key), soci::into(created));
        st.execute();
        while (st.fetch()) {
          c.created_us = created;
          out.push_back(c);
        }
        return out;
      });
}

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
    std::string cu_id = member_pattern("external_id", q.customer),
                cu_name = member_pattern("legal_name", q.customer);
    soci::statement st =
        ((*tx)->sql().prepare << sql, soci::use(q.instance_id), soci::use(q.instance_id),
         soci::use(q.business_key), soci::use(q.business_key), soci::use(q.type_name),
         soci::use(q.type_name), soci::use(from), soci::use(to), soci::use(to),
         soci::use(q.customer), soci::use(cu_id), soci::use(cu_name), soci::use(a), soci::use(a),
         soci::use(after.instance_id), soci::use(after.instance_id), soci::use(s), soci::use(limit),
         soci::into(r.instance_id), soci::into(seq), soci::into(type), soci::into(r.type_name),
         soci::into(at), soci::into(r.frame), soci::into(r.state), soci::into(r.payload),
         soci::into(r.prev_hash), soci::into(r.hash), soci::into(r.workflow),
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
