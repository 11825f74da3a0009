// GET /v1/views/{renewals,billing-accuracy,revenue,sla,handoffs,renewal-risk}: the book of
// contracts at a glance, for Finance and RevOps. Each reads store.views
// (engine/store/book_views.cpp) — the index written with each contract and the monitors' latest
// findings (contracts.observe) — filtered by ?customer= ?owner= ?kind= ?currency=, a page at a time
// (?limit=, ?cursor=), and as CSV
// (?format=csv: every row the filters select, up to kMaxCsvRows, in pages read from the store).
// Money stays in minor units with its currency; currencies are never added together.
#include "activities/dates.hpp"
#include "app/handoff_view.hpp"
#include "app/http/api.hpp"
#include "app/renewal_risk.hpp"
#include "engine/csv.hpp"
#include "engine/store/day_text.hpp"
#include "engine/time_format.hpp"
#include "workflows/model.hpp"
#include "workflows/money.hpp"

#include <chrono>
#include <set>

namespace covenant::app::http {

namespace {

using nlohmann::json;
namespace store = engine::store;

constexpr std::size_t kMaxCsvRows = 200000;
const std::set<std::string>& contract_kinds() {
  static const std::set<std::string> k = {"agreement", "msa", "sow", "order_form", "amendment"};
  return k;
}

json money_json(std::int64_t minor, const std::string& currency) {
  if (currency.empty()) return nullptr;
  return {{"amount_minor", minor}, {"currency", currency}};
}

std::string day_of(const engine::Clock& clock) {
  return engine::format_rfc3339(clock.now()).substr(0, 10);
}

namespace dates = activities::dates;

// A day the store checked on its way in (today, a finding's due date); the epoch for one that
// is not a day, which the store never holds.
dates::Day day_of_text(const std::string& d) { return dates::parse(d).value_or(dates::Day{}); }

// A month (YYYY-MM) `n` months on.
std::string add_months(const std::string& month, int n) {
  return dates::iso(dates::add_months(day_of_text(month + "-01"), n)).substr(0, 7);
}

// The filters every view takes, or a 400 written.
std::optional<store::ViewFilter> filter_of(Call& c) {
  store::ViewFilter f{query_param(c, "customer"), query_param(c, "owner"), query_param(c, "kind"),
                      query_param(c, "currency")};
  for (const auto* v : {&f.customer, &f.owner})
    if (v->size() > 200) {
      problem(c, "BadRequest", "?customer= and ?owner= are at most 200 characters");
      return std::nullopt;
    }
  if (!f.kind.empty() && !contract_kinds().count(f.kind)) {
    problem(c, "BadRequest", "?kind= is agreement, msa, sow, order_form or amendment");
    return std::nullopt;
  }
  if (!f.currency.empty() && !money::is_currency(f.currency)) {
    problem(c, "BadRequest", "?currency= is an ISO 4217 code, such as USD");
    return std::nullopt;
  }
  return f;
}

json filters_json(const store::ViewFilter& f) {
  json out = json::object();
  if (!f.customer.empty()) out["customer"] = f.customer;
  if (!f.owner.empty()) out["owner"] = f.owner;
  if (!f.kind.empty()) out["kind"] = f.kind;
  if (!f.currency.empty()) out["currency"] = f.currency;
  return out;
}

json contract_json(const store::ContractIndex& i) {
  return {{"contract_id", i.contract_id},
          {"kind", i.kind},
          {"customer", i.customer.empty() ? json() : json(i.customer)},
          {"customer_name", i.customer_name.empty() ? json() : json(i.customer_name)},
          {"owner", i.owner.empty() ? json() : json(i.owner)},
          {"total", money_json(i.total_minor, i.currency)},
          {"service_start", i.service_start.empty() ? json() : json(i.service_start)},
          {"service_end", i.service_end.empty() ? json() : json(i.service_end)}};
}

// A stored finding's body, or a problem naming the damaged row.
std::optional<json> body_of(Call& c, const store::FindingRow& f) {
  json b = json::parse(f.body, nullptr, false);
  if (!b.is_object()) {
    problem(c, "Internal",
            "the stored " + f.monitor + " finding of contract " + f.contract_id +
                " is not a JSON object: a person must look");
    return std::nullopt;
  }
  return b;
}

void send_csv(Call& c, const std::string& name, const std::string& csv) {
  c.res.status = 200;
  c.res.content_type = "text/csv; charset=utf-8";
  c.res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
  c.res.body = "\xEF\xBB\xBF" + csv;  // the byte order mark: spreadsheets then read UTF-8
}

std::string row_csv(std::initializer_list<std::string> cells) {
  std::string out;
  bool first = true;
  for (const auto& cell : cells) {
    out += (first ? "" : ",") + cell;
    first = false;
  }
  return out + "\r\n";
}

std::string amount_csv(std::int64_t minor, const std::string& currency) {
  return currency.empty() ? "" : money::decimal(minor, currency);
}

// What a paged view's request asks: CSV or JSON, the page's size, where to go on from; or a
// 400 written (nullopt).
struct PageAsk {
  bool csv = false;
  int limit = 50;
  std::optional<std::pair<std::int64_t, std::string>> cursor;
};
std::optional<PageAsk> page_ask(Call& c) {
  PageAsk a;
  a.csv = query_param(c, "format") == "csv";
  if (!a.csv && !query_param(c, "format").empty()) {
    problem(c, "BadRequest", "?format= is csv, or absent for JSON");
    return std::nullopt;
  }
  auto limit = limit_param(c);
  if (!limit) return std::nullopt;
  a.limit = *limit;
  if (auto cur = query_param(c, "cursor"); !cur.empty()) {
    a.cursor = read_cursor(cur);
    if (!a.cursor || a.cursor->first < 0) {
      problem(c, "BadRequest", "'cursor' is not a cursor this API gave");
      return std::nullopt;
    }
  }
  return a;
}

// Reads pages of a findings view until it ends (CSV) or one page (JSON).
template <class Read>
std::optional<std::vector<store::FindingView>> read_all(Call& c, Read&& read, bool all,
                                                        std::optional<store::ViewKey> after,
                                                        int limit,
                                                        std::optional<store::ViewKey>& next) {
  std::vector<store::FindingView> rows;
  for (;;) {
    auto page = read(after, all ? 500 : limit);
    if (!page) {
      problem(c, page.error());
      return std::nullopt;
    }
    for (auto& r : page->rows) rows.push_back(std::move(r));
    next = page->next;
    if (!all || !next || rows.size() >= kMaxCsvRows) return rows;
    after = next;
  }
}

// ---- renewals -------------------------------------------------------------------------------

void renewals(Services& s, Call& c) {
  auto f = filter_of(c);
  if (!f) return;
  static const std::vector<int> windows = {30, 90, 180, 365};
  std::string within_s = query_param(c, "within");
  int within = within_s.empty() ? 90 : 0;
  for (int w : windows)
    if (within_s == std::to_string(w)) within = w;
  if (!within) return problem(c, "BadRequest", "?within= is 30, 90, 180 or 365 (days)");
  auto ask = page_ask(c);
  if (!ask) return;
  bool csv = ask->csv;
  auto limit = &ask->limit;
  std::optional<store::ViewKey> after;
  if (const auto& pos = ask->cursor) {
    if (pos->first < 10000101 || pos->first > 99991231)
      return problem(c, "BadRequest", "'cursor' is not a cursor this API gave");
    std::string d = std::to_string(pos->first);
    after = store::ViewKey{d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2), 0,
                           pos->second};
  }
  std::string today = day_of(s.clock);
  auto day0 = day_of_text(today);
  std::vector<std::string> bounds;
  for (int w : windows) bounds.push_back(dates::iso(day0 + std::chrono::days{w}));
  std::string to = dates::iso(day0 + std::chrono::days{within});
  std::optional<store::ViewKey> next;
  auto rows = read_all(
      c,
      [&](const std::optional<store::ViewKey>& a, int n) {
        return s.store.views.due(c.ns, "renewal", *f, today, to, a, n);
      },
      csv, after, *limit, next);
  if (!rows) return;
  json out = json::array();
  std::string text = row_csv({"contract_id", "kind", "customer", "customer_name", "owner",
                              "auto_renews", "term_end", "notice_deadline", "days_to_notice",
                              "status", "notice_sent", "currency", "contract_value"});
  for (const auto& r : *rows) {
    auto b = body_of(c, r.finding);
    if (!b) return;
    bool auto_renews = r.finding.tag == "auto_renews";
    json term_end = b->value("term_end", json());
    auto days =
        std::chrono::duration_cast<std::chrono::days>(day_of_text(r.finding.due_on) - day0).count();
    json row = contract_json(r.contract);
    row["auto_renews"] = auto_renews;
    row["term_end"] = term_end;
    row["notice_deadline"] = r.finding.due_on;
    row["days_to_notice"] = days;
    row["status"] = r.finding.status;
    row["notice_sent"] = r.finding.items > 0;
    row["decision_owner"] = r.contract.owner.empty() ? json() : json(r.contract.owner);
    row["observed_on"] = r.finding.observed_on;
    out.push_back(row);
    text +=
        row_csv({engine::csv_text(r.contract.contract_id), r.contract.kind,
                 engine::csv_text(r.contract.customer), engine::csv_text(r.contract.customer_name),
                 engine::csv_text(r.contract.owner), auto_renews ? "yes" : "no",
                 term_end.is_string() ? term_end.get<std::string>() : "", r.finding.due_on,
                 std::to_string(days), r.finding.status, r.finding.items > 0 ? "yes" : "no",
                 r.contract.currency, amount_csv(r.contract.total_minor, r.contract.currency)});
  }
  if (csv) return send_csv(c, "renewals-" + std::to_string(within) + "-days", text);
  auto counts = s.store.views.due_counts(c.ns, "renewal", *f, today, bounds);
  if (!counts) return problem(c, counts.error());
  json by_window = json::array();
  for (std::size_t i = 0; i < windows.size(); ++i) {
    json w = {{"days", windows[i]}, {"until", bounds[i]}, {"auto_renews", 0}, {"ends", 0}};
    for (const auto& [tag, n] : *counts)
      if (tag == "auto_renews" || tag == "ends") w[tag] = n[i];
    by_window.push_back(w);
  }
  json body = {{"view", "renewals"},
               {"today", today},
               {"within", within},
               {"until", to},
               {"filters", filters_json(*f)},
               {"windows", by_window},
               {"rows", out},
               {"next", next ? json(make_cursor(
                                   std::stoll(next->text.substr(0, 4) + next->text.substr(5, 2) +
                                              next->text.substr(8, 2)),
                                   next->contract_id))
                             : json()}};
  reply(c, 200, body);
}

// ---- billing accuracy and SLA: findings, most items first ---------------------------------------

struct ItemsView {
  const char* name;     // the route's and the CSV's name
  const char* monitor;  // contract_findings.monitor
  const char* with;     // ?only= value: only findings that counted items
  const char* items;    // what the items are, in JSON and CSV
  const char* amount;   // what the money is
};

void findings_view(Services& s, Call& c, const ItemsView& v) {
  auto f = filter_of(c);
  if (!f) return;
  std::string only = query_param(c, "only");
  if (!only.empty() && only != v.with)
    return problem(c, "BadRequest", std::string("?only= is ") + v.with + ", or absent for all");
  auto ask = page_ask(c);
  if (!ask) return;
  bool csv = ask->csv;
  auto limit = &ask->limit;
  std::optional<store::ViewKey> after;
  if (const auto& pos = ask->cursor) after = store::ViewKey{"", pos->first, pos->second};
  std::optional<store::ViewKey> next;
  auto rows = read_all(
      c,
      [&](const std::optional<store::ViewKey>& a, int n) {
        return s.store.views.by_items(c.ns, v.monitor, *f, !only.empty(), a, n);
      },
      csv, after, *limit, next);
  if (!rows) return;
  json out = json::array();
  std::string text = row_csv({"contract_id", "kind", "customer", "customer_name", "owner", "status",
                              v.items, "currency", v.amount, "checked_on", "detail"});
  for (const auto& r : *rows) {
    auto b = body_of(c, r.finding);
    if (!b) return;
    json row = contract_json(r.contract);
    row["status"] = r.finding.status;
    row[v.items] = r.finding.items;
    row[v.amount] = money_json(r.finding.amount_minor, r.finding.currency);
    row["checked_on"] = r.finding.observed_on;
    row["finding"] = *b;
    row["instance_id"] = r.finding.instance_id;
    out.push_back(row);
    json detail =
        b->value(std::string(v.monitor) == "sla" ? "breaches" : "discrepancies", json::array());
    text += row_csv({engine::csv_text(r.contract.contract_id), r.contract.kind,
                     engine::csv_text(r.contract.customer),
                     engine::csv_text(r.contract.customer_name), engine::csv_text(r.contract.owner),
                     r.finding.status, std::to_string(r.finding.items), r.finding.currency,
                     amount_csv(r.finding.amount_minor, r.finding.currency), r.finding.observed_on,
                     engine::csv_text(detail.dump())});
  }
  if (csv) return send_csv(c, v.name, text);
  auto totals = s.store.views.finding_totals(c.ns, v.monitor, *f);
  if (!totals) return problem(c, totals.error());
  json t = json::array();
  for (const auto& [currency, n] : *totals)
    t.push_back({{"currency", currency.empty() ? json() : json(currency)},
                 {"contracts", n.contracts},
                 {"with_" + std::string(v.items), n.with_items},
                 {v.items, n.items},
                 {v.amount, money_json(n.amount_minor, currency)}});
  reply(c, 200,
        {{"view", v.name},
         {"filters", filters_json(*f)},
         {"totals", t},
         {"rows", out},
         {"next", next ? json(make_cursor(next->number, next->contract_id)) : json()}});
}

// ---- revenue --------------------------------------------------------------------------------

void revenue(Services& s, Call& c) {
  auto f = filter_of(c);
  if (!f) return;
  std::string today = day_of(s.clock), current = today.substr(0, 7);
  std::string from = query_param(c, "from"), to = query_param(c, "to");
  if (from.empty()) from = add_months(current, -6);
  if (to.empty()) to = add_months(from, 17);
  if (!store::is_iso_month(from) || !store::is_iso_month(to) || to < from)
    return problem(c, "BadRequest", "?from= and ?to= are months (YYYY-MM), from before to");
  if (add_months(from, 120) < to)
    return problem(c, "BadRequest", "a period is at most 10 years of months");
  std::string format = query_param(c, "format"), by = query_param(c, "by");
  if (!format.empty() && format != "csv")
    return problem(c, "BadRequest", "?format= is csv, or absent for JSON");
  if (!by.empty() && by != "contract")
    return problem(c, "BadRequest", "?by= is contract, or absent for months");
  auto limit = limit_param(c);
  if (!limit) return;

  if (by == "contract") {
    // Contracts a page at a time, each with its months in the period.
    std::string after = query_param(c, "cursor");
    if (after.size() > 200)
      return problem(c, "BadRequest", "'cursor' is not a cursor this API gave");
    bool csv = format == "csv";
    std::string text = row_csv({"contract_id", "kind", "customer", "customer_name", "owner",
                                "currency", "transaction_price", "month", "recognised", "billed"});
    json out = json::array();
    std::optional<std::string> next;
    std::size_t n = 0;
    for (;;) {
      auto page = s.store.views.contracts(c.ns, *f, from, to, after, csv ? 500 : *limit);
      if (!page) return problem(c, page.error());
      for (const auto& r : page->rows) {
        json months = json::array();
        for (const auto& m : r.months) {
          months.push_back({{"month", m.month},
                            {"recognised", money_json(m.recognised_minor, r.currency)},
                            {"billed", money_json(m.billed_minor, r.currency)}});
          text += row_csv({engine::csv_text(r.contract_id), r.kind, engine::csv_text(r.customer),
                           engine::csv_text(r.customer_name), engine::csv_text(r.owner), r.currency,
                           amount_csv(r.total_minor, r.currency), m.month,
                           amount_csv(m.recognised_minor, r.currency),
                           amount_csv(m.billed_minor, r.currency)});
          ++n;
        }
        json row = contract_json(r);
        row["months"] = months;
        out.push_back(row);
      }
      next = page->next;
      if (!csv || !next || n >= kMaxCsvRows) break;
      after = *next;
    }
    if (csv) return send_csv(c, "revenue-by-contract-" + from + "-" + to, text);
    return reply(c, 200,
                 {{"view", "revenue"},
                  {"by", "contract"},
                  {"from", from},
                  {"to", to},
                  {"filters", filters_json(*f)},
                  {"rows", out},
                  {"next", next ? json(*next) : json()}});
  }

  auto months = s.store.views.months(c.ns, *f, to);
  if (!months) return problem(c, months.error());
  auto books = s.store.views.book_totals(c.ns, *f);
  if (!books) return problem(c, books.error());
  // Per currency: the months of the period, each with what is recognised in it (or to be, from
  // this month on), what is billed, and the deferred balance at its end (billed less recognised,
  // all months to date); and how the schedules tie to the plans' totals.
  struct Acc {
    std::int64_t billed = 0, recognised = 0, scheduled = 0;
    json rows = json::array();
    std::int64_t in_recognised = 0, in_to_recognise = 0, in_billed = 0;
  };
  std::map<std::string, Acc> acc;
  std::string text = row_csv(
      {"currency", "month", "recognised", "to_be_recognised", "billed", "deferred_at_month_end"});
  auto overflow = [&] {
    problem(c, "Internal", "the book's revenue adds up past 2^63 - 1 minor units in a currency");
  };
  for (const auto& m : *months) {
    Acc& a = acc[m.currency];
    auto b = money::add(a.billed, m.billed_minor), r = money::add(a.recognised, m.recognised_minor);
    if (!b || !r) return overflow();
    a.billed = *b;
    a.recognised = *r;
    if (m.month < from) continue;
    auto deferred = money::add(a.billed, -a.recognised);
    if (!deferred) return overflow();
    bool past = m.month < current;
    a.rows.push_back({{"month", m.month},
                      {"recognised", money_json(past ? m.recognised_minor : 0, m.currency)},
                      {"to_be_recognised", money_json(past ? 0 : m.recognised_minor, m.currency)},
                      {"billed", money_json(m.billed_minor, m.currency)},
                      {"deferred", money_json(*deferred, m.currency)}});
    auto& in = past ? a.in_recognised : a.in_to_recognise;
    auto sum = money::add(in, m.recognised_minor);
    auto billed_sum = money::add(a.in_billed, m.billed_minor);
    if (!sum || !billed_sum) return overflow();
    in = *sum;
    a.in_billed = *billed_sum;
    text += row_csv({m.currency, m.month, money::decimal(past ? m.recognised_minor : 0, m.currency),
                     money::decimal(past ? 0 : m.recognised_minor, m.currency),
                     money::decimal(m.billed_minor, m.currency),
                     money::decimal(*deferred, m.currency)});
  }
  if (format == "csv") return send_csv(c, "revenue-" + from + "-" + to, text);
  // The schedules' whole (every month, after the period too) and what waits for an event (a
  // milestone not reached) against the plans' totals: they tie, or the view says they do not.
  auto whole = s.store.views.months(c.ns, *f, "9999-12");
  if (!whole) return problem(c, whole.error());
  for (const auto& m : *whole) {
    auto sum = money::add(acc[m.currency].scheduled, m.recognised_minor);
    if (!sum) return overflow();
    acc[m.currency].scheduled = *sum;
  }
  json currencies = json::array();
  std::set<std::string> all;
  for (const auto& [cur, a] : acc) all.insert(cur);
  for (const auto& [cur, b] : *books) all.insert(cur);
  for (const auto& cur : all) {
    const Acc& a = acc[cur];
    auto it = books->find(cur);
    std::int64_t contracts = it == books->end() ? 0 : it->second.contracts;
    std::int64_t plans = it == books->end() ? 0 : it->second.total_minor;
    std::int64_t price = it == books->end() ? 0 : it->second.price_minor;
    std::int64_t pending = it == books->end() ? 0 : it->second.pending_minor;
    auto accounted = money::add(a.scheduled, pending);
    if (!accounted) return overflow();
    currencies.push_back({{"currency", cur},
                          {"contracts", contracts},
                          {"transaction_price", money_json(price, cur)},
                          {"plan_totals", money_json(plans, cur)},
                          {"scheduled", money_json(a.scheduled, cur)},
                          {"awaiting_event", money_json(pending, cur)},
                          {"ties", *accounted == price},
                          {"period",
                           {{"recognised", money_json(a.in_recognised, cur)},
                            {"to_be_recognised", money_json(a.in_to_recognise, cur)},
                            {"billed", money_json(a.in_billed, cur)}}},
                          {"months", a.rows}});
  }
  reply(c, 200,
        {{"view", "revenue"},
         {"today", today},
         {"from", from},
         {"to", to},
         {"filters", filters_json(*f)},
         {"currencies", currencies}});
}

// ---- handoff latency --------------------------------------------------------------------------

std::string when_text(std::int64_t us) {
  return us > 0 ? engine::format_rfc3339(engine::from_micros(us)) : "";
}

json when_json(std::int64_t us) { return us > 0 ? json(when_text(us)) : json(); }

// Hours to two places, from microseconds, in integers (no floating point in a figure people add).
std::string hours_text(std::int64_t us) {
  std::int64_t centi = us / 36'000'000;  // hundredths of an hour
  std::string frac = std::to_string(centi % 100);
  return std::to_string(centi / 100) + "." + (frac.size() < 2 ? "0" : "") + frac;
}

json stage_json(const StageStats& st) {
  json buckets = json::array();
  for (std::size_t b = 0; b < st.buckets.size(); ++b)
    buckets.push_back(
        {{"under_hours",
          b < kHandoffBuckets.size() ? json(kHandoffBuckets[b] / 3'600'000'000LL) : json()},
         {"contracts", st.buckets[b]}});
  return {{"from", st.from},
          {"to", st.to},
          {"contracts", st.count},
          {"p50_seconds", st.p50_us / 1'000'000},
          {"p90_seconds", st.p90_us / 1'000'000},
          {"max_seconds", st.max_us / 1'000'000},
          {"out_of_order", st.out_of_order},
          {"histogram", buckets}};
}

void handoffs(Services& s, Call& c) {
  auto f = filter_of(c);
  if (!f) return;
  std::string show = query_param(c, "show");
  if (show.empty()) show = "slowest";
  if (show != "slowest" && show != "in_flight")
    return problem(c, "BadRequest", "?show= is slowest or in_flight");
  auto ask = page_ask(c);
  if (!ask) return;
  std::optional<store::HandoffKey> after;
  if (const auto& pos = ask->cursor) after = store::HandoffKey{pos->first, pos->second};
  std::int64_t now_us = engine::to_micros(s.clock.now());
  std::vector<store::HandoffRow> rows;
  std::optional<store::HandoffKey> next;
  for (;;) {
    auto page = show == "slowest"
                    ? s.store.handoffs.slowest(c.ns, *f, after, ask->csv ? 500 : ask->limit)
                    : s.store.handoffs.in_flight(c.ns, *f, after, ask->csv ? 500 : ask->limit);
    if (!page) return problem(c, page.error());
    for (auto& r : page->rows) rows.push_back(std::move(r));
    next = page->next;
    if (!ask->csv || !next || rows.size() >= kMaxCsvRows) break;
    after = next;
  }
  const auto& names = workflows::kMilestones;
  if (ask->csv) {
    std::vector<std::string> head = {"contract_id", "instance_id", "kind",   "customer",
                                     "owner",       "currency",    "status", "started"};
    for (auto m : names) head.emplace_back(m);
    for (std::size_t k = 0; k + 1 < names.size(); ++k)
      head.push_back(std::string(names[k]) + "_to_" + std::string(names[k + 1]) + "_hours");
    head.emplace_back("signed_to_invoiced_hours");
    std::string text;
    auto line = [&](const std::vector<std::string>& cells) {
      for (std::size_t i = 0; i < cells.size(); ++i) text += (i ? "," : "") + cells[i];
      text += "\r\n";
    };
    line(head);
    for (const auto& r : rows) {
      std::vector<std::string> cells = {engine::csv_text(r.contract_id),
                                        engine::csv_text(r.instance_id),
                                        r.kind,
                                        engine::csv_text(r.customer),
                                        engine::csv_text(r.owner),
                                        r.currency,
                                        r.status,
                                        when_text(r.started_us)};
      for (auto t : r.at_us) cells.push_back(when_text(t));
      auto span = [&](std::size_t a, std::size_t b) {
        return r.at_us[a] && r.at_us[b] && r.at_us[b] >= r.at_us[a]
                   ? hours_text(r.at_us[b] - r.at_us[a])
                   : std::string();
      };
      for (std::size_t k = 0; k + 1 < names.size(); ++k) cells.push_back(span(k, k + 1));
      cells.push_back(span(0, names.size() - 1));
      line(cells);
    }
    return send_csv(c, "handoffs-" + show, text);
  }
  // The distributions on the first page (the pages after it carry rows only).
  std::vector<store::HandoffTimes> none;
  auto times = ask->cursor ? engine::Result<std::vector<store::HandoffTimes>>(none)
                           : s.store.handoffs.times(c.ns, *f);
  if (!times) return problem(c, times.error());
  json stages = json::array();
  for (const auto& st : handoff_stats(*times)) stages.push_back(stage_json(st));
  json reached = json::object();
  std::int64_t running = 0;
  for (std::size_t k = 0; k < names.size(); ++k) reached[std::string(names[k])] = 0;
  for (const auto& t : *times) {
    running += t.running ? 1 : 0;
    for (std::size_t k = 0; k < names.size(); ++k)
      if (t.at_us[k])
        reached[std::string(names[k])] = reached[std::string(names[k])].get<int>() + 1;
  }
  json out = json::array();
  for (const auto& r : rows) {
    json milestones = json::object(), spans = json::object();
    for (std::size_t k = 0; k < names.size(); ++k) milestones[names[k]] = when_json(r.at_us[k]);
    for (std::size_t k = 0; k + 1 < names.size(); ++k)
      spans[std::string(names[k]) + " → " + std::string(names[k + 1])] =
          r.at_us[k] && r.at_us[k + 1] ? json((r.at_us[k + 1] - r.at_us[k]) / 1'000'000) : json();
    auto history = s.store.instances.history(scope(c), r.instance_id);
    if (!history) return problem(c, history.error());
    json waits = json::array();
    for (const auto& w : waits_of(*history, r, now_us))
      waits.push_back({{"state", w.state},
                       {"kind", w.kind},
                       {"stage", w.stage},
                       {"from", when_text(w.from_us)},
                       {"to", when_json(w.to_us)},
                       {"seconds", ((w.to_us ? w.to_us : now_us) - w.from_us) / 1'000'000},
                       {"occurrence", w.occurrence}});
    std::int64_t last = 0;
    for (auto t : r.at_us) last = std::max(last, t);
    out.push_back(
        {{"contract_id", r.contract_id},
         {"instance_id", r.instance_id},
         {"workflow", r.workflow},
         {"kind", r.kind.empty() ? json() : json(r.kind)},
         {"customer", r.customer.empty() ? json() : json(r.customer)},
         {"owner", r.owner.empty() ? json() : json(r.owner)},
         {"status", r.status},
         {"started", when_text(r.started_us)},
         {"milestones", milestones},
         {"stage_seconds", spans},
         {"total_seconds", r.span_us >= 0 ? json(r.span_us / 1'000'000) : json()},
         {"now_in", show == "in_flight" ? json(stage_at(r, now_us)) : json()},
         {"waiting_seconds",
          show == "in_flight" ? json((now_us - std::max(last, r.started_us)) / 1'000'000) : json()},
         {"waits", waits}});
  }
  reply(c, 200,
        {{"view", "handoffs"},
         {"show", show},
         {"filters", filters_json(*f)},
         {"instances", static_cast<std::int64_t>(times->size())},
         {"running", running},
         {"reached", reached},
         {"stages", stages},
         {"rows", out},
         {"next", next ? json(make_cursor(next->number, next->instance_id)) : json()}});
}

// ---- renewal risk ------------------------------------------------------------------------------

constexpr std::size_t kMaxRiskContracts = 50000;

void renewal_risk_view(Services& s, Call& c) {
  auto f = filter_of(c);
  if (!f) return;
  std::string within_s = query_param(c, "within");
  int within = within_s.empty() ? 180 : 0;
  for (int w : {30, 90, 180, 365})
    if (within_s == std::to_string(w)) within = w;
  if (!within) return problem(c, "BadRequest", "?within= is 30, 90, 180 or 365 (days)");
  std::string level = query_param(c, "level");
  if (!level.empty() && level != "high" && level != "medium" && level != "low")
    return problem(c, "BadRequest", "?level= is high, medium or low");
  auto ask = page_ask(c);
  if (!ask) return;
  std::string today = day_of(s.clock);
  auto day0 = day_of_text(today);
  std::string to = dates::iso(day0 + std::chrono::days{within});
  auto inputs = s.store.views.risk_counts(c.ns, *f, today, to, kMaxRiskContracts);
  if (!inputs) return problem(c, inputs.error());
  auto exceptions =
      s.store.views.approval_exceptions(c.ns, engine::to_micros(s.clock.now()), kMaxCsvRows);
  if (!exceptions) return problem(c, exceptions.error());
  static const std::vector<store::ApprovalException> none;
  struct Scored {
    store::RiskInput* in;
    RiskScore risk;
  };
  std::vector<Scored> all;
  all.reserve(inputs->size());
  std::int64_t high = 0, medium = 0, low = 0;
  std::array<std::int64_t, kRiskFactors> with_factor{};  // contracts each factor scored
  for (auto& in : *inputs) {
    auto e = exceptions->find(in.contract.contract_id);
    auto risk = risk_score(in, e == exceptions->end() ? none : e->second, day0);
    std::string_view lv = risk.level;
    (lv == "high" ? high : lv == "medium" ? medium : low) += 1;
    for (std::size_t k = 0; k < kRiskFactors; ++k) with_factor[k] += risk.points[k] > 0 ? 1 : 0;
    if (level.empty() || lv == level) all.push_back({&in, risk});
  }
  std::sort(all.begin(), all.end(), [](const Scored& a, const Scored& b) {
    if (a.risk.score != b.risk.score) return a.risk.score > b.risk.score;
    return a.in->contract.contract_id < b.in->contract.contract_id;
  });
  std::size_t start = 0;
  if (const auto& pos = ask->cursor) {
    while (start < all.size() && (all[start].risk.score > pos->first ||
                                  (all[start].risk.score == pos->first &&
                                   all[start].in->contract.contract_id <= pos->second)))
      ++start;
  }
  std::size_t end = ask->csv ? all.size() : std::min(all.size(), start + ask->limit);
  // The rows given in full: names, totals, the figures and their evidence (the ranking reads
  // the counts alone). Each row's score and factors are computed from what it shows.
  std::vector<std::string> ids;
  for (std::size_t i = start; i < end; ++i) ids.push_back(all[i].in->contract.contract_id);
  auto shown = s.store.views.risk_inputs(c.ns, ids);
  if (!shown) return problem(c, shown.error());
  if (ask->csv) {
    std::string text = row_csv({"contract_id", "kind", "customer", "customer_name", "owner",
                                "renews", "notice_deadline", "score", "level", "sla_breaches",
                                "billing_discrepancies", "approval_exceptions", "open_escalations",
                                "renewal_decision", "currency", "contract_value"});
    for (std::size_t i = start; i < end; ++i) {
      auto found = shown->find(all[i].in->contract.contract_id);
      if (found == shown->end()) continue;  // gone from the book since it was counted
      const auto& in = found->second;
      auto e = exceptions->find(in.contract.contract_id);
      auto r = risk_score(in, e == exceptions->end() ? none : e->second, day0);
      auto pts = [&](std::size_t k) { return std::to_string(r.points[k]); };
      text += row_csv(
          {engine::csv_text(in.contract.contract_id), in.contract.kind,
           engine::csv_text(in.contract.customer), engine::csv_text(in.contract.customer_name),
           engine::csv_text(in.contract.owner),
           in.tag == "ends" ? "ends unless renewed" : "automatically", in.due_on,
           std::to_string(r.score), r.level, pts(0), pts(1), pts(2), pts(3), pts(4),
           in.contract.currency, amount_csv(in.contract.total_minor, in.contract.currency)});
    }
    return send_csv(c, "renewal-risk-" + std::to_string(within) + "-days", text);
  }
  json rows = json::array();
  for (std::size_t i = start; i < end; ++i) {
    auto found = shown->find(all[i].in->contract.contract_id);
    if (found == shown->end()) continue;  // gone from the book since it was counted
    const auto& in = found->second;
    auto e = exceptions->find(in.contract.contract_id);
    auto r = renewal_risk(in, e == exceptions->end() ? none : e->second, day0);  // explained
    json factors = json::array();
    for (const auto& fa : r.factors)
      factors.push_back({{"factor", fa.name},
                         {"label", fa.label},
                         {"weight", fa.weight},
                         {"cap", fa.cap},
                         {"measured", fa.measured},
                         {"count", fa.count},
                         {"points", fa.points},
                         {"evidence", fa.evidence}});
    json row = contract_json(in.contract);
    row["notice_deadline"] = in.due_on;
    row["renews"] = in.tag == "ends" ? "ends" : "automatically";
    row["score"] = r.score;
    row["level"] = r.level;
    row["factors"] = factors;
    rows.push_back(row);
  }
  json factors = risk_model();
  for (std::size_t k = 0; k < factors.size(); ++k) factors[k]["contracts"] = with_factor[k];
  json next;
  if (end < all.size() && end > start)
    next = make_cursor(all[end - 1].risk.score, all[end - 1].in->contract.contract_id);
  reply(c, 200,
        {{"view", "renewal-risk"},
         {"today", today},
         {"within", within},
         {"until", to},
         {"filters", filters_json(*f)},
         {"contracts", static_cast<std::int64_t>(inputs->size())},
         {"levels", {{"high", high}, {"medium", medium}, {"low", low}}},
         {"factors", factors},
         {"rows", rows},
         {"next", next}});
}

}  // namespace

void add_view_routes(Api& api) {
  Services& s = api.services();
  const std::vector<std::string> readers = {"finance", "revops", "auditor"};
  api.route("GET", "/v1/views/renewals", readers, [&s](Call& c) { renewals(s, c); });
  api.route("GET", "/v1/views/billing-accuracy", readers, [&s](Call& c) {
    findings_view(s, c,
                  {"billing-accuracy", "billing_accuracy", "differs", "discrepancies", "at_stake"});
  });
  api.route("GET", "/v1/views/sla", readers, [&s](Call& c) {
    findings_view(s, c, {"sla", "sla", "breached", "breaches", "credits_owed"});
  });
  api.route("GET", "/v1/views/revenue", readers, [&s](Call& c) { revenue(s, c); });
  api.route("GET", "/v1/views/handoffs", readers, [&s](Call& c) { handoffs(s, c); });
  api.route("GET", "/v1/views/renewal-risk", readers, [&s](Call& c) { renewal_risk_view(s, c); });
}

}  // namespace covenant::app::http
