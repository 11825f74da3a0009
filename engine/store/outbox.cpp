// Outbox (store.outbox): the webhook outbox. Rows are written in the transaction that records the
// event, so a webhook is never lost nor sent for something that did not happen; the notifier claims
// due rows under a short lease and records each attempt.
#include "engine/store/store.hpp"

namespace covenant::engine::store {
namespace {

using nlohmann::json;

constexpr const char* kEnqueue =
    "INSERT INTO outbox (topic, instance_id, approval_id, payload, status, attempts, next_us, "
    "delivered_to, last_error, created_us, done_us, namespace) VALUES "
    "(:t, :i, :a, :p, 'pending', 0, :n, '[]', '', :c, 0, :ns)";
constexpr const char* kDue =
    "SELECT id FROM outbox WHERE status = 'pending' AND next_us <= :now ORDER BY next_us, id "
    "LIMIT :n";
constexpr const char* kLease = "UPDATE outbox SET next_us = :u WHERE id = :id";
constexpr const char* kColumns =
    "SELECT id, topic, instance_id, approval_id, payload, status, attempts, next_us, "
    "delivered_to, last_error, created_us, done_us, namespace FROM outbox ";
constexpr const char* kUpdate =
    "UPDATE outbox SET status = :s, attempts = :a, next_us = :n, delivered_to = :d, "
    "last_error = :e, done_us = :done WHERE id = :id";

struct Cols {
  long long id = 0, next = 0, created = 0, done = 0;
  std::string topic, instance_id, approval_id, payload, status, delivered, error, ns;
  int attempts = 0;
};

template <class P>
P& bind(P& p, Cols& c) {
  p, soci::into(c.id), soci::into(c.topic), soci::into(c.instance_id), soci::into(c.approval_id),
      soci::into(c.payload), soci::into(c.status), soci::into(c.attempts), soci::into(c.next),
      soci::into(c.delivered), soci::into(c.error), soci::into(c.created), soci::into(c.done),
      soci::into(c.ns);
  return p;
}

OutboxRow to_row(const Cols& c) {
  OutboxRow r;
  r.id = c.id;
  r.topic = c.topic;
  r.instance_id = c.instance_id;
  r.approval_id = c.approval_id;
  r.payload = json::parse(c.payload);
  r.status = c.status;
  r.attempts = c.attempts;
  r.next_us = c.next;
  r.delivered_to = json::parse(c.delivered).get<std::vector<std::string>>();
  r.last_error = c.error;
  r.created_us = c.created;
  r.done_us = c.done;
  r.ns = c.ns;
  return r;
}

}  // namespace

Result<void> Outbox::enqueue(Tx& tx, const std::vector<OutboxRow>& rows) {
  if (rows.empty()) return {};
  return db_.guard<void>("enqueue webhook", [&]() -> Result<void> {
    for (const auto& r : rows) {
      if (!tx.scope().covers(r.ns))
        return fail(ErrorCode::PermissionDenied,
                    "a webhook of namespace '" + r.ns + "' outside this transaction's");
      std::string payload = r.payload.dump();
      long long next = r.next_us, created = r.created_us;
      tx.sql() << kEnqueue, soci::use(r.topic), soci::use(r.instance_id), soci::use(r.approval_id),
          soci::use(payload), soci::use(next), soci::use(created), soci::use(r.ns);
    }
    return {};
  });
}

Result<std::vector<OutboxRow>> Outbox::claim(std::int64_t now_us, std::int64_t lease_us,
                                             int limit) {
  auto tx = db_.begin(Scope::all());  // the notifier sends every namespace's webhooks
  if (!tx) return tl::unexpected(tx.error());
  auto r =
      db_.guard<std::vector<OutboxRow>>("claim webhooks", [&]() -> Result<std::vector<OutboxRow>> {
        long long now = now_us, until = now_us + lease_us, one = 0;
        std::vector<long long> ids;
        soci::statement pick =
            ((*tx)->sql().prepare << std::string(kDue) + db_.dialect_.claim_rows(), soci::use(now),
             soci::use(limit), soci::into(one));
        pick.execute();
        while (pick.fetch()) ids.push_back(one);
        std::vector<OutboxRow> out;
        for (long long id : ids) {
          (*tx)->sql() << kLease, soci::use(until), soci::use(id);
          Cols c;
          auto p = ((*tx)->sql().prepare << std::string(kColumns) + "WHERE id = :id");
          bind(p, c), soci::use(id);
          soci::statement st(p);
          st.execute();
          if (st.fetch()) out.push_back(to_row(c));
        }
        return out;
      });
  if (!r) return r;
  if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  return r;
}

Result<void> Outbox::update(const OutboxRow& row) {
  auto tx = db_.begin(Scope::all());
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<void>("update webhook", [&]() -> Result<void> {
    std::string delivered = json(row.delivered_to).dump();
    long long next = row.next_us, done = row.done_us, id = row.id;
    int attempts = row.attempts;
    (*tx)->sql() << kUpdate, soci::use(row.status), soci::use(attempts), soci::use(next),
        soci::use(delivered), soci::use(row.last_error), soci::use(done), soci::use(id);
    return {};
  });
  if (!r) return r;
  return (*tx)->commit();
}

Result<std::vector<OutboxRow>> Outbox::of_instance(const Scope& scope,
                                                   const std::string& instance_id) {
  auto tx = db_.begin(scope, false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<OutboxRow>>(
      "list webhooks", [&]() -> Result<std::vector<OutboxRow>> {
        Cols c;
        int all = scope.all_flag();
        auto p = ((*tx)->sql().prepare << std::string(kColumns) +
                                              "WHERE (:all = 1 OR namespace = :ns) AND (:i1 = '' "
                                              "OR instance_id = :i2) ORDER BY id");
        bind(p, c), soci::use(all), soci::use(scope.ns()), soci::use(instance_id),
            soci::use(instance_id);
        soci::statement st(p);
        st.execute();
        std::vector<OutboxRow> out;
        while (st.fetch()) out.push_back(to_row(c));
        return out;
      });
}

}  // namespace covenant::engine::store
