// The monitors a contract keeps while it runs. Each reads today's date from the injected
// `today` (never a clock here) and returns a status the workflow branches on.
//   monitor.renewal: the current term's end (rolling forward through automatic renewals), the
//     notice deadline (end - notice period) and the alert date (deadline - lead_days).
//   monitor.sla: tickets against the response times promised per priority; with a measured
//     uptime, the service credit the SLA's tiers give, from the monthly recurring fees.
//   monitor.billing_accuracy: the customer's invoices in the billing system against the plan:
//     every invoice the plan wrote and every subscription period already due must be there
//     with the same amount; anything else is a discrepancy.
#include "activities/dates.hpp"
#include "activities/input.hpp"
#include "activities/own.hpp"

namespace covenant::activities {
namespace {

using nlohmann::json;

std::optional<dates::Day> today(const Systems& s) {
  if (!s.today) return std::nullopt;
  return dates::Day{std::chrono::days{s.today()}};
}

}  // namespace

Outcome monitor_renewal(const Systems& s, const json& in) {
  const char* a = "monitor.renewal";
  auto now = today(s);
  if (!now) return error("NotConfigured", std::string(a) + ": no date source");
  json terms = in.value("terms", json::object());
  auto end_s = term_value(terms, "expiration_date");
  if (end_s == "perpetual")
    return ok({{"status", "perpetual"}, {"message", "the contract has no end date"}});
  if (!end_s.is_string()) return invalid_input(a, "the terms have no expiration_date");
  auto end = dates::parse(end_s);
  if (!end) return invalid_input(a, "expiration_date is not an ISO date");
  bool automatic = term_value(terms, "auto_renewal") == true;
  json renewal = term_value(terms, "renewal_term");
  json notice = term_value(terms, "notice_period_to_terminate_renewal");
  int lead = in.value("lead_days", 30);
  int renewals = 0;
  if (automatic && renewal.is_object())
    while (*end <= *now && renewals < 1000) {
      auto next = dates::add(*end, renewal.value("value", 12), renewal.value("unit", "months"));
      if (!next || *next <= *end) break;
      *end = *next;
      ++renewals;
    }
  json out = {{"term_end", dates::iso(*end)},
              {"renewals", renewals},
              {"auto_renewal", automatic},
              {"today", dates::iso(*now)}};
  if (*now >= *end) {
    out["status"] = "ended";
    return ok(out);
  }
  dates::Day deadline = *end;
  if (notice.is_object())
    if (auto d = dates::add(*end, -notice.value("value", 0), notice.value("unit", "days")))
      deadline = *d;
  auto alert = deadline - std::chrono::days{lead};
  out["notice_date"] = dates::iso(deadline);
  out["alert_date"] = dates::iso(alert);
  out["status"] = *now >= alert && *now < deadline ? "notice_due"
                  : *now >= deadline               ? "notice_passed"
                                                   : "watching";
  out["days_to_notice"] = dates::days_between(*now, deadline);
  return ok(out);
}

namespace {

Outcome sla_breaches(const Systems& s, const json& in) {
  const char* a = "monitor.sla";
  auto now = today(s);
  if (!now) return error("NotConfigured", std::string(a) + ": no date source");
  std::string account = in.value("account", "");
  if (account.empty()) return invalid_input(a, "'account' is required");
  json terms = in.value("terms", json::object());
  json sla = term_value(terms, "sla");
  json out = {{"breaches", json::array()}, {"term_ended", false}};
  if (auto end = dates::parse(term_value(terms, "expiration_date").is_string()
                                  ? term_value(terms, "expiration_date").get<std::string>()
                                  : ""))
    out["term_ended"] = *now >= *end;
  if (!sla.is_object()) {
    out["message"] = "the contract has no SLA";
    return ok(out);
  }
  if (!s.ticketing) return error("NotConfigured", std::string(a) + ": no ticketing system");
  json q = {{"account", account}};
  if (in.contains("since")) q["since"] = in["since"];
  auto tickets = s.ticketing->list_tickets(q);
  if (!tickets) return failed(tickets.error());
  // Zendesk priorities to the contract's: urgent = 1, high = 2, normal = 3, low = 4.
  auto prio = [](const std::string& p) {
    return p == "urgent" ? 1 : p == "high" ? 2 : p == "normal" ? 3 : p == "low" ? 4 : 0;
  };
  auto minutes = [](const json& within) {
    int v = within.value("value", 0);
    std::string u = within.value("unit", "hours");
    return u == "minutes"         ? v
           : u == "hours"         ? v * 60
           : u == "business_days" ? v * 8 * 60
                                  : v * 1440;
  };
  for (const auto& t : (*tickets)["tickets"]) {
    // The adapter's level where it gives one (ServiceNow), else Zendesk's words.
    int p = t.contains("priority_level") && t["priority_level"].is_number_integer()
                ? t["priority_level"].get<int>()
                : prio(t.value("priority", json("")).is_string() ? t["priority"].get<std::string>()
                                                                 : "");
    for (const auto& r : sla.value("response_times", json::array())) {
      if (r.value("priority", 0) != p) continue;
      const json& reply = t.value("first_reply_minutes", json());
      if (!reply.is_number_integer()) continue;
      int limit = minutes(r["within"]);
      if (reply.get<int>() > limit)
        out["breaches"].push_back({{"kind", "response_time"},
                                   {"ticket", t.value("id", json())},
                                   {"subject", t.value("subject", json(""))},
                                   {"priority", p},
                                   {"limit_minutes", limit},
                                   {"actual_minutes", reply}});
    }
  }
  // A measured uptime ("99.5") against the commitment and its credit tiers.
  if (in.contains("measured_uptime") && sla.contains("uptime_percent")) {
    auto bp = [](const json& v) -> std::int64_t {
      std::string t = v.is_string() ? v.get<std::string>() : v.dump();
      auto dot = t.find('.');
      std::string whole = t.substr(0, dot),
                  frac = dot == std::string::npos ? "" : t.substr(dot + 1);
      frac = (frac + "000").substr(0, 3);
      try {
        return std::stoll(whole) * 1000 + std::stoll(frac);
      } catch (...) {
        return -1;
      }
    };
    std::int64_t measured = bp(in["measured_uptime"]);
    if (measured < 0)
      return invalid_input(a, "'measured_uptime' must be a percentage like \"99.5\"");
    if (measured < bp(sla["uptime_percent"])) {
      std::int64_t credit_bp = 0;
      Field credits(sla, "terms.sla");
      if (credits.has("service_credits"))
        for (const Field& c : credits.at("service_credits").items())
          if (c.at("below_percent").raw().is_primitive() &&
              measured < bp(c.at("below_percent").raw()))
            credit_bp = std::max(credit_bp, c.integer_or("credit_basis_points", 0, 0, 10000));
      json breach = {{"kind", "uptime"},
                     {"measured_percent", in["measured_uptime"]},
                     {"committed_percent", sla["uptime_percent"]},
                     {"credit_basis_points", credit_bp}};
      json monthly = in.value("monthly_fees", json());
      if (monthly.is_object() && monthly.contains("amount_minor")) {
        Field fees(monthly, "monthly_fees");
        auto credit = money::scale(fees.at("amount_minor").amount_minor(), credit_bp, 10000);
        breach["credit"] = {{"amount_minor", *credit},  // ≤ the fee: credit_bp ≤ 10,000
                            {"currency", fees.at("currency").currency()}};
      }
      out["breaches"].push_back(breach);
    }
  }
  return ok(out);
}

}  // namespace

Outcome monitor_sla(const Systems& s, const json& in) {
  return refuse_bad_input("monitor.sla", [&] { return sla_breaches(s, in); });
}

Outcome monitor_billing_accuracy(const Systems& s, const json& in) {
  const char* a = "monitor.billing_accuracy";
  auto now = today(s);
  if (!now) return error("NotConfigured", std::string(a) + ": no date source");
  std::string customer = in.value("customer", "");
  json plan = in.value("plan", json::object());
  if (customer.empty()) return invalid_input(a, "'customer' is required");
  if (!plan.is_object() || !plan.contains("invoices"))
    return invalid_input(a, "'plan' must be bill.plan's result");
  if (!s.billing) return error("NotConfigured", std::string(a) + ": no billing system");
  auto listed = s.billing->list_invoices({{"customer", customer}});
  if (!listed) return failed(listed.error());
  json actual = (*listed).value("invoices", json::array());
  std::vector<bool> matched(actual.size(), false);
  json discrepancies = json::array();
  auto take = [&](std::int64_t amount, const std::string& description) -> bool {
    for (std::size_t i = 0; i < actual.size(); ++i) {
      if (matched[i] || actual[i].value("status", "") == "void") continue;
      if (actual[i].value("total_minor", std::int64_t{-1}) != amount) continue;
      bool same_text = description.empty();
      for (const auto& l : actual[i].value("lines", json::array()))
        same_text = same_text || l.value("description", "") == description;
      if (!same_text) continue;
      matched[i] = true;
      return true;
    }
    return false;
  };
  int expected = 0;
  // The plan's own invoices are written when the plan is approved, whatever their dates.
  for (const auto& inv : plan["invoices"]) {
    ++expected;
    std::int64_t amount = inv["total"]["amount_minor"];
    std::string desc = inv["items"].size() == 1 ? inv["items"][0].value("description", "") : "";
    if (!take(amount, desc))
      discrepancies.push_back(
          {{"kind", "missing_invoice"}, {"plan_invoice", inv["id"]}, {"expected", inv["total"]}});
  }
  if (plan.contains("subscription") && plan["subscription"].is_object())
    for (const auto& p : plan["subscription"]["periods"]) {
      auto issue = dates::parse(p.value("issue_date", ""));
      if (!issue || *issue > *now) continue;
      ++expected;
      if (!take(p["amount"]["amount_minor"], ""))
        discrepancies.push_back({{"kind", "missing_subscription_invoice"},
                                 {"period_start", p["start"]},
                                 {"expected", p["amount"]}});
    }
  for (const auto& m : plan.value("milestones", json::array()))
    if (m.value("status", "") == "pending")
      take(m["amount"]["amount_minor"], m.value("description", ""));
  for (std::size_t i = 0; i < actual.size(); ++i)
    if (!matched[i] && actual[i].value("status", "") != "void")
      discrepancies.push_back({{"kind", "unexpected_invoice"},
                               {"invoice", actual[i].value("id", "")},
                               {"amount_minor", actual[i].value("total_minor", 0)}});
  auto end = dates::parse(plan.value("service_end", ""));
  return ok({{"checked", dates::iso(*now)},
             {"expected", expected},
             {"found", actual.size()},
             {"discrepancies", discrepancies},
             {"term_ended", end && *now >= *end}});
}

}  // namespace covenant::activities
