// AuditLog (store.audit): audit reads. History is read in keyset pages (never a whole table in
// memory: an export of millions of events holds one page at a time) in one of two stable orders: by
// time across instances, or by instance and sequence number (for verifying chains).
#include "engine/store/history_rows.hpp"
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

// History rows hold one transition's events each (history_rows.hpp): pages are read by row
// and expanded; a row's `seq` is its last event's, so "rows with an event after the cursor" is a
// plain keyset condition on (at_us, instance_id, seq) or (instance_id, seq).
constexpr const char* kHistoryPageColumns =
    "SELECT h.instance_id, h.seq, h.at_us, h.prev_hash, h.events, i.workflow, i.business_key "
    "FROM history h JOIN instances i ON i.id = h.instance_id "
    "WHERE (:all = 1 OR h.namespace = :ns) AND (:inst = '' OR h.instance_id = :inst2) AND (:bk = "
    "'' OR i.business_key = :bk2) "
    "AND (:ty = '' OR h.events LIKE :ty2) AND h.at_us >= :from AND (CAST(:to AS BIGINT) = 0 OR "
    "h.at_us < :to2) "
    "AND (:cu = '' OR h.instance_id IN (SELECT r.instance_id FROM history r WHERE r.events LIKE "
    "'%\"activity\":\"resolve.customer\"%' AND (r.events LIKE :cu_id ESCAPE '!' OR r.events "
    "LIKE :cu_name ESCAPE '!'))) ";
constexpr const char* kByTime =
    "AND (h.at_us > :a OR (h.at_us = :a2 AND (h.instance_id > :i OR (h.instance_id = :i2 AND "
    "h.seq > :s)))) ORDER BY h.at_us, h.instance_id, h.seq LIMIT :n";
constexpr const char* kByInstance =
    "AND CAST(:a AS BIGINT) >= -1 AND CAST(:a2 AS BIGINT) >= -1 AND (h.instance_id > :i OR "
    "(h.instance_id = :i2 AND h.seq > :s)) "
    "ORDER BY h.instance_id, h.seq LIMIT :n";
constexpr const char* kHeads =
    "SELECT id, business_key, next_seq, last_hash FROM instances WHERE (:all = 1 OR namespace = "
    ":ns) AND id > :after ORDER BY id LIMIT :n";

// Each instance's last row before a time, with its events (the head is the last one's hash).
constexpr const char* kHeadsBefore =
    "SELECT h.instance_id, h.seq, h.prev_hash, h.events FROM history h JOIN (SELECT instance_id, "
    "MAX(seq) AS seq FROM history WHERE at_us < :before AND (:all = 1 OR namespace = :ns) GROUP "
    "BY instance_id) m ON m.instance_id = h.instance_id AND m.seq = h.seq ORDER BY h.instance_id";
// The row holding event :s (the first whose last event is at or after it).
constexpr const char* kRowAt =
    "SELECT seq, prev_hash, events FROM history WHERE instance_id = :i AND (:all = 1 OR namespace "
    "= :ns) AND seq >= :s ORDER BY seq LIMIT 1";
constexpr const char* kAddCheckpoint =
    "INSERT INTO checkpoints (day, document, digest, signature, public_key, created_us, "
    "namespace) VALUES (:d, :doc, :dg, :sig, :pk, :c, :ns)";
constexpr const char* kCheckpoints =
    "SELECT day, document, digest, signature, public_key, created_us FROM checkpoints WHERE "
    "namespace = :ns ORDER BY day";

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

Result<std::vector<std::tuple<std::string, std::int64_t, std::string>>> AuditLog::heads_before(
    const Scope& scope, std::int64_t before_us) {
  using Head = std::tuple<std::string, std::int64_t, std::string>;
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<Head>>("read chain heads", [&]() -> Result<std::vector<Head>> {
    std::vector<Head> out;
    std::string id, prev, events;
    long long seq = 0, before = before_us;
    int all = scope.all_flag();
    soci::statement st = ((*tx)->sql().prepare << kHeadsBefore, soci::use(before), soci::use(all),
                          soci::use(scope.ns()), soci::into(id), soci::into(seq), soci::into(prev),
                          soci::into(events));
    st.execute();
    while (st.fetch()) {
      std::string head;
      auto damage = history_rows::decode(
          seq, prev, events, [&](history_rows::DecodedEvent&& d) { head = std::move(d.hash); });
      if (!damage.empty())
        return fail(ErrorCode::Corrupted, "the history of instance " + id +
                                              " is damaged in the row ending at event " +
                                              std::to_string(seq) + ": " + damage);
      out.emplace_back(id, seq, head);
    }
    return out;
  });
}

Result<std::optional<std::string>> AuditLog::event_hash_at(const Scope& scope,
                                                           const std::string& instance_id,
                                                           std::int64_t seq) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<std::string>>(
      "read an event's hash", [&]() -> Result<std::optional<std::string>> {
        std::string prev, events;
        long long s = seq, last = 0;
        int all = scope.all_flag();
        (*tx)->sql() << kRowAt, soci::use(instance_id), soci::use(all), soci::use(scope.ns()),
            soci::use(s), soci::into(last), soci::into(prev), soci::into(events);
        if (!(*tx)->sql().got_data()) return std::nullopt;
        std::optional<std::string> hash;
        // A damaged row holds no hash that can be trusted: as if the event were not there.
        history_rows::decode(last, prev, events, [&](history_rows::DecodedEvent&& d) {
          if (d.seq == seq) hash = std::move(d.hash);
        });
        return hash;
      });
}

Result<void> AuditLog::add_checkpoint(const CheckpointRow& c) {
  if (auto bad = check_namespace(c.ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(c.ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("add checkpoint", [&]() -> Result<void> {
    long long created = c.created_us;
    (*tx)->sql() << kAddCheckpoint, soci::use(c.day), soci::use(c.document), soci::use(c.digest),
        soci::use(c.signature), soci::use(c.public_key), soci::use(created), soci::use(c.ns);
    return {};
  });
  if (!r) return r;
  return (*tx)->commit();
}

Result<std::vector<CheckpointRow>> AuditLog::checkpoints(const std::string& ns) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<CheckpointRow>>(
      "read checkpoints", [&]() -> Result<std::vector<CheckpointRow>> {
        std::vector<CheckpointRow> out;
        CheckpointRow c;
        c.ns = ns;
        long long created = 0;
        soci::statement st =
            ((*tx)->sql().prepare << kCheckpoints, soci::use(ns), soci::into(c.day),
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

Result<std::vector<HistoryRow>> AuditLog::page(const Scope& scope, const HistoryQuery& q,
                                               const HistoryCursor& after, int limit) {
  std::string type_pattern;
  if (!q.type_name.empty()) {
    auto type = history::event_type_from_name(q.type_name);
    if (!type) return std::vector<HistoryRow>{};  // no event has a type of that name
    // Every event of the type starts with `[<number>,"` in its row (a prefilter; exact below).
    type_pattern = "%[" + std::to_string(static_cast<int>(*type)) + ",\"%";
  }
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<HistoryRow>>(
      "read history", [&]() -> Result<std::vector<HistoryRow>> {
        std::vector<HistoryRow> out;
        std::string sql =
            std::string(kHistoryPageColumns) + (q.by_instance ? kByInstance : kByTime);
        std::string cu_id = member_pattern("external_id", q.customer),
                    cu_name = member_pattern("legal_name", q.customer);
        // Rows are fetched a page at a time from a row cursor until `limit` events pass the
        // filters.
        HistoryCursor rows_after = after;
        auto wanted = static_cast<std::size_t>(std::max(limit, 0));
        while (out.size() < wanted) {
          std::string instance, prev, events, workflow, business_key;
          long long seq = 0, at = 0, from = q.from_us, to = q.to_us, a = rows_after.at_us,
                    s = rows_after.seq;
          int fetched = 0, all = scope.all_flag();
          HistoryCursor last;  // the last row read (the bound cursor must not change mid-statement)
          soci::statement st =
              ((*tx)->sql().prepare << sql, soci::use(all), soci::use(scope.ns()),
               soci::use(q.instance_id), soci::use(q.instance_id), soci::use(q.business_key),
               soci::use(q.business_key), soci::use(type_pattern), soci::use(type_pattern),
               soci::use(from), soci::use(to), soci::use(to), soci::use(q.customer),
               soci::use(cu_id), soci::use(cu_name), soci::use(a), soci::use(a),
               soci::use(rows_after.instance_id), soci::use(rows_after.instance_id), soci::use(s),
               soci::use(limit), soci::into(instance), soci::into(seq), soci::into(at),
               soci::into(prev), soci::into(events), soci::into(workflow),
               soci::into(business_key));
          st.execute();
          while (st.fetch()) {
            ++fetched;
            // Events at or before the caller's cursor (the rest of a row it ended inside) are past.
            bool cursor_row = instance == after.instance_id && (q.by_instance || at == after.at_us);
            auto row = [&](std::int64_t event_seq) {
              HistoryRow r;
              r.instance_id = instance;
              r.seq = event_seq;
              r.at_us = at;
              r.workflow = workflow;
              r.business_key = business_key;
              return r;
            };
            auto damage =
                history_rows::decode(seq, prev, events, [&](history_rows::DecodedEvent&& d) {
                  if (cursor_row && d.seq <= after.seq) return;
                  auto type = history::event_type_from_number(d.type);
                  if (!q.type_name.empty() && (!type || history::name(*type) != q.type_name))
                    return;
                  HistoryRow r = row(d.seq);
                  r.type = d.type;
                  r.type_name = type ? std::string(history::name(*type)) : std::string();
                  r.frame = std::move(d.frame);
                  r.state = std::move(d.state);
                  r.payload =
                      d.payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                  r.prev_hash = std::move(d.prev_hash);
                  r.hash = std::move(d.hash);
                  out.push_back(std::move(r));
                });
            if (!damage.empty() && !(cursor_row && seq <= after.seq)) {
              // Shown as it is stored, so an audit names it rather than skipping it.
              HistoryRow r = row(seq);
              r.prev_hash = prev;
              r.payload = events;
              r.damage = std::move(damage);
              out.push_back(std::move(r));
            }
            last = {at, instance, seq};
          }
          if (fetched < limit) break;
          rows_after = std::move(last);
        }
        if (out.size() > wanted) out.resize(wanted);
        return out;
      });
}

Result<std::vector<ChainHead>> AuditLog::chain_heads(const Scope& scope,
                                                     const std::string& after_id, int limit) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<ChainHead>>(
      "read chain heads", [&]() -> Result<std::vector<ChainHead>> {
        std::vector<ChainHead> out;
        ChainHead h;
        long long next = 0;
        int all = scope.all_flag();
        soci::statement st =
            ((*tx)->sql().prepare << kHeads, soci::use(all), soci::use(scope.ns()),
             soci::use(after_id), soci::use(limit), soci::into(h.instance_id),
             soci::into(h.business_key), soci::into(next), soci::into(h.last_hash));
        st.execute();
        while (st.fetch()) {
          h.next_seq = next;
          out.push_back(h);
        }
        return out;
      });
}

}  // namespace covenant::engine::store
