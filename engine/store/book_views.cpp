// BookViews (store.views): the index and findings the views over the book read.
#include "engine/store/book_views.hpp"

#include "engine/store/day_text.hpp"
#include "engine/store/store.hpp"
#include "engine/store/view_query.hpp"

#include <set>

namespace covenant::engine::store {
namespace {

constexpr const char* kOldIndex =
    "SELECT kind, owner, currency FROM book_index WHERE namespace = :ns AND contract_id = :c";
constexpr const char* kOldMonths =
    "SELECT month, recognised_minor, billed_minor FROM book_months WHERE namespace = :ns AND "
    "contract_id = :c";
constexpr const char* kDropIndex =
    "DELETE FROM book_index WHERE namespace = :ns AND contract_id = :c";
constexpr const char* kDropMonths =
    "DELETE FROM book_months WHERE namespace = :ns AND contract_id = :c";
constexpr const char* kAddIndex =
    "INSERT INTO book_index (namespace, contract_id, kind, customer, customer_name, owner, "
    "currency, total_minor, price_minor, pending_minor, signed_on, service_start, service_end) "
    "VALUES (:ns, :c, :k, :cu, :cn, :o, :cy, :t, :pr, :pe, :s, :ss, :se)";
constexpr const char* kAddMonth =
    "INSERT INTO book_months (namespace, contract_id, month, currency, recognised_minor, "
    "billed_minor) VALUES (:ns, :c, :m, :cy, :r, :b)";
constexpr const char* kMoveTotal =
    "INSERT INTO book_month_totals (namespace, currency, month, kind, owner, recognised_minor, "
    "billed_minor) VALUES (:ns, :cy, :m, :k, :o, :r, :b) ON CONFLICT (namespace, currency, month, "
    "kind, owner) DO UPDATE SET recognised_minor = book_month_totals.recognised_minor + "
    "excluded.recognised_minor, billed_minor = book_month_totals.billed_minor + "
    "excluded.billed_minor";
constexpr const char* kFilterColumns =
    "SELECT kind, customer, owner, currency FROM book_index WHERE namespace = :ns AND "
    "contract_id = :c";
constexpr const char* kCopyFilters =
    "UPDATE contract_findings SET kind = :k, customer = :cu, owner = :o, book_currency = :cy "
    "WHERE namespace = :ns AND contract_id = :c";
constexpr const char* kCopyToHandoffs =
    "UPDATE handoffs SET kind = :k, customer = :cu, owner = :o, currency = :cy WHERE namespace = "
    ":ns AND contract_id = :c";
constexpr const char* kObserve =
    "INSERT INTO contract_findings (namespace, contract_id, monitor, kind, customer, owner, "
    "book_currency, status, tag, due_on, items, amount_minor, currency, observed_on, body, "
    "instance_id, recorded_us) VALUES (:ns, :c, :m, :k, :cu, :ow, :bc, :s, :t, :d, :n, :a, :cy, "
    ":o, :b, :i, :r) ON CONFLICT (namespace, contract_id, monitor) DO "
    "UPDATE SET status = excluded.status, tag = excluded.tag, due_on = excluded.due_on, items = "
    "excluded.items, amount_minor = excluded.amount_minor, currency = excluded.currency, "
    "observed_on = excluded.observed_on, body = excluded.body, instance_id = excluded.instance_id, "
    "recorded_us = excluded.recorded_us WHERE contract_findings.observed_on <= "
    "excluded.observed_on";
constexpr const char* kIndexColumns =
    "b.contract_id, b.kind, b.customer, b.customer_name, b.owner, b.currency, b.total_minor, "
    "b.signed_on, b.service_start, b.service_end";
constexpr const char* kFindingColumns =
    ", f.status, f.tag, f.due_on, f.items, f.amount_minor, f.currency, f.observed_on, f.body, "
    "f.instance_id, f.recorded_us";
constexpr int kMaxPage = 500;
constexpr std::size_t kMaxBody = 64 * 1024;

bool is_currency_code(const std::string& c) {
  if (c.size() != 3) return false;
  for (char ch : c)
    if (ch < 'A' || ch > 'Z') return false;
  return true;
}
bool is_monitor_name(const std::string& w) {
  if (w.empty() || w.size() > 32) return false;
  for (char ch : w)
    if (!((ch >= 'a' && ch <= 'z') || ch == '_')) return false;
  return true;
}

Result<void> check_filter(const ViewFilter& f) {
  for (const auto* v : {&f.customer, &f.owner, &f.kind, &f.currency})
    if (v->size() > 200)
      return fail(ErrorCode::InvalidArgument, "a filter is at most 200 characters");
  return {};
}

// Reads the joined index-and-finding rows a query selects.
struct ViewReader {
  FindingView v;
  long long total = 0, items = 0, amount = 0, recorded = 0;
  void bind(soci::statement& st) {
    auto& c = v.contract;
    for (auto* s : {&c.contract_id, &c.kind, &c.customer, &c.customer_name, &c.owner, &c.currency})
      st.exchange(soci::into(*s));
    st.exchange(soci::into(total));
    for (auto* s : {&c.signed_on, &c.service_start, &c.service_end}) st.exchange(soci::into(*s));
    auto& f = v.finding;
    for (auto* s : {&f.status, &f.tag, &f.due_on}) st.exchange(soci::into(*s));
    st.exchange(soci::into(items));
    st.exchange(soci::into(amount));
    for (auto* s : {&f.currency, &f.observed_on, &f.body, &f.instance_id})
      st.exchange(soci::into(*s));
    st.exchange(soci::into(recorded));
  }
  FindingView take(const std::string& monitor) {
    FindingView out = v;
    out.contract.total_minor = total;
    out.finding.contract_id = out.contract.contract_id;
    out.finding.monitor = monitor;
    out.finding.items = items;
    out.finding.amount_minor = amount;
    out.finding.recorded_us = recorded;
    return out;
  }
};

Result<void> check_page(int limit) {
  if (limit < 1 || limit > kMaxPage)
    return fail(ErrorCode::InvalidArgument,
                "a page holds 1 to " + std::to_string(kMaxPage) + " rows");
  return {};
}

}  // namespace

Result<void> BookViews::check(const ContractIndex& i) {
  if (!i.currency.empty() && !is_currency_code(i.currency))
    return fail(ErrorCode::InvalidArgument,
                "contract " + i.contract_id + ": '" + i.currency + "' is not a currency code");
  for (const auto* d : {&i.signed_on, &i.service_start, &i.service_end})
    if (!d->empty() && !is_iso_day(*d))
      return fail(ErrorCode::InvalidArgument,
                  "contract " + i.contract_id + ": '" + *d + "' is not a date (YYYY-MM-DD)");
  std::set<std::string> seen;
  for (const auto& m : i.months) {
    if (!is_iso_month(m.month))
      return fail(ErrorCode::InvalidArgument,
                  "contract " + i.contract_id + ": '" + m.month + "' is not a month (YYYY-MM)");
    if (!seen.insert(m.month).second)
      return fail(ErrorCode::InvalidArgument,
                  "contract " + i.contract_id + ": month " + m.month + " is given twice");
    if (i.currency.empty())
      return fail(ErrorCode::InvalidArgument,
                  "contract " + i.contract_id + ": months of money need the contract's currency");
  }
  return {};
}

Result<void> BookViews::index(Tx& tx, const std::string& ns, const ContractIndex& i) {
  if (i.contract_id.empty() || i.contract_id.size() > 200)
    return fail(ErrorCode::InvalidArgument, "a contract id is 1 to 200 characters");
  if (auto bad = check(i); !bad) return bad;
  auto move = [&](const std::string& currency, const std::string& kind, const std::string& owner,
                  const std::string& month, long long recognised, long long billed) {
    tx.sql() << kMoveTotal, soci::use(ns), soci::use(currency), soci::use(month), soci::use(kind),
        soci::use(owner), soci::use(recognised), soci::use(billed);
  };
  std::string kind, owner, currency;
  soci::indicator found = soci::i_null;
  tx.sql() << kOldIndex, soci::use(ns), soci::use(i.contract_id), soci::into(kind, found),
      soci::into(owner), soci::into(currency);
  if (tx.sql().got_data()) {
    std::vector<MonthFigures> old;
    MonthFigures m;
    long long r = 0, b = 0;
    soci::statement st = (tx.sql().prepare << kOldMonths, soci::use(ns), soci::use(i.contract_id),
                          soci::into(m.month), soci::into(r), soci::into(b));
    st.execute();
    while (st.fetch()) old.push_back({m.month, r, b});
    for (const auto& o : old)
      move(currency, kind, owner, o.month, -o.recognised_minor, -o.billed_minor);
    tx.sql() << kDropMonths, soci::use(ns), soci::use(i.contract_id);
    tx.sql() << kDropIndex, soci::use(ns), soci::use(i.contract_id);
  }
  long long total = i.total_minor, price = i.price_minor, pending = i.pending_minor;
  tx.sql() << kAddIndex, soci::use(ns), soci::use(i.contract_id), soci::use(i.kind),
      soci::use(i.customer), soci::use(i.customer_name), soci::use(i.owner), soci::use(i.currency),
      soci::use(total), soci::use(price), soci::use(pending), soci::use(i.signed_on),
      soci::use(i.service_start), soci::use(i.service_end);
  tx.sql() << kCopyFilters, soci::use(i.kind), soci::use(i.customer), soci::use(i.owner),
      soci::use(i.currency), soci::use(ns), soci::use(i.contract_id);
  tx.sql() << kCopyToHandoffs, soci::use(i.kind), soci::use(i.customer), soci::use(i.owner),
      soci::use(i.currency), soci::use(ns), soci::use(i.contract_id);
  for (const auto& m : i.months) {
    long long r = m.recognised_minor, b = m.billed_minor;
    tx.sql() << kAddMonth, soci::use(ns), soci::use(i.contract_id), soci::use(m.month),
        soci::use(i.currency), soci::use(r), soci::use(b);
    move(i.currency, i.kind, i.owner, m.month, r, b);
  }
  return {};
}

namespace {

Result<void> check_finding(const FindingRow& f) {
  if (f.contract_id.empty() || f.contract_id.size() > 200)
    return fail(ErrorCode::InvalidArgument, "a contract id is 1 to 200 characters");
  if (!is_monitor_name(f.monitor))
    return fail(ErrorCode::InvalidArgument, "a monitor is named in lower case (a-z, _)");
  if (f.status.empty() || f.status.size() > 64 || f.tag.size() > 64)
    return fail(ErrorCode::InvalidArgument, "a finding has a status (at most 64 characters)");
  if (!f.due_on.empty() && !is_iso_day(f.due_on))
    return fail(ErrorCode::InvalidArgument, "a finding's due date is YYYY-MM-DD");
  if (!is_iso_day(f.observed_on))
    return fail(ErrorCode::InvalidArgument, "a finding says the day it was observed (YYYY-MM-DD)");
  if (f.items < 0 || f.amount_minor < 0)
    return fail(ErrorCode::InvalidArgument, "a finding counts items and money from zero");
  if (!f.currency.empty() && !is_currency_code(f.currency))
    return fail(ErrorCode::InvalidArgument, "'" + f.currency + "' is not a currency code");
  if (f.body.empty() || f.body.size() > kMaxBody)
    return fail(ErrorCode::InvalidArgument, "a finding's body is 1 byte to 64 KiB");
  if (f.instance_id.empty())
    return fail(ErrorCode::InvalidArgument, "a finding names the instance that observed it");
  return {};
}

bool write_finding(Tx& tx, const std::string& ns, const FindingRow& f, std::int64_t now_us) {
  long long items = f.items, amount = f.amount_minor, at = now_us;
  // The contract's filter columns as its index has them ('' until it is in the book; the index
  // copies them here when it is written).
  std::string kind, customer, owner, currency;
  soci::indicator found = soci::i_null;
  tx.sql() << kFilterColumns, soci::use(ns), soci::use(f.contract_id), soci::into(kind, found),
      soci::into(customer), soci::into(owner), soci::into(currency);
  if (!tx.sql().got_data()) kind = customer = owner = currency = "";
  soci::statement st =
      (tx.sql().prepare << kObserve, soci::use(ns), soci::use(f.contract_id), soci::use(f.monitor),
       soci::use(kind), soci::use(customer), soci::use(owner), soci::use(currency),
       soci::use(f.status), soci::use(f.tag), soci::use(f.due_on), soci::use(items),
       soci::use(amount), soci::use(f.currency), soci::use(f.observed_on), soci::use(f.body),
       soci::use(f.instance_id), soci::use(at));
  st.execute(true);
  if (st.get_affected_rows() == 0) return false;
  // Renewal risk's copy of the SLA and billing figures on the renewal row (see migration 027).
  if (f.monitor == "sla" || f.monitor == "billing_accuracy") {
    std::string p = f.monitor == "sla" ? "sla_" : "billing_";
    tx.sql() << "UPDATE contract_findings SET " + p + "items = :n, " + p + "amount_minor = :a, " +
                    p + "currency = :c, " + p +
                    "observed_on = :o WHERE namespace = :ns AND contract_id = :id AND monitor = "
                    "'renewal'",
        soci::use(items), soci::use(amount), soci::use(f.currency), soci::use(f.observed_on),
        soci::use(ns), soci::use(f.contract_id);
  } else if (f.monitor == "renewal") {
    for (std::string m : {"sla", "billing_accuracy"}) {
      long long n = 0, a = 0;
      std::string c, o;
      soci::indicator there = soci::i_null;
      tx.sql() << "SELECT items, amount_minor, currency, observed_on FROM contract_findings "
                  "WHERE namespace = :ns AND contract_id = :id AND monitor = :m",
          soci::use(ns), soci::use(f.contract_id), soci::use(m), soci::into(n, there),
          soci::into(a), soci::into(c), soci::into(o);
      if (!tx.sql().got_data()) continue;
      std::string p = m == "sla" ? "sla_" : "billing_";
      tx.sql() << "UPDATE contract_findings SET " + p + "items = :n, " + p + "amount_minor = :a, " +
                      p + "currency = :c, " + p +
                      "observed_on = :o WHERE namespace = :ns AND contract_id = :id AND monitor = "
                      "'renewal'",
          soci::use(n), soci::use(a), soci::use(c), soci::use(o), soci::use(ns),
          soci::use(f.contract_id);
    }
  }
  return true;
}

}  // namespace

Result<bool> BookViews::observe(const std::string& ns, const FindingRow& f, std::int64_t now_us) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  if (auto bad = check_finding(f); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<bool>("record a finding",
                           [&]() -> Result<bool> { return write_finding(**tx, ns, f, now_us); });
  if (!r) return r;
  if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  return r;
}

Result<std::size_t> BookViews::observe_many(const std::string& ns,
                                            const std::vector<FindingRow>& rows,
                                            std::int64_t now_us) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  for (const auto& f : rows)
    if (auto bad = check_finding(f); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<std::size_t>("record findings", [&]() -> Result<std::size_t> {
    std::size_t n = 0;
    for (const auto& f : rows) n += write_finding(**tx, ns, f, now_us) ? 1 : 0;
    return n;
  });
  if (!r) return r;
  if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  return r;
}

namespace {

Result<FindingPage> read_page(Store& db, const std::string& ns, const std::string& monitor,
                              Binds& p, const std::string& sql, int limit, bool by_due) {
  auto tx = db.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db.guard<FindingPage>("read a view", [&]() -> Result<FindingPage> {
    FindingPage page;
    ViewReader rr;
    each_row((*tx)->sql(), sql, p, [&](soci::statement& st) { rr.bind(st); },
             [&] { page.rows.push_back(rr.take(monitor)); });
    if (static_cast<int>(page.rows.size()) > limit) {
      page.rows.resize(limit);
      const auto& last = page.rows.back();
      page.next =
          ViewKey{by_due ? last.finding.due_on : "", last.finding.items, last.contract.contract_id};
    }
    return page;
  });
}

std::string select_findings(Binds& p, const std::string& ns, const std::string& monitor,
                            const ViewFilter& f) {
  return std::string("SELECT ") + kIndexColumns + kFindingColumns +
         " FROM contract_findings f JOIN book_index b ON b.namespace = f.namespace AND "
         "b.contract_id = f.contract_id WHERE f.namespace = " +
         p.text(ns) + " AND f.monitor = " + p.text(monitor) +
         filter_sql(p, f, "f.", "book_currency");
}

}  // namespace

Result<FindingPage> BookViews::due(const std::string& ns, const std::string& monitor,
                                   const ViewFilter& f, const std::string& from,
                                   const std::string& to, const std::optional<ViewKey>& after,
                                   int limit) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  if (auto bad = check_filter(f); !bad) return tl::unexpected(bad.error());
  if (auto bad = check_page(limit); !bad) return tl::unexpected(bad.error());
  if (!is_iso_day(from) || !is_iso_day(to))
    return fail(ErrorCode::InvalidArgument, "a period is two dates (YYYY-MM-DD)");
  Binds p;
  std::string sql = select_findings(p, ns, monitor, f) + " AND f.due_on >= " + p.text(from) +
                    " AND f.due_on < " + p.text(to);
  if (after) {
    std::string d = p.text(after->text);
    sql += " AND (f.due_on > " + d + " OR (f.due_on = " + p.text(after->text) +
           " AND f.contract_id > " + p.text(after->contract_id) + "))";
  }
  sql += " ORDER BY f.due_on, f.contract_id LIMIT " + std::to_string(limit + 1);
  return read_page(db_, ns, monitor, p, sql, limit, true);
}

Result<std::map<std::string, std::vector<std::int64_t>>> BookViews::due_counts(
    const std::string& ns, const std::string& monitor, const ViewFilter& f, const std::string& from,
    const std::vector<std::string>& bounds) {
  using Out = std::map<std::string, std::vector<std::int64_t>>;
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  if (auto bad = check_filter(f); !bad) return tl::unexpected(bad.error());
  if (bounds.empty() || bounds.size() > 8 || !is_iso_day(from))
    return fail(ErrorCode::InvalidArgument, "counts are asked for 1 to 8 dates after a date");
  for (const auto& b : bounds)
    if (!is_iso_day(b) || b < from)
      return fail(ErrorCode::InvalidArgument, "a bound is a date (YYYY-MM-DD) after the start");
  Binds p;
  std::string sql = "SELECT f.tag";
  for (const auto& b : bounds)
    sql += ", SUM(CASE WHEN f.due_on < " + p.text(b) + " THEN 1 ELSE 0 END)";
  sql += " FROM contract_findings f";
  sql += " WHERE f.namespace = " + p.text(ns) + " AND f.monitor = " + p.text(monitor) +
         filter_sql(p, f, "f.", "book_currency") + " AND f.due_on >= " + p.text(from) +
         " AND f.due_on < " + p.text(*std::max_element(bounds.begin(), bounds.end())) +
         " GROUP BY f.tag";
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<Out>("count a view", [&]() -> Result<Out> {
    Out out;
    std::string tag;
    std::vector<long long> n(bounds.size(), 0);
    std::vector<soci::indicator> ni(bounds.size(), soci::i_ok);
    each_row((*tx)->sql(), sql, p,
             [&](soci::statement& st) {
               st.exchange(soci::into(tag));
               for (std::size_t i = 0; i < n.size(); ++i) st.exchange(soci::into(n[i], ni[i]));
             },
             [&] {
               auto& row = out[tag];
               for (std::size_t i = 0; i < n.size(); ++i)
                 row.push_back(ni[i] == soci::i_ok ? n[i] : 0);
             });
    return out;
  });
}

Result<FindingPage> BookViews::by_items(const std::string& ns, const std::string& monitor,
                                        const ViewFilter& f, bool with_items,
                                        const std::optional<ViewKey>& after, int limit) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  if (auto bad = check_filter(f); !bad) return tl::unexpected(bad.error());
  if (auto bad = check_page(limit); !bad) return tl::unexpected(bad.error());
  Binds p;
  std::string sql = select_findings(p, ns, monitor, f);
  if (with_items) sql += " AND f.items > 0";
  if (after)
    sql += " AND (f.items < " + p.number(after->number) +
           " OR (f.items = " + p.number(after->number) + " AND f.contract_id < " +
           p.text(after->contract_id) + "))";
  sql += " ORDER BY f.items DESC, f.contract_id DESC LIMIT " + std::to_string(limit + 1);
  return read_page(db_, ns, monitor, p, sql, limit, false);
}

Result<std::map<std::string, FindingTotals>> BookViews::finding_totals(const std::string& ns,
                                                                       const std::string& monitor,
                                                                       const ViewFilter& f) {
  using Out = std::map<std::string, FindingTotals>;
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  if (auto bad = check_filter(f); !bad) return tl::unexpected(bad.error());
  Binds p;
  std::string sql =
      "SELECT f.currency, COUNT(*), SUM(CASE WHEN f.items > 0 THEN 1 ELSE 0 END), SUM(f.items), "
      "SUM(f.amount_minor) FROM contract_findings f";
  sql += " WHERE f.namespace = " + p.text(ns) + " AND f.monitor = " + p.text(monitor) +
         filter_sql(p, f, "f.", "book_currency") + " GROUP BY f.currency";
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<Out>("add up a view", [&]() -> Result<Out> {
    Out out;
    std::string currency;
    long long n = 0, with = 0, items = 0, amount = 0;
    each_row((*tx)->sql(), sql, p,
             [&](soci::statement& st) {
               st.exchange(soci::into(currency));
               for (auto* v : {&n, &with, &items, &amount}) st.exchange(soci::into(*v));
             },
             [&] {
               out[currency] = {n, with, items, amount};
             });
    return out;
  });
}

Result<std::vector<RiskInput>> BookViews::risk_counts(const std::string& ns, const ViewFilter& f,
                                                      const std::string& from,
                                                      const std::string& to, std::size_t max) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  if (auto bad = check_filter(f); !bad) return tl::unexpected(bad.error());
  if (!is_iso_day(from) || !is_iso_day(to) || to < from)
    return fail(ErrorCode::InvalidArgument, "a window is two dates (YYYY-MM-DD), from before to");
  Binds p;
  std::string sql =
      "SELECT r.contract_id, r.due_on, r.tag, r.items, r.sla_items, r.billing_items "
      "FROM contract_findings r WHERE r.namespace = " +
      p.text(ns) + " AND r.monitor = 'renewal'" + filter_sql(p, f, "r.", "book_currency") +
      " AND r.due_on >= " + p.text(from) + " AND r.due_on < " + p.text(to) + " LIMIT " +
      std::to_string(max + 1);
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<RiskInput>>(
      "count renewal risk", [&]() -> Result<std::vector<RiskInput>> {
        std::vector<RiskInput> out;
        // A thousand rows a fetch: the view ranks every contract of the window.
        constexpr std::size_t kBulk = 1000;
        std::vector<std::string> id(kBulk), due(kBulk), tag(kBulk);
        std::vector<long long> notices(kBulk), breaches(kBulk), disc(kBulk);
        std::vector<soci::indicator> si(kBulk), bi(kBulk);
        soci::statement st((*tx)->sql());
        st.alloc();
        st.prepare(sql);
        p.bind(st);
        for (auto* v : {&id, &due, &tag}) st.exchange(soci::into(*v));
        st.exchange(soci::into(notices));
        st.exchange(soci::into(breaches, si));
        st.exchange(soci::into(disc, bi));
        st.define_and_bind();
        if (st.execute(true)) {
          do {
            for (std::size_t i = 0; i < id.size(); ++i) {
              if (out.size() == max)
                return fail(ErrorCode::InvalidArgument,
                            "more than " + std::to_string(max) +
                                " contracts renew in the window: narrow it with the filters");
              RiskInput& row = out.emplace_back();
              row.contract.contract_id = std::move(id[i]);
              row.due_on = std::move(due[i]);
              row.tag = std::move(tag[i]);
              row.notices = notices[i];
              row.has_sla = si[i] == soci::i_ok;
              row.breaches = row.has_sla ? breaches[i] : 0;
              row.has_billing = bi[i] == soci::i_ok;
              row.discrepancies = row.has_billing ? disc[i] : 0;
            }
          } while (st.fetch());
        }
        return out;
      });
}

Result<std::map<std::string, RiskInput>> BookViews::risk_inputs(
    const std::string& ns, const std::vector<std::string>& ids) {
  using Out = std::map<std::string, RiskInput>;
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<Out>("read renewal risk", [&]() -> Result<Out> {
    Out out;
    RiskInput r;
    auto& c = r.contract;
    long long total = 0, notices = 0, breaches = 0, credits = 0, disc = 0, stake = 0;
    soci::indicator si = soci::i_ok, bi = soci::i_ok;
    for (std::size_t from = 0; from < ids.size(); from += 500) {
      Binds p;
      std::string in;
      for (std::size_t i = from; i < std::min(ids.size(), from + 500); ++i)
        in += (in.empty() ? "" : ", ") + p.text(ids[i]);
      std::string sql =
          "SELECT r.contract_id, r.kind, r.customer, COALESCE(b.customer_name, ''), r.owner, "
          "r.book_currency, COALESCE(b.total_minor, 0), r.due_on, r.tag, r.status, r.items, "
          "r.observed_on, r.sla_items, r.sla_amount_minor, r.sla_currency, r.sla_observed_on, "
          "r.billing_items, r.billing_amount_minor, r.billing_currency, r.billing_observed_on "
          "FROM contract_findings r LEFT JOIN book_index b ON b.namespace = r.namespace AND "
          "b.contract_id = r.contract_id WHERE r.namespace = " +
          p.text(ns) + " AND r.monitor = 'renewal' AND r.contract_id IN (" + in + ")";
      each_row((*tx)->sql(), sql, p,
               [&](soci::statement& st) {
                 for (auto* v : {&c.contract_id, &c.kind, &c.customer, &c.customer_name, &c.owner,
                                 &c.currency})
                   st.exchange(soci::into(*v));
                 st.exchange(soci::into(total));
                 for (auto* v : {&r.due_on, &r.tag, &r.renewal_status}) st.exchange(soci::into(*v));
                 st.exchange(soci::into(notices));
                 st.exchange(soci::into(r.observed_on));
                 st.exchange(soci::into(breaches, si));
                 st.exchange(soci::into(credits));
                 st.exchange(soci::into(r.credits_currency));
                 st.exchange(soci::into(r.sla_observed_on));
                 st.exchange(soci::into(disc, bi));
                 st.exchange(soci::into(stake));
                 st.exchange(soci::into(r.at_stake_currency));
                 st.exchange(soci::into(r.billing_observed_on));
               },
               [&] {
                 RiskInput row = r;
                 row.contract.total_minor = total;
                 row.notices = notices;
                 row.has_sla = si == soci::i_ok;
                 if (row.has_sla) {
                   row.breaches = breaches;
                   row.credits_minor = credits;
                 } else {
                   row.credits_currency.clear();
                   row.sla_observed_on.clear();
                 }
                 row.has_billing = bi == soci::i_ok;
                 if (row.has_billing) {
                   row.discrepancies = disc;
                   row.at_stake_minor = stake;
                 } else {
                   row.at_stake_currency.clear();
                   row.billing_observed_on.clear();
                 }
                 out[row.contract.contract_id] = std::move(row);
               });
    }
    return out;
  });
}

Result<std::map<std::string, std::vector<ApprovalException>>> BookViews::approval_exceptions(
    const std::string& ns, std::int64_t now_us, std::size_t max) {
  using Out = std::map<std::string, std::vector<ApprovalException>>;
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<Out>("read approval exceptions", [&]() -> Result<Out> {
    Out out;
    ApprovalException e;
    long long opened = 0, deadline = 0, closed = 0, now = now_us;
    std::size_t n = 0;
    std::string sql =
        "SELECT business_key, id, state, status, opened_us, deadline_us, closed_us FROM "
        "approvals WHERE namespace = :ns AND business_key <> '' AND (status IN ('rejected', "
        "'changes_requested', 'expired') OR (status = 'open' AND deadline_us > 0 AND "
        "deadline_us < :now)) ORDER BY business_key, opened_us, id LIMIT " +
        std::to_string(max + 1);
    soci::statement st =
        ((*tx)->sql().prepare << sql, soci::use(ns), soci::use(now), soci::into(e.contract_id),
         soci::into(e.approval_id), soci::into(e.state), soci::into(e.status), soci::into(opened),
         soci::into(deadline), soci::into(closed));
    st.execute();
    while (st.fetch()) {
      if (++n > max)
        return fail(ErrorCode::Internal,
                    "more than " + std::to_string(max) + " approval exceptions to read");
      ApprovalException row = e;
      row.opened_us = opened;
      row.deadline_us = deadline;
      row.closed_us = closed;
      if (row.status == "open") row.status = "overdue";
      out[row.contract_id].push_back(std::move(row));
    }
    return out;
  });
}

Result<std::vector<MonthTotal>> BookViews::months(const std::string& ns, const ViewFilter& f,
                                                  const std::string& to) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  if (auto bad = check_filter(f); !bad) return tl::unexpected(bad.error());
  if (!is_iso_month(to)) return fail(ErrorCode::InvalidArgument, "a month is YYYY-MM");
  Binds p;
  std::string sql;
  if (f.customer.empty()) {
    // The whole book, or a kind, owner or currency of it: the totals the index keeps.
    sql =
        "SELECT b.currency, b.month, SUM(b.recognised_minor), SUM(b.billed_minor) FROM "
        "book_month_totals b WHERE b.namespace = " +
        p.text(ns) + filter_sql(p, f) + " AND b.month <= " + p.text(to);
  } else {
    sql =
        "SELECT m.currency, m.month, SUM(m.recognised_minor), SUM(m.billed_minor) FROM "
        "book_index b JOIN book_months m ON m.namespace = b.namespace AND m.contract_id = "
        "b.contract_id WHERE b.namespace = " +
        p.text(ns) + filter_sql(p, f) + " AND m.month <= " + p.text(to);
  }
  sql += f.customer.empty() ? " GROUP BY b.currency, b.month ORDER BY b.currency, b.month"
                            : " GROUP BY m.currency, m.month ORDER BY m.currency, m.month";
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<MonthTotal>>(
      "add up revenue", [&]() -> Result<std::vector<MonthTotal>> {
        std::vector<MonthTotal> out;
        MonthTotal t;
        long long r = 0, b = 0;
        each_row((*tx)->sql(), sql, p,
                 [&](soci::statement& st) {
                   st.exchange(soci::into(t.currency));
                   st.exchange(soci::into(t.month));
                   st.exchange(soci::into(r));
                   st.exchange(soci::into(b));
                 },
                 [&] {
                   if (r == 0 && b == 0) return;  // a month every contract in it has left
                   out.push_back({t.currency, t.month, r, b});
                 });
        return out;
      });
}

Result<std::map<std::string, BookTotals>> BookViews::book_totals(const std::string& ns,
                                                                 const ViewFilter& f) {
  using Out = std::map<std::string, BookTotals>;
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  if (auto bad = check_filter(f); !bad) return tl::unexpected(bad.error());
  Binds p;
  std::string sql =
      "SELECT b.currency, COUNT(*), SUM(b.total_minor), SUM(b.price_minor), SUM(b.pending_minor) "
      "FROM book_index b "
      "WHERE "
      "b.namespace = " +
      p.text(ns) + filter_sql(p, f) + " AND b.currency <> '' GROUP BY b.currency";
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<Out>("add up the book", [&]() -> Result<Out> {
    Out out;
    std::string currency;
    long long n = 0, total = 0, price = 0, pending = 0;
    each_row((*tx)->sql(), sql, p,
             [&](soci::statement& st) {
               st.exchange(soci::into(currency));
               for (auto* v : {&n, &total, &price, &pending}) st.exchange(soci::into(*v));
             },
             [&] {
               out[currency] = {n, total, price, pending};
             });
    return out;
  });
}

Result<ContractPage> BookViews::contracts(const std::string& ns, const ViewFilter& f,
                                          const std::string& from, const std::string& to,
                                          const std::string& after, int limit) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  if (auto bad = check_filter(f); !bad) return tl::unexpected(bad.error());
  if (auto bad = check_page(limit); !bad) return tl::unexpected(bad.error());
  if (!is_iso_month(from) || !is_iso_month(to))
    return fail(ErrorCode::InvalidArgument, "a period is two months (YYYY-MM)");
  Binds p;
  std::string sql = std::string("SELECT ") + kIndexColumns +
                    " FROM book_index b WHERE b.namespace = " + p.text(ns) + filter_sql(p, f);
  if (!after.empty()) sql += " AND b.contract_id > " + p.text(after);
  sql += " ORDER BY b.contract_id LIMIT " + std::to_string(limit + 1);
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<ContractPage>("read the book", [&]() -> Result<ContractPage> {
    ContractPage page;
    ContractIndex c;
    long long total = 0;
    each_row((*tx)->sql(), sql, p,
             [&](soci::statement& st) {
               for (auto* s :
                    {&c.contract_id, &c.kind, &c.customer, &c.customer_name, &c.owner, &c.currency})
                 st.exchange(soci::into(*s));
               st.exchange(soci::into(total));
               for (auto* s : {&c.signed_on, &c.service_start, &c.service_end})
                 st.exchange(soci::into(*s));
             },
             [&] {
               page.rows.push_back(c);
               page.rows.back().total_minor = total;
             });
    if (static_cast<int>(page.rows.size()) > limit) {
      page.rows.resize(limit);
      page.next = page.rows.back().contract_id;
    }
    if (page.rows.empty()) return page;
    // The page's months in the period: one range of the primary key.
    std::map<std::string, ContractIndex*> by_id;
    for (auto& r : page.rows) by_id[r.contract_id] = &r;
    MonthFigures m;
    std::string id;
    long long r = 0, b = 0;
    soci::statement st =
        ((*tx)->sql().prepare << "SELECT contract_id, month, recognised_minor, billed_minor FROM "
                                 "book_months WHERE namespace = :ns AND contract_id >= :a AND "
                                 "contract_id <= :z AND month >= :f AND month <= :t ORDER BY "
                                 "contract_id, month",
         soci::use(ns), soci::use(page.rows.front().contract_id),
         soci::use(page.rows.back().contract_id), soci::use(from), soci::use(to), soci::into(id),
         soci::into(m.month), soci::into(r), soci::into(b));
    st.execute();
    while (st.fetch())
      if (auto it = by_id.find(id); it != by_id.end())
        it->second->months.push_back({m.month, r, b});
    return page;
  });
}

}  // namespace covenant::engine::store
