// A generated book of contracts (book_generator.hpp).
#include "app/book_generator.hpp"

#include "activities/contract_book.hpp"
#include "activities/dates.hpp"
#include "activities/input.hpp"
#include "activities/runner.hpp"
#include "app/document_bridge.hpp"
#include "workflows/money.hpp"

#include <array>

namespace covenant::app {
namespace {

using nlohmann::json;
namespace dates = activities::dates;

// SplitMix64: a small generator whose sequence is the same on every machine.
struct Draw {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  bool chance(int percent) { return below(100) < percent; }
};

constexpr std::array<const char*, 12> kNames = {"Acme",    "Globex", "Initech",  "Umbrella",
                                                "Stark",   "Wayne",  "Tyrell",   "Cyberdyne",
                                                "Soylent", "Hooli",  "Vandelay", "Wonka"};
constexpr std::array<const char*, 4> kSuffixes = {"Corporation", "GmbH", "Ltd", "Inc."};
constexpr std::array<const char*, 6> kOwners = {"005000000000JAN", "005000000000KOF",
                                                "005000000000MEI", "005000000000OLA",
                                                "005000000000RAJ", "005000000000SAM"};

std::string padded(int n, int width) {
  std::string s = std::to_string(n);
  return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))),
                     '0') +
         s;
}

json run(activities::Runner& runner, const std::string& activity, const json& in,
         const std::string& ns) {
  auto r = runner.run(activity, in, "generate", ns);
  if (!r.ok) throw std::runtime_error(activity + ": " + r.message);
  return r.result;
}

struct Contract {
  engine::store::ContractRow row;
  std::vector<engine::store::FindingRow> findings;
};

Contract make(activities::Runner& runner, Draw& d, int i, dates::Day today, const std::string& ns) {
  std::string id = "G-" + padded(i + 1, 6);
  int c = d.below(400);
  std::string customer = "CUST-" + padded(c, 4);
  std::string name = std::string(kNames[static_cast<std::size_t>(c) % kNames.size()]) + " " +
                     std::to_string(c) + " " +
                     kSuffixes[static_cast<std::size_t>(c / 12) % kSuffixes.size()];
  std::string owner = kOwners[static_cast<std::size_t>(c) % kOwners.size()];
  const char* kind = d.chance(85) ? "agreement" : d.chance(60) ? "order_form" : "msa";
  int pick = d.below(20);
  std::string currency = pick < 13 ? "USD" : pick < 17 ? "EUR" : pick < 19 ? "GBP" : "JPY";
  int term = std::array<int, 3>{12, 24, 36}[static_cast<std::size_t>(d.below(3))];
  dates::Day start = today - std::chrono::days{d.below(3 * 365)} + std::chrono::days{d.below(120)};
  dates::Day end = dates::add_months(start, term);
  const char* every =
      std::array<const char*, 3>{"month", "quarter", "year"}[static_cast<std::size_t>(d.below(3))];
  bool renews = d.chance(60);
  int notice = std::array<int, 3>{30, 60, 90}[static_cast<std::size_t>(d.below(3))];
  std::int64_t scale = currency == "JPY" ? 1 : 100;
  std::int64_t yearly = (1000 + d.below(199000)) * scale;
  json lines = json::array({{{"product", "platform"},
                             {"name", "Platform subscription"},
                             {"kind", "recurring"},
                             {"quantity", 1},
                             {"amount_minor", yearly * term / 12},
                             {"list_amount_minor", yearly * term / 12},
                             {"term_months", term}}});
  if (d.chance(40)) {
    std::int64_t setup = (500 + d.below(20000)) * scale;
    lines.push_back({{"product", "setup"},
                     {"name", "Onboarding"},
                     {"kind", "one_time"},
                     {"quantity", 1},
                     {"amount_minor", setup},
                     {"list_amount_minor", setup}});
  }
  json terms = {{"effective_date", dates::iso(start)},
                {"expiration_date", dates::iso(end)},
                {"billing_frequency", {{"every", every}, {"timing", "advance"}}},
                {"payment_terms", {{"net_days", 30}}},
                {"auto_renewal", renews},
                {"renewal_term", {{"value", 12}, {"unit", "months"}}},
                {"notice_period_to_terminate_renewal", {{"value", notice}, {"unit", "days"}}}};
  json products = {{"currency", currency}, {"lines", lines}};
  json plan =
      run(runner, "bill.plan", {{"contract_id", id}, {"terms", terms}, {"products", products}}, ns);
  json revenue = run(runner, "revenue.schedule", {{"plan", plan}, {"products", products}}, ns);
  json state = {{"terms", terms},
                {"products", products},
                {"plan", plan},
                {"revenue", revenue},
                {"customer", {{"external_id", customer}, {"legal_name", name}}},
                {"owner", owner},
                {"written", json::object()}};

  Contract out;
  auto& r = out.row;
  r.contract_id = id;
  r.kind = kind;
  r.title = "Subscription agreement " + id;
  r.title_key = "subscription agreement " + id;
  r.agreement_date = dates::iso(start);
  r.customer = customer;
  r.state = state.dump();
  r.instance_id = "generated";
  r.index = store_index(activities::index_of(state));

  // The monitors' findings, read as contracts.observe reads them.
  auto observe = [&](json in) {
    in["contract_id"] = id;
    auto f = activities::finding_of(in);
    out.findings.push_back({f.contract_id, f.monitor, f.status, f.tag, f.due_on, f.currency,
                            dates::iso(today), f.body.dump(), "generated", f.items,
                            f.amount_minor});
  };
  json renewal = run(runner, "monitor.renewal", {{"terms", terms}}, ns);
  json notice_sent = renewal.value("status", "") != "watching" && d.chance(70)
                         ? json{{"system", "salesforce"}, {"id", "00T" + padded(i, 12)}}
                         : json();
  observe({{"monitor", "renewal"}, {"finding", renewal}, {"notice", notice_sent}});

  json discrepancies = json::array();
  const json& periods = plan["subscription"]["periods"];
  if (d.chance(12) && !periods.empty())
    discrepancies.push_back({{"kind", "missing_subscription_invoice"},
                             {"period_start", periods[0]["start"]},
                             {"expected", periods[0]["amount"]}});
  if (d.chance(5))
    discrepancies.push_back({{"kind", "unexpected_invoice"},
                             {"invoice", "in_" + padded(i, 10)},
                             {"amount_minor", (100 + d.below(5000)) * scale}});
  bool ended = today >= end;
  observe({{"monitor", "billing_accuracy"},
           {"currency", currency},
           {"finding",
            {{"checked", dates::iso(today)},
             {"expected", periods.size()},
             {"found", periods.size() - (discrepancies.empty() ? 0 : 1)},
             {"discrepancies", discrepancies},
             {"term_ended", ended}}}});

  json breaches = json::array();
  int slow = d.chance(20) ? 1 + d.below(3) : 0;
  for (int b = 0; b < slow; ++b)
    breaches.push_back({{"kind", "response_time"},
                        {"ticket", 1000 + d.below(90000)},
                        {"subject", "Ticket answered late"},
                        {"priority", 1 + d.below(2)},
                        {"limit_minutes", 60},
                        {"actual_minutes", 61 + d.below(600)}});
  if (d.chance(6)) {
    auto credit = money::scale(yearly / 12, 1000, 10000);  // 10% of a month's fees
    breaches.push_back({{"kind", "uptime"},
                        {"measured_percent", "99.2"},
                        {"committed_percent", "99.9"},
                        {"credit_basis_points", 1000},
                        {"credit", {{"amount_minor", *credit}, {"currency", currency}}}});
  }
  observe({{"monitor", "sla"}, {"finding", {{"breaches", breaches}, {"term_ended", ended}}}});
  return out;
}

// When a generated contract reached each handoff: signed at 09:00 UTC on its signing day, then
// each stage drawn from a spread like a real book's (minutes mostly, a day or days when a person
// or a system had to act); one in thirty still on its way, stopped at a stage.
engine::store::HandoffRow handoff_of(Draw& d, const engine::store::ContractRow& row,
                                     std::int64_t now_us) {
  constexpr std::int64_t kMinute = 60'000'000, kHour = 60 * kMinute;
  engine::store::HandoffRow h;
  h.instance_id = "gen-" + row.contract_id;
  h.workflow = "contract-to-cash";
  h.contract_id = row.contract_id;
  std::int64_t signed_us = now_us - (1 + d.below(400)) * 24 * kHour;
  if (row.index && !row.index->signed_on.empty())
    if (auto day = dates::parse(row.index->signed_on))
      signed_us = std::min<std::int64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(day->time_since_epoch()).count() +
              9 * kHour,
          now_us);
  h.started_us = signed_us;
  std::array<std::int64_t, 4> stage = {
      d.chance(15) ? 4 * kHour + d.below(68) * kHour : 2 * kMinute + d.below(30) * kMinute,
      2 * kHour + d.below(120) * kHour,
      d.chance(30) ? 2 * 24 * kHour + d.below(8 * 24) * kHour : 30 * kMinute + d.below(20) * kHour,
      5 * kMinute + d.below(48) * kHour};
  int reached = d.chance(97) ? 5 : 1 + d.below(4);
  std::int64_t at = signed_us;
  h.at_us[0] = at;
  for (int k = 1; k < reached; ++k) {
    at += stage[static_cast<std::size_t>(k - 1)];
    if (at > now_us) break;
    h.at_us[static_cast<std::size_t>(k)] = at;
  }
  h.status = "running";  // contract-to-cash goes on monitoring after its first invoice
  return h;
}

}  // namespace

engine::Result<GeneratedBook> generate_book(engine::store::Store& store, const std::string& ns,
                                            int count, std::uint64_t seed, std::int64_t today_days,
                                            std::int64_t now_us) {
  if (count < 0 || count > 1'000'000)
    return engine::fail(engine::ErrorCode::InvalidArgument,
                        "a generated book has 0 to 1,000,000 contracts");
  activities::Systems systems;
  systems.today = [today_days] { return today_days; };
  activities::Runner runner{systems};
  dates::Day today{std::chrono::days{today_days}};
  Draw d{seed};
  Draw timing{seed ^ 0x68616e646f666673ULL};  // the handoffs' own draws: the book stays the same
  GeneratedBook out;
  constexpr int kBatch = 500;
  for (int from = 0; from < count; from += kBatch) {
    std::vector<engine::store::ContractRow> rows;
    std::vector<engine::store::FindingRow> findings;
    std::vector<engine::store::HandoffRow> handoffs;
    for (int i = from; i < std::min(count, from + kBatch); ++i) {
      Contract c;
      try {
        c = make(runner, d, i, today, ns);
      } catch (const std::exception& e) {  // a generated contract our own code refused: a defect
        return engine::fail(engine::ErrorCode::Internal,
                            "generated contract " + std::to_string(i + 1) + ": " + e.what());
      }
      handoffs.push_back(handoff_of(timing, c.row, now_us));
      rows.push_back(std::move(c.row));
      for (auto& f : c.findings) findings.push_back(std::move(f));
    }
    auto added = store.contracts.record_many(ns, rows, now_us);
    if (!added) return tl::unexpected(added.error());
    auto kept = store.views.observe_many(ns, findings, now_us);
    if (!kept) return tl::unexpected(kept.error());
    auto timed = store.handoffs.save_many(ns, handoffs);
    if (!timed) return tl::unexpected(timed.error());
    out.handoffs += *timed;
    out.contracts += *added;
    out.findings += *kept;
  }
  return out;
}

}  // namespace covenant::app
