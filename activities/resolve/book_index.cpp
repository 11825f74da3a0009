// What the views across the book read: a contract's figures from its state in the book
// (index_of, which the app writes with the contract), and contracts.observe, which keeps each
// monitor's latest finding for the contract. Both read the shapes the activities wrote — the
// plan (bill.plan), the schedule (revenue.schedule, revenue.modify), the monitors' results —
// and add money only through workflows/money.hpp; neither computes a money rule of its own.
#include "activities/dates.hpp"
#include "activities/input.hpp"
#include "activities/own.hpp"

#include <limits>
#include <map>

namespace covenant::activities {
namespace {

using nlohmann::json;

constexpr const char* kObserveActivity = "contracts.observe";
constexpr std::int64_t kMost = std::numeric_limits<std::int64_t>::max();

// A signed amount: a catch-up or a credit may take revenue or billing back.
std::int64_t signed_minor(const Field& f) { return f.integer(-kMost, kMost); }

std::string month_text(const Field& f) {
  std::string m = f.text();
  auto digit = [&](std::size_t i) { return m[i] >= '0' && m[i] <= '9'; };
  if (m.size() != 7 || m[4] != '-' || !digit(0) || !digit(1) || !digit(2) || !digit(3) ||
      !digit(5) || !digit(6) || m.substr(5) < "01" || m.substr(5) > "12")
    f.fail("must be a month, YYYY-MM");
  return m;
}

struct Months {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> by_month;  // recognised, billed
  void add(const Field& at, const std::string& month, std::int64_t amount, bool billed) {
    auto& [r, b] = by_month[month];
    auto& into = billed ? b : r;
    auto sum = money::add(into, amount);
    if (!sum) at.fail("adds up past what a month can hold (2^63 - 1 minor units)");
    into = *sum;
  }
};

}  // namespace

BookIndex index_of(const json& state) {
  Field root(state, "state");
  root.object();
  BookIndex out;
  if (root.has("customer") && root.at("customer").raw().is_object())
    out.customer_name = root.at("customer").text_or("legal_name", "");
  if (root.has("owner") && root.at("owner").raw().is_string()) out.owner = root.at("owner").text();
  if (!root.has("plan")) return out;
  Field plan = root.at("plan");
  plan.object();
  out.currency = plan.at("currency").currency();
  out.service_start = dates::iso(plan.at("service_start").date());
  out.service_end = dates::iso(plan.at("service_end").date());
  Field total = plan.at("total");
  if (total.at("currency").currency() != out.currency)
    total.at("currency").fail("must be the plan's currency, " + out.currency);
  out.total_minor = total.at("amount_minor").amount_minor();
  out.price_minor = out.total_minor;
  Months months;
  if (root.has("revenue")) {
    Field revenue = root.at("revenue");
    if (revenue.has("currency") && revenue.at("currency").currency() != out.currency)
      revenue.at("currency").fail("must be the plan's currency, " + out.currency);
    if (revenue.has("transaction_price")) {
      Field price = revenue.at("transaction_price");
      if (price.at("currency").currency() != out.currency)
        price.at("currency").fail("must be the plan's currency, " + out.currency);
      out.price_minor = price.at("amount_minor").amount_minor();
    }
    for (const Field& p : revenue.at("periods").items()) {
      // A month, or the event a milestone's revenue waits for ("on go-live of the Service").
      if (p.at("period").raw().is_string() && p.at("period").text().rfind("on ", 0) == 0) {
        auto sum = money::add(out.pending_minor, signed_minor(p.at("amount_minor")));
        if (!sum) p.fail("adds up past 2^63 - 1 minor units");
        out.pending_minor = *sum;
        continue;
      }
      months.add(p, month_text(p.at("period")), signed_minor(p.at("amount_minor")), false);
    }
  }
  auto billed = [&](const Field& issue, const Field& amount) {
    months.add(amount, dates::iso(issue.date()).substr(0, 7), signed_minor(amount), true);
  };
  if (plan.has("invoices"))
    for (const Field& inv : plan.at("invoices").items())
      billed(inv.at("issue_date"), inv.at("total").at("amount_minor"));
  if (plan.has("subscription") && plan.at("subscription").raw().is_object())
    for (const Field& p : plan.at("subscription").at("periods").items())
      billed(p.at("issue_date"), p.at("amount").at("amount_minor"));
  for (const auto& [m, v] : months.by_month) out.months.push_back({m, v.first, v.second});
  return out;
}

namespace {

// The money a finding's items come to, in one currency (a second one is refused: no FX here).
struct Money {
  std::string currency;
  std::int64_t amount = 0;
  void add(const Field& at, std::int64_t minor, const std::string& cur) {
    if (!currency.empty() && cur != currency)
      at.fail("is in " + cur + ", another currency than " + currency + ": not added up");
    currency = cur;
    auto sum = money::add(amount, minor);
    if (!sum) at.fail("adds up past 2^63 - 1 minor units");
    amount = *sum;
  }
};

// monitor.renewal's result: due on the notice deadline; a notice counts as sent while the
// notice window is open or has passed and the instance sent one.
void renewal_finding(const Field& finding, const Field& root, BookFinding& f) {
  f.status = finding.at("status").one_of(
      {"watching", "notice_due", "notice_passed", "ended", "perpetual"});
  f.tag = f.status == "perpetual"                                                   ? "perpetual"
          : finding.has("auto_renewal") && finding.at("auto_renewal").raw() == true ? "auto_renews"
                                                                                    : "ends";
  if (finding.has("notice_date")) f.due_on = dates::iso(finding.at("notice_date").date());
  bool window = f.status == "notice_due" || f.status == "notice_passed";
  f.items = window && root.has("notice") && root.at("notice").raw().is_object() ? 1 : 0;
}

// monitor.sla's result: its breaches and the service credits they owe.
void sla_finding(const Field& finding, BookFinding& f) {
  Money owed;
  auto breaches = finding.at("breaches").items();
  for (const Field& b : breaches)
    if (b.has("credit"))
      owed.add(b.at("credit"), b.at("credit").at("amount_minor").amount_minor(),
               b.at("credit").at("currency").currency());
  f.items = static_cast<std::int64_t>(breaches.size());
  f.status = !breaches.empty()                                                     ? "breached"
             : finding.has("message")                                              ? "no_sla"
             : finding.has("term_ended") && finding.at("term_ended").raw() == true ? "ended"
                                                                                   : "met";
  f.amount_minor = owed.amount;
  f.currency = owed.currency;
}

// monitor.billing_accuracy's result: the discrepancies and the money they are about (an
// invoice missing or one nobody planned), in the plan's currency.
void billing_finding(const Field& finding, const Field& root, BookFinding& f) {
  Money at_stake;
  std::string currency = root.has("currency") ? root.at("currency").currency() : "";
  auto found = finding.at("discrepancies").items();
  for (const Field& d : found) {
    if (d.has("expected")) {
      Field e = d.at("expected");
      at_stake.add(e, e.at("amount_minor").amount_minor(), e.at("currency").currency());
    } else if (d.has("amount_minor")) {
      if (currency.empty()) root.at("currency").fail("is needed to add up an unexpected invoice");
      at_stake.add(d.at("amount_minor"), d.at("amount_minor").amount_minor(), currency);
    }
  }
  f.items = static_cast<std::int64_t>(found.size());
  f.status = !found.empty()                                                        ? "differs"
             : finding.has("term_ended") && finding.at("term_ended").raw() == true ? "ended"
                                                                                   : "matches";
  f.amount_minor = at_stake.amount;
  f.currency = at_stake.currency.empty() ? currency : at_stake.currency;
}

}  // namespace

BookFinding finding_of(const json& in) {
  Field root(in, "");
  root.object();
  BookFinding f;
  f.contract_id = root.at("contract_id").text();
  if (f.contract_id.empty() || f.contract_id.size() > 200)
    root.at("contract_id").fail("must be 1 to 200 characters");
  f.monitor = root.at("monitor").one_of({"renewal", "sla", "billing_accuracy"});
  Field finding = root.at("finding");
  finding.object();
  if (f.monitor == "renewal")
    renewal_finding(finding, root, f);
  else if (f.monitor == "sla")
    sla_finding(finding, f);
  else
    billing_finding(finding, root, f);
  f.body = finding.raw();
  if (f.monitor == "renewal" && root.has("notice")) f.body["notice"] = root.at("notice").raw();
  if (f.body.dump().size() > 64 * 1024) finding.fail("is over 64 KiB: too large to keep");
  return f;
}

Outcome contracts_observe(const Systems& s, const json& in, const std::string& key) {
  return refuse_bad_input(kObserveActivity, [&]() -> Outcome {
    BookFinding f = finding_of(in);
    f.instance_id = key.substr(0, key.find('/'));
    if (f.instance_id.empty())
      return invalid_input(kObserveActivity,
                           "a finding is observed by a workflow instance (no key)");
    if (!s.today) return error("NotConfigured", std::string(kObserveActivity) + ": no date source");
    f.observed_on = dates::iso(dates::Day{std::chrono::days{s.today()}});
    if (!s.book)
      return error("NotConfigured", std::string(kObserveActivity) + ": no contract book");
    auto r = s.book->observe(s.ns, f);
    if (!r) {
      std::string m = std::string(kObserveActivity) + ": " + r.error().error.message;
      if (r.error().kind == BookError::Kind::Invalid) return error("InvalidInput", m);
      return error(r.error().error.retryable ? "Unavailable" : "Internal", m,
                   r.error().error.retryable);
    }
    return ok({{"contract_id", f.contract_id},
               {"monitor", f.monitor},
               {"status", f.status},
               {"items", f.items},
               {"observed_on", f.observed_on},
               {"kept", *r}});
  });
}

}  // namespace covenant::activities
