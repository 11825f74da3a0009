#include "activities/extract/review.hpp"

#include "activities/dates.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace covenant::activities::extract {

using nlohmann::json;

namespace {

const std::map<std::string, std::string>& kinds() {
  static const std::map<std::string, std::string> k = {
      {"parties", "parties"},
      {"agreement_date", "date"},
      {"effective_date", "date"},
      {"expiration_date", "date_or_perpetual"},
      {"term", "duration"},
      {"renewal_term", "duration"},
      {"auto_renewal", "boolean"},
      {"notice_period_to_terminate_renewal", "duration"},
      {"governing_law", "jurisdiction"},
      {"payment_terms", "payment_terms"},
      {"billing_frequency", "billing_frequency"},
      {"fees", "fees"},
      {"milestones", "milestones"},
      {"sla", "sla"},
      {"document_kind", "document_kind"},
      {"referenced_agreement", "agreement_reference"},
      {"obligations", "obligations"}};
  return k;
}

using Checked = tl::expected<json, std::string>;

Checked bad(std::string why) { return tl::unexpected(std::move(why)); }

bool is_count(const json& v, std::int64_t lo, std::int64_t hi) {
  return v.is_number_integer() && v.get<std::int64_t>() >= lo && v.get<std::int64_t>() <= hi;
}

Checked date(const json& v) {
  if (!v.is_string() || !dates::parse(v.get<std::string>()))
    return bad("a date is written YYYY-MM-DD and is a day of the calendar");
  return v;
}

// "P12M", "P60D", "P1Y", "P2W", or {value, unit} with unit days/weeks/months/years.
Checked duration(const json& v, const json& old) {
  static const std::map<std::string, std::pair<char, std::int64_t>> units = {
      {"days", {'D', 36500}},
      {"weeks", {'W', 5200}},
      {"months", {'M', 1200}},
      {"years", {'Y', 100}}};
  std::int64_t n = 0;
  std::string unit;
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() < 3 || s.size() > 7 || s[0] != 'P' ||
        !std::all_of(s.begin() + 1, s.end() - 1, [](char c) { return c >= '0' && c <= '9'; }))
      return bad("a duration is like P12M, P60D, P1Y or P2W, or {value, unit}");
    n = std::stoll(s.substr(1, s.size() - 2));
    for (const auto& [name, u] : units)
      if (u.first == s.back()) unit = name;
  } else if (v.is_object() && v.contains("value") && v.contains("unit") && v["unit"].is_string() &&
             v["value"].is_number_integer()) {
    n = v["value"].get<std::int64_t>();
    unit = v["unit"].get<std::string>();
    if (!unit.empty() && unit.back() != 's') unit += 's';  // "month" -> "months"
  } else {
    return bad("a duration is like P12M, P60D, P1Y or P2W, or {value, unit}");
  }
  auto u = units.find(unit);
  if (u == units.end()) return bad("a duration's unit is days, weeks, months or years");
  if (n < 1 || n > u->second.second)
    return bad("a duration of " + std::to_string(n) + " " + unit + " is not a contract's (1 to " +
               std::to_string(u->second.second) + ")");
  json out = {{"value", n},
              {"unit", unit},
              {"iso8601", "P" + std::to_string(n) + std::string(1, u->second.first)}};
  if (old.is_object() && old.contains("successive")) out["successive"] = old["successive"];
  if (v.is_object() && v.contains("successive")) {
    if (!v["successive"].is_boolean()) return bad("'successive' is true or false");
    out["successive"] = v["successive"];
  }
  return out;
}

bool text(const json& v, std::size_t max = 500) {
  return v.is_string() && !v.get_ref<const std::string&>().empty() &&
         v.get_ref<const std::string&>().size() <= max &&
         v.get_ref<const std::string&>().find_first_not_of(" \t") != std::string::npos;
}

bool money_value(const json& m) {
  return m.is_object() && m.contains("amount_minor") &&
         is_count(m["amount_minor"], 0, (std::int64_t{1} << 53)) && m.contains("currency") &&
         m["currency"].is_string() && m["currency"].get_ref<const std::string&>().size() == 3;
}

Checked list_of(const json& v, const char* what, std::size_t max,
                const std::function<std::string(const json&)>& item) {
  if (!v.is_array() || v.empty() || v.size() > max)
    return bad(std::string(what) + " are a list of 1 to " + std::to_string(max));
  for (std::size_t i = 0; i < v.size(); ++i)
    if (auto why = item(v[i]); !why.empty())
      return bad(std::string(what) + " [" + std::to_string(i) + "]: " + why);
  return v;
}

// An obligation as a person confirms it: who owes it and when, always; what accepts it when
// anything does. The register is built from these (activities/resolve/obligations.cpp).
std::string obligation_problem(const json& o, std::set<std::string>& ids) {
  static const std::set<std::string> kinds = {
      "deliverable",       "report",         "certificate", "audit",
      "payment_milestone", "renewal_window", "other"};
  static const std::set<std::string> every = {"month", "quarter", "half_year", "year"};
  static const std::set<std::string> units = {"days", "weeks", "months", "years"};
  if (!o.is_object()) return "each obligation is an object {id, kind, description, owner, due}";
  const json id = o.value("id", json());
  if (!id.is_string() || id.get_ref<const std::string&>().empty() ||
      id.get_ref<const std::string&>().size() > 64 ||
      id.get_ref<const std::string&>().find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") !=
          std::string::npos)
    return "'id' is 1 to 64 of a-z, 0-9 and '-'";
  if (!ids.insert(id).second) return "'" + id.get<std::string>() + "' is listed twice";
  if (!o.contains("kind") || !o["kind"].is_string() || !kinds.count(o["kind"]))
    return "'kind' is deliverable, report, certificate, audit, payment_milestone, "
           "renewal_window or other";
  if (!o.contains("description") || !text(o["description"]))
    return "'description' says what is owed";
  if (!o.contains("owner") || !text(o["owner"], 200))
    return "'owner' names the party that owes it (a party's name, or \"each party\")";
  const json& d = o.value("due", json());
  if (!d.is_object()) return "'due' says when: {date}, or {event, after|before}, or {every}";
  bool when = false;
  if (d.contains("date") && !d["date"].is_null()) {
    if (!date(d["date"])) return "'due.date' is YYYY-MM-DD";
    when = true;
  }
  if (d.contains("event") && !d["event"].is_null()) {
    if (!text(d["event"], 200)) return "'due.event' names the event it counts from";
    when = true;
  }
  if (d.contains("every") && !d["every"].is_null()) {
    if (!d["every"].is_string() || !every.count(d["every"]))
      return "'due.every' is month, quarter, half_year or year";
    when = true;
  }
  for (const char* side : {"after", "before"})
    if (d.contains(side) && !d[side].is_null()) {
      const json& x = d[side];
      if (!x.is_object() || !is_count(x.value("value", json()), 0, 3650) ||
          !x.value("unit", json()).is_string() || !units.count(x["unit"]))
        return std::string("'due.") + side + "' is {value 0..3650, unit days|weeks|months|years}";
      if (!d.contains("event") || d["event"].is_null())
        return std::string("'due.") + side + "' counts from an event: give 'due.event'";
    }
  if (!when) return "'due' says when: {date}, or {event, after|before}, or {every}";
  if (o.contains("acceptance") && !o["acceptance"].is_null() && !text(o["acceptance"], 500))
    return "'acceptance' says what accepts it, or is null";
  return "";
}

}  // namespace

std::string input_kind(const std::string& field) {
  auto k = kinds().find(field);
  return k == kinds().end() ? "" : k->second;
}

const std::vector<std::string>& reviewable_fields() {
  static const std::vector<std::string> order = {
      "parties",           "agreement_date",
      "effective_date",    "term",
      "expiration_date",   "renewal_term",
      "auto_renewal",      "notice_period_to_terminate_renewal",
      "governing_law",     "payment_terms",
      "billing_frequency", "fees",
      "milestones",        "sla",
      "document_kind",     "referenced_agreement",
      "obligations"};
  return order;
}

namespace {

// `value` for `field`, checked and normalised; `old` is the extracted value (a renewal keeps
// whether it is successive).
Checked checked(const std::string& field, const json& v, const json& old) {
  std::string kind = input_kind(field);
  if (kind == "date") return date(v);
  if (kind == "date_or_perpetual") return v == "perpetual" ? Checked(v) : date(v);
  if (kind == "duration") return duration(v, old);
  if (kind == "boolean") return v.is_boolean() ? Checked(v) : bad("true or false");
  if (kind == "jurisdiction") {
    if (!v.is_object() || !v.contains("country") || !text(v["country"], 100) ||
        (v.contains("jurisdiction") && !v["jurisdiction"].is_null() &&
         !text(v["jurisdiction"], 100)))
      return bad("a place is {country, jurisdiction} (the state or province, or null)");
    return json{{"country", v["country"]}, {"jurisdiction", v.value("jurisdiction", json())}};
  }
  if (kind == "payment_terms") {
    json n = v.is_object() ? v.value("net_days", json()) : v;
    if (!is_count(n, 0, 365))
      return bad("payment terms are the days to pay, 0 to 365 (net 30: 30)");
    json out = {{"net_days", n}, {"text", "net " + std::to_string(n.get<int>())}};
    if (v.is_object() && v.contains("discount")) {
      const auto& d = v["discount"];
      if (!d.is_object() || !is_count(d.value("basis_points", json()), 1, 10000) ||
          !is_count(d.value("days", json()), 0, n.get<int>()))
        return bad("an early payment discount is {basis_points 1..10000, days up to net_days}");
      out["discount"] = {{"basis_points", d["basis_points"]}, {"days", d["days"]}};
    }
    return out;
  }
  if (kind == "billing_frequency") {
    static const std::set<std::string> every = {"month", "quarter", "half_year", "year"};
    if (!v.is_object() || !v.contains("every") || !v["every"].is_string() ||
        !every.count(v["every"].get<std::string>()) ||
        (v.value("timing", "advance") != "advance" && v.value("timing", "advance") != "arrears"))
      return bad(
          "billing is {every: month, quarter, half_year or year; timing: advance or arrears}");
    return json{{"every", v["every"]}, {"timing", v.value("timing", "advance")}};
  }
  if (kind == "parties")
    return list_of(v, "parties", 20, [](const json& p) -> std::string {
      if (!p.is_object() || !p.contains("name") || !text(p["name"]))
        return "each party is {name, aliases} with a name";
      if (p.contains("aliases") &&
          (!p["aliases"].is_array() || !std::all_of(p["aliases"].begin(), p["aliases"].end(),
                                                    [](const json& a) { return text(a, 200); })))
        return "aliases are a list of names";
      return "";
    });
  if (kind == "fees")
    return list_of(v, "fees", 200, [](const json& f) -> std::string {
      if (!f.is_object() || !f.contains("description") || !text(f["description"]))
        return "each fee has a description";
      if (!money_value(f.value("amount", json())))
        return "each fee has an amount {amount_minor: whole minor units, currency: ISO 4217}";
      return "";
    });
  if (kind == "milestones")
    return list_of(v, "milestones", 50, [](const json& m) -> std::string {
      if (!m.is_object() || !is_count(m.value("basis_points", json()), 1, 10000) ||
          !m.contains("event") || !text(m["event"]))
        return "each milestone is {basis_points 1..10000, event}";
      return "";
    });
  if (kind == "document_kind") {
    static const std::set<std::string> kinds = {"msa", "sow", "order_form", "amendment",
                                                "agreement"};
    if (!v.is_string() || !kinds.count(v.get<std::string>()))
      return bad("a document is msa, sow, order_form, amendment or agreement");
    return v;
  }
  if (kind == "agreement_reference") {
    if (!v.is_object() || !v.contains("name") || !text(v["name"], 200))
      return bad("the agreement referred to is {name, date (YYYY-MM-DD or null)}");
    json d = v.value("date", json());
    if (!d.is_null() && !date(d)) return bad("the referred agreement's date is YYYY-MM-DD or null");
    return json{{"name", v["name"]}, {"date", d}};
  }
  if (kind == "obligations") {
    std::set<std::string> ids;
    auto listed = list_of(v, "obligations", 200,
                          [&ids](const json& o) { return obligation_problem(o, ids); });
    if (!listed) return listed;
    json out = json::array();
    for (const auto& o : v) {
      json x = {{"id", o["id"]},
                {"kind", o["kind"]},
                {"description", o["description"]},
                {"owner", o["owner"]},
                {"due", o["due"]},
                {"acceptance", o.value("acceptance", json())}};
      if (o.contains("evidence") && o["evidence"].is_object()) x["evidence"] = o["evidence"];
      out.push_back(std::move(x));
    }
    return out;
  }
  if (kind == "sla") {
    if (!v.is_object() || v.empty()) return bad("service levels are an object (uptime_percent, …)");
    return v;
  }
  return bad("'" + field + "' is not a term Covenant extracts");
}

}  // namespace

tl::expected<json, std::string> check_value(const std::string& field, const json& value) {
  return checked(field, value, json());
}

tl::expected<Reviewed, ReviewProblem> apply_review(const json& terms,
                                                   const std::vector<Correction>& corrections,
                                                   const std::string& text, const std::string& by,
                                                   const std::string& at) {
  auto problem = [](std::string field, std::string message) {
    return tl::unexpected(ReviewProblem{std::move(field), std::move(message)});
  };
  if (!terms.is_object() || !terms.contains("fields") || !terms["fields"].is_object())
    return problem("", "the data under review is not extract.terms' result (no 'fields')");
  if (corrections.size() > reviewable_fields().size())
    return problem("", "more corrections than there are terms");
  Reviewed out{terms, json::array()};
  json& t = out.terms;
  std::set<std::string> corrected;
  for (const auto& c : corrections) {
    if (input_kind(c.field).empty())
      return problem(c.field, "'" + c.field + "' is not a term Covenant extracts");
    if (!corrected.insert(c.field).second)
      return problem(c.field, "'" + c.field + "' is corrected twice");
    auto reason = c.reason.find_first_not_of(" \t\r\n");
    if (reason == std::string::npos)
      return problem(c.field, "say why '" + c.field + "' is corrected (it goes into the history)");
    if (c.reason.size() > 2000 || c.evidence.size() > 5000)
      return problem(c.field, "the reason or the evidence for '" + c.field + "' is too long");
    json old = t.contains(c.field) ? t[c.field] : json();
    auto value = checked(c.field, c.value, old);
    if (!value) return problem(c.field, "'" + c.field + "': " + value.error());
    json record = {{"field", c.field}, {"old", old}, {"new", *value}, {"reason", c.reason}};
    json term = {{"value", *value}, {"confidence", 1.0}, {"source", "review"}};
    if (!c.evidence.empty()) {
      auto start = text.find(c.evidence);
      if (start == std::string::npos)
        return problem(c.field, "the evidence for '" + c.field +
                                    "' is not a passage of the contract: copy it from the text");
      json ev = {{"start", start}, {"end", start + c.evidence.size()}, {"text", c.evidence}};
      record["evidence"] = ev;
      term["evidence"] = ev;
    }
    term["corrected"] = {{"old", old}, {"by", by}, {"at", at}, {"reason", c.reason}};
    t[c.field] = *value;
    t["fields"][c.field] = std::move(term);
    out.corrections.push_back(std::move(record));
  }
  json confirmed = json::array();
  for (const auto& r : terms.value("review", json::array())) {
    std::string field = r.is_object() ? r.value("field", "") : "";
    if (field.empty() || corrected.count(field)) continue;
    if (r.value("reason", "") == "missing" || !terms.contains(field))
      return problem(field, "'" + field + "' is missing from the contract: enter its value");
    confirmed.push_back(field);
    t["fields"][field]["confirmed"] = {{"by", by}, {"at", at}};
  }
  t["review"] = json::array();
  t["needs_review"] = false;
  t["reviewed"] = {{"by", by}, {"at", at}, {"corrected", corrected}, {"confirmed", confirmed}};
  return out;
}

}  // namespace covenant::activities::extract
