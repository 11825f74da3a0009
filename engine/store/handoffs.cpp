// Handoffs (store.handoffs): when each handoff of an instance was first reached.
#include "engine/store/handoffs.hpp"

#include "engine/store/store.hpp"
#include "engine/store/view_query.hpp"

#include <algorithm>

namespace covenant::engine::store {
namespace {

// A milestone's time is kept once reached (COALESCE keeps the stored one); the end is the
// last given; the filter columns are the book's when the contract is in it already (the book
// copies them here when it is written later).
constexpr const char* kSave =
    "INSERT INTO handoffs (namespace, instance_id, workflow, contract_id, kind, customer, owner, "
    "currency, status, started_us, ended_us, signed_us, extracted_us, approved_us, "
    "provisioned_us, invoiced_us, span_us) VALUES (:ns, :i, :w, :c, COALESCE((SELECT kind FROM "
    "book_index WHERE namespace = :ns1 AND contract_id = :c1), ''), COALESCE((SELECT customer "
    "FROM book_index WHERE namespace = :ns2 AND contract_id = :c2), ''), COALESCE((SELECT owner "
    "FROM book_index WHERE namespace = :ns3 AND contract_id = :c3), ''), COALESCE((SELECT "
    "currency FROM book_index WHERE namespace = :ns4 AND contract_id = :c4), ''), :s, :st, :en, "
    ":m0, :m1, :m2, :m3, :m4, :sp) ON CONFLICT (instance_id) DO UPDATE SET status = CASE WHEN "
    "excluded.ended_us IS NULL THEN handoffs.status ELSE excluded.status END, ended_us = "
    "COALESCE(excluded.ended_us, handoffs.ended_us), signed_us = COALESCE(handoffs.signed_us, "
    "excluded.signed_us), extracted_us = COALESCE(handoffs.extracted_us, excluded.extracted_us), "
    "approved_us = COALESCE(handoffs.approved_us, excluded.approved_us), provisioned_us = "
    "COALESCE(handoffs.provisioned_us, excluded.provisioned_us), invoiced_us = "
    "COALESCE(handoffs.invoiced_us, excluded.invoiced_us), span_us = "
    "COALESCE(handoffs.invoiced_us, excluded.invoiced_us) - COALESCE(handoffs.signed_us, "
    "excluded.signed_us)";
constexpr const char* kColumns =
    "h.instance_id, h.workflow, h.contract_id, h.kind, h.customer, h.owner, h.currency, "
    "h.status, h.started_us, h.ended_us, h.signed_us, h.extracted_us, h.approved_us, "
    "h.provisioned_us, h.invoiced_us, h.span_us";
constexpr int kMaxHandoffPage = 500;
constexpr std::int64_t kNoHandoffSpan = -1;

// The rows come from the engine's own transitions (and the generator): refused only when they
// could not be stored at all, never for what a workflow may legitimately hold (a long business
// key), since a refusal undoes the transition that reached the milestone.
Result<void> check_handoff(const HandoffRow& r) {
  if (r.instance_id.empty())
    return fail(ErrorCode::InvalidArgument, "a handoff row names its instance");
  if (r.started_us <= 0)
    return fail(ErrorCode::InvalidArgument,
                "instance " + r.instance_id + ": a handoff row says when the instance started");
  for (auto t : r.at_us)
    if (t < 0)
      return fail(ErrorCode::InvalidArgument,
                  "instance " + r.instance_id + ": a milestone's time is after the epoch");
  return {};
}

void save_handoff_row(Tx& tx, const std::string& ns, const HandoffRow& r) {
  // NULL for "not reached" / "not ended" (the upsert keeps what is stored then).
  std::array<long long, kHandoffCount> at{};
  std::array<soci::indicator, kHandoffCount> ind{};
  for (std::size_t k = 0; k < kHandoffCount; ++k) {
    at[k] = r.at_us[k];
    ind[k] = r.at_us[k] > 0 ? soci::i_ok : soci::i_null;
  }
  long long started = r.started_us, ended = r.ended_us;
  soci::indicator ended_ind = r.ended_us > 0 ? soci::i_ok : soci::i_null;
  long long span = 0;
  soci::indicator span_ind = soci::i_null;
  if (r.at_us.front() > 0 && r.at_us.back() > 0) {
    span = r.at_us.back() - r.at_us.front();
    span_ind = soci::i_ok;
  }
  std::string status = r.status.empty() ? "running" : r.status;
  tx.sql() << kSave, soci::use(ns), soci::use(r.instance_id), soci::use(r.workflow),
      soci::use(r.contract_id), soci::use(ns), soci::use(r.contract_id), soci::use(ns),
      soci::use(r.contract_id), soci::use(ns), soci::use(r.contract_id), soci::use(ns),
      soci::use(r.contract_id), soci::use(status), soci::use(started), soci::use(ended, ended_ind),
      soci::use(at[0], ind[0]), soci::use(at[1], ind[1]), soci::use(at[2], ind[2]),
      soci::use(at[3], ind[3]), soci::use(at[4], ind[4]), soci::use(span, span_ind);
}

// Reads the rows a page query selects.
struct HandoffReader {
  HandoffRow row;
  long long started = 0, ended = 0, span = 0;
  std::array<long long, kHandoffCount> at{};
  soci::indicator ended_ind = soci::i_null, span_ind = soci::i_null;
  std::array<soci::indicator, kHandoffCount> ind{};
  void bind(soci::statement& st) {
    for (auto* s : {&row.instance_id, &row.workflow, &row.contract_id, &row.kind, &row.customer,
                    &row.owner, &row.currency, &row.status})
      st.exchange(soci::into(*s));
    st.exchange(soci::into(started));
    st.exchange(soci::into(ended, ended_ind));
    for (std::size_t k = 0; k < kHandoffCount; ++k) st.exchange(soci::into(at[k], ind[k]));
    st.exchange(soci::into(span, span_ind));
  }
  HandoffRow take() const {
    HandoffRow r = row;
    r.started_us = started;
    r.ended_us = ended_ind == soci::i_ok ? ended : 0;
    for (std::size_t k = 0; k < kHandoffCount; ++k) r.at_us[k] = ind[k] == soci::i_ok ? at[k] : 0;
    r.span_us = span_ind == soci::i_ok ? span : kNoHandoffSpan;
    return r;
  }
};

Result<void> check_handoff_request(const ViewFilter& f, int limit) {
  for (const auto* v : {&f.customer, &f.owner, &f.kind, &f.currency})
    if (v->size() > 200)
      return fail(ErrorCode::InvalidArgument, "a filter is at most 200 characters");
  if (limit < 1 || limit > kMaxHandoffPage)
    return fail(ErrorCode::InvalidArgument,
                "a page holds 1 to " + std::to_string(kMaxHandoffPage) + " rows");
  return {};
}

}  // namespace

void merge_handoff(HandoffRow& into, const HandoffRow& later) {
  for (std::size_t k = 0; k < kHandoffCount; ++k)
    if (later.at_us[k] > 0 && (into.at_us[k] == 0 || later.at_us[k] < into.at_us[k]))
      into.at_us[k] = later.at_us[k];
  if (later.ended_us > 0) {
    into.ended_us = later.ended_us;
    into.status = later.status;
  }
  if (into.started_us == 0) into.started_us = later.started_us;
}

Result<void> Handoffs::save(Tx& tx, const std::string& ns, const HandoffRow& row) {
  if (auto bad = check_handoff(row); !bad) return bad;
  return db_.guard<void>("record a handoff", [&]() -> Result<void> {
    save_handoff_row(tx, ns, row);
    return {};
  });
}

Result<std::size_t> Handoffs::save_many(const std::string& ns,
                                        const std::vector<HandoffRow>& rows) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  for (const auto& r : rows)
    if (auto bad = check_handoff(r); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<std::size_t>("record handoffs", [&]() -> Result<std::size_t> {
    for (const auto& row : rows) save_handoff_row(**tx, ns, row);
    return rows.size();
  });
  if (!r) return r;
  if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  return r;
}

Result<std::vector<HandoffTimes>> Handoffs::times(const std::string& ns, const ViewFilter& f) {
  if (auto bad = check_handoff_request(f, 1); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<HandoffTimes>>(
      "read handoffs", [&]() -> Result<std::vector<HandoffTimes>> {
        Binds p;
        std::string sql =
            "SELECT h.signed_us, h.extracted_us, h.approved_us, h.provisioned_us, "
            "h.invoiced_us, CASE WHEN h.status = 'running' THEN 1 ELSE 0 END FROM handoffs h "
            "WHERE h.namespace = " +
            p.text(ns);
        sql += filter_sql(p, f, "h.");
        std::vector<HandoffTimes> out;
        // Fetched a thousand rows at a time: a view reads every matching instance.
        constexpr std::size_t kBulk = 1000;
        std::array<std::vector<long long>, kHandoffCount> at;
        std::array<std::vector<soci::indicator>, kHandoffCount> ind;
        std::vector<int> running(kBulk);
        for (std::size_t k = 0; k < kHandoffCount; ++k) {
          at[k].resize(kBulk);
          ind[k].resize(kBulk);
        }
        soci::statement st((*tx)->sql());
        st.alloc();
        st.prepare(sql);
        p.bind(st);
        for (std::size_t k = 0; k < kHandoffCount; ++k) st.exchange(soci::into(at[k], ind[k]));
        st.exchange(soci::into(running));
        st.define_and_bind();
        if (st.execute(true)) {
          do {
            for (std::size_t i = 0; i < running.size(); ++i) {
              HandoffTimes t;
              for (std::size_t k = 0; k < kHandoffCount; ++k)
                t.at_us[k] = ind[k][i] == soci::i_ok ? at[k][i] : 0;
              t.running = running[i] != 0;
              out.push_back(t);
            }
          } while (st.fetch());
        }
        return out;
      });
}

namespace {

Result<HandoffPage> read_handoffs(Store& db, const std::string& ns, Binds& p,
                                  const std::string& sql, int limit, bool by_span) {
  auto tx = db.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db.guard<HandoffPage>("read handoffs", [&]() -> Result<HandoffPage> {
    HandoffPage page;
    HandoffReader rr;
    each_row((*tx)->sql(), sql, p, [&](soci::statement& st) { rr.bind(st); },
             [&] { page.rows.push_back(rr.take()); });
    if (static_cast<int>(page.rows.size()) > limit) {
      page.rows.resize(limit);
      const auto& last = page.rows.back();
      page.next = HandoffKey{by_span ? last.span_us : last.started_us, last.instance_id};
    }
    return page;
  });
}

}  // namespace

Result<std::optional<HandoffRow>> Handoffs::of_instance(const std::string& ns,
                                                        const std::string& instance_id) {
  Binds p;
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM handoffs h WHERE h.namespace = " + p.text(ns) +
                    " AND h.instance_id = " + p.text(instance_id);
  auto page = read_handoffs(db_, ns, p, sql, 1, false);
  if (!page) return tl::unexpected(page.error());
  if (page->rows.empty()) return std::optional<HandoffRow>{};
  return std::optional<HandoffRow>{page->rows.front()};
}

Result<HandoffPage> Handoffs::slowest(const std::string& ns, const ViewFilter& f,
                                      const std::optional<HandoffKey>& after, int limit) {
  if (auto bad = check_handoff_request(f, limit); !bad) return tl::unexpected(bad.error());
  Binds p;
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM handoffs h WHERE h.namespace = " + p.text(ns) +
                    " AND h.span_us IS NOT NULL" + filter_sql(p, f, "h.");
  if (after) {
    std::string n = p.number(after->number);
    sql += " AND (h.span_us < " + n + " OR (h.span_us = " + p.number(after->number) +
           " AND h.instance_id < " + p.text(after->instance_id) + "))";
  }
  sql += " ORDER BY h.span_us DESC, h.instance_id DESC LIMIT " + std::to_string(limit + 1);
  return read_handoffs(db_, ns, p, sql, limit, true);
}

Result<HandoffPage> Handoffs::in_flight(const std::string& ns, const ViewFilter& f,
                                        const std::optional<HandoffKey>& after, int limit) {
  if (auto bad = check_handoff_request(f, limit); !bad) return tl::unexpected(bad.error());
  Binds p;
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM handoffs h WHERE h.namespace = " + p.text(ns) +
                    " AND h.invoiced_us IS NULL AND h.status = 'running'" + filter_sql(p, f, "h.");
  if (after) {
    std::string n = p.number(after->number);
    sql += " AND (h.started_us > " + n + " OR (h.started_us = " + p.number(after->number) +
           " AND h.instance_id > " + p.text(after->instance_id) + "))";
  }
  sql += " ORDER BY h.started_us, h.instance_id LIMIT " + std::to_string(limit + 1);
  return read_handoffs(db_, ns, p, sql, limit, false);
}

}  // namespace covenant::engine::store
