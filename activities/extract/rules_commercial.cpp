// The commercial terms a billing plan needs: payment terms, fees with currency and
// frequency, billing frequency, milestone payments and SLA commitments. Amounts become integer
// minor units by exact decimal arithmetic; percentages stay decimal text ("99.9") or basis
// points (2% = 200), never floating point.
#include "activities/bill/milestone_event.hpp"
#include "activities/extract/text_util.hpp"
#include "adapters/http/decimal.hpp"

#include <map>
#include <optional>
#include <regex>

namespace covenant::activities::extract::text {
namespace {

using nlohmann::json;

std::optional<int> small_number(const std::string& digits, const std::string& word) {
  if (!digits.empty()) return std::stoi(digits);
  static const std::vector<std::pair<std::string, int>> words = {
      {"seven", 7},       {"ten", 10},        {"fifteen", 15}, {"twenty", 20}, {"thirty", 30},
      {"forty-five", 45}, {"forty five", 45}, {"sixty", 60},   {"ninety", 90}, {"fourteen", 14}};
  std::string w = lower(word);
  for (const auto& [k, v] : words)
    if (w == k) return v;
  return std::nullopt;
}

// "2" → 200, "1.5" → 150 basis points; nullopt beyond two decimals.
std::optional<int> basis_points(const std::string& percent) {
  auto minor = adapters::http::to_minor(json(percent), 2);
  if (!minor || *minor < 0 || *minor > 10000) return std::nullopt;
  return static_cast<int>(*minor);
}

void payment_terms(const std::string& t, const std::string& l, Terms& out) {
  static const std::regex discount(
      R"((\d{1,2}(?:\.\d{1,2})?)\s*%?\s*/\s*(\d{1,3})\s*,?\s*net\s*(\d{1,3}))", std::regex::icase);
  static const std::regex net(R"(\bnet\s*[- ]?\s*(?:([a-z-]+(?:\s+five)?)\s*\(\s*)?(\d{1,3})\b)",
                              std::regex::icase);
  static const std::regex within(
      R"((?:within|no\s+later\s+than|not\s+later\s+than)\s+(?:([a-z-]+)\s*)?(?:\(\s*)?(\d{1,3})?\s*\)?\s*(?:calendar\s+)?days\s+(?:after|of|from|following)\s+(?:the\s+)?(?:date\s+of\s+|receipt\s+of\s+|issuance\s+of\s+)?(?:the\s+|an\s+|each\s+|such\s+|any\s+)?(?:date\s+of\s+)?(?:receipt\s+of\s+)?(?:the\s+|an\s+|each\s+)?(?:invoice|billing))",
      std::regex::icase);
  for (const char* cue : {"net", "within", "no later than", "not later than"}) {
    for (auto p : hits(l, cue)) {
      auto [s, e] = sentence(t, p);
      std::string sent = t.substr(s, e - s), ls = lower(sent);
      std::smatch m;
      if (std::string(cue) == "net") {
        if (std::regex_search(sent, m, discount)) {
          auto bp = basis_points(m[1]);
          if (!bp) continue;
          json v = {{"net_days", std::stoi(m[3])},
                    {"discount", {{"basis_points", *bp}, {"days", std::stoi(m[2])}}},
                    {"text", m[0].str()}};
          out["payment_terms"] = term(v, 0.9, t, s, e);
          return;
        }
        if (std::regex_search(sent, m, net) &&
            (ls.find("invoice") != std::string::npos || ls.find("payment") != std::string::npos ||
             ls.find("payable") != std::string::npos)) {
          json v = {{"net_days", std::stoi(m[2])}, {"text", m[0].str()}};
          out["payment_terms"] = term(v, 0.85, t, s, e);
          return;
        }
        continue;
      }
      if (std::regex_search(sent, m, within) &&
          (ls.find("pay") != std::string::npos || ls.find("due") != std::string::npos)) {
        auto days = small_number(m[2], m[1]);
        if (!days || *days <= 0) continue;
        json v = {{"net_days", *days}, {"text", m[0].str()}};
        out["payment_terms"] = term(v, 0.75, t, s, e);
        return;
      }
    }
  }
}

// ---- money ----

struct Money {
  std::int64_t minor = 0;
  std::string currency;
  std::size_t start = 0, end = 0;
};

std::vector<Money> money_in(const std::string& t, std::size_t from, std::size_t to) {
  static const std::regex re(
      R"((?:\b(USD|EUR|GBP|CHF|CAD|AUD|JPY|SEK|NOK|DKK)\s?|(US\$|\$|€|£))\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?\b)");
  std::vector<Money> out;
  std::string w = t.substr(from, to - from);
  for (auto it = std::sregex_iterator(w.begin(), w.end(), re); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    std::string cur = m[1].matched ? m[1].str() : m[2] == "€" ? "EUR" : m[2] == "£" ? "GBP" : "USD";
    std::string digits = std::regex_replace(m[3].str(), std::regex(","), "") + m[4].str();
    auto minor = adapters::http::to_minor(json(digits), adapters::http::minor_digits(cur));
    if (!minor) continue;
    out.push_back({*minor, cur, from + static_cast<std::size_t>(m.position(0)),
                   from + static_cast<std::size_t>(m.position(0) + m.length(0))});
  }
  return out;
}

std::string frequency_in(const std::string& ls) {
  static const std::vector<std::pair<const char*, const char*>> cues = {
      {"one-time", "one_time"},   {"one time", "one_time"},
      {"one-off", "one_time"},    {"non-recurring", "one_time"},
      {"set-up", "one_time"},     {"setup", "one_time"},
      {"onboarding", "one_time"}, {"implementation", "one_time"},
      {"per month", "month"},     {"monthly", "month"},
      {"a month", "month"},       {"per quarter", "quarter"},
      {"quarterly", "quarter"},   {"per annum", "year"},
      {"per year", "year"},       {"annually", "year"},
      {"annual", "year"},         {"each year", "year"},
      {"yearly", "year"},         {"a year", "year"}};
  std::size_t best = std::string::npos;
  std::string f;
  for (const auto& [cue, freq] : cues) {
    auto p = ls.find(cue);
    if (p != std::string::npos && p < best) {
      best = p;
      f = freq;
    }
  }
  return f;
}

bool off_topic(const std::string& ls) {
  for (const char* w : {"liabilit", "insurance", "damages", "indemn", "penalt", "capital stock",
                        "shares", "salary", "bonus", "loan", "purchase price"})
    if (ls.find(w) != std::string::npos) return true;
  return false;
}

// Fees: amounts on lines or in sentences about fees, prices or subscriptions, each with its
// frequency and, for "40 seats at USD 180.00", its quantity and unit price.
void fees(const std::string& t, const std::string& l, Terms& out) {
  static const std::regex quantity(
      R"((\d{1,6})\s+(?:named\s+)?(seats?|users?|licen[cs]es?|units?|sites?)\s+(?:at|@|x)\s*$)",
      std::regex::icase);
  json list = json::array();
  std::size_t first = std::string::npos, last = 0;
  std::size_t pos = 0;
  while (pos < t.size()) {
    // One line at a time: order forms put one fee per line.
    std::size_t eol = t.find('\n', pos);
    if (eol == std::string::npos) eol = t.size();
    auto found = money_in(t, pos, eol);
    if (!found.empty()) {
      auto [s, e] = sentence(t, found.front().start, 300);
      s = std::max(s, pos);
      std::string ls = l.substr(s, std::max(e, eol) - s);
      bool about_fees = false;
      for (const char* w : {"fee", "price", "subscription", "charge", "licen", "payable", "invoice",
                            "seat", "platform", "support", "services"})
        about_fees = about_fees || ls.find(w) != std::string::npos;
      if (about_fees && !off_topic(ls)) {
        for (const auto& m : found) {
          std::string before = t.substr(pos, m.start - pos);
          std::string after_l = l.substr(m.end, std::min<std::size_t>(60, eol - m.end));
          std::string freq = frequency_in(after_l);
          if (freq.empty()) freq = frequency_in(lower(before));
          json fee = {{"amount", {{"amount_minor", m.minor}, {"currency", m.currency}}},
                      {"frequency", freq.empty() ? json() : json(freq)},
                      {"evidence", {{"start", m.start}, {"end", m.end}}}};
          std::smatch q;
          if (std::regex_search(before, q, quantity)) {
            fee["quantity"] = std::stoi(q[1]);
            fee["unit"] = lower(q[2]);
            fee["unit_amount"] = fee["amount"];
            fee["amount"]["amount_minor"] = m.minor * std::stoll(q[1]);
            before = before.substr(0, static_cast<std::size_t>(q.position(0)));
          }
          std::string desc =
              std::regex_replace(before, std::regex(R"([\s:.\-–—|*]+$|^[\s\-*•|]+)"), "");
          desc = std::regex_replace(desc, std::regex(R"(\s+)"), " ");
          if (desc.size() > 80) desc = desc.substr(desc.size() - 80);
          fee["description"] = desc;
          list.push_back(fee);
          first = std::min(first, s);
          last = std::max(last, std::max(e, m.end));
        }
      }
    }
    pos = eol + 1;
    if (list.size() >= 20) break;
  }
  if (list.empty()) return;
  bool all_known = true;
  for (const auto& f : list) all_known = all_known && !f["frequency"].is_null();
  out["fees"] = term(list, all_known ? 0.85 : 0.6, t, first, last);
}

void billing_frequency(const std::string& t, const std::string& l, Terms& out) {
  static const std::regex re(
      R"((?:invoiced|billed|invoice|bill|payable|paid)\s+(?:to\s+customer\s+)?(?:in\s+advance\s+)?(monthly|quarterly|annually|yearly|semi-annually|every\s+(?:month|quarter|year))(?:\s+in\s+(advance|arrears))?)",
      std::regex::icase);
  for (const char* cue : {"invoice", "billed", "bill ", "payable", "paid"}) {
    for (auto p : hits(l, cue)) {
      auto [s, e] = sentence(t, p, 300);
      std::string sent = t.substr(s, e - s);
      std::smatch m;
      if (!std::regex_search(sent, m, re)) continue;
      std::string w = lower(m[1]);
      std::string every = w.find("month") != std::string::npos     ? "month"
                          : w.find("quarter") != std::string::npos ? "quarter"
                          : w.find("semi") != std::string::npos    ? "half_year"
                                                                   : "year";
      std::string ls = lower(sent);
      std::string timing = m[2].matched                                 ? lower(m[2])
                           : ls.find("in arrears") != std::string::npos ? "arrears"
                                                                        : "advance";
      out["billing_frequency"] =
          term({{"every", every}, {"timing", timing}}, m[2].matched ? 0.9 : 0.75, t, s, e);
      return;
    }
  }
}

// The phase a milestone's event names ("acceptance of Phase 2", "completion of Stage B"): its id
// ("phase-2", "stage-b") and name ("Phase 2"), or nothing.
std::optional<std::pair<std::string, std::string>> phase_named(const std::string& text) {
  static const std::regex re(
      R"(\b(phase|stage)\s+([0-9]{1,2}|[a-h]|one|two|three|four|five|six|seven|eight|nine|ten)\b)",
      std::regex::icase);
  static const std::vector<std::string> words = {"one", "two",   "three", "four", "five",
                                                 "six", "seven", "eight", "nine", "ten"};
  std::smatch m;
  if (!std::regex_search(text, m, re)) return std::nullopt;
  std::string kind = lower(m[1]), n = lower(m[2]);
  for (std::size_t i = 0; i < words.size(); ++i)
    if (n == words[i]) n = std::to_string(i + 1);
  std::string name = kind + " " + n;
  name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  if (std::isalpha(static_cast<unsigned char>(n[0])))
    name.back() = static_cast<char>(std::toupper(static_cast<unsigned char>(name.back())));
  return std::pair{kind + "-" + n, name};
}

// What the contract says of its phases: "Phase 2 begins upon the Customer's acceptance of Phase
// 1" (a dependency, and the event it waits for), "Phase 1 shall be completed within sixty (60)
// days" (a duration). Read sentence by sentence where a phase or stage is named.
struct PhaseFacts {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> waits;  // on (id, kind)
  std::map<std::string, std::int64_t> days;
  bool business_days = false;  // a duration in business days: not a calendar date, a person
  std::size_t first = std::string::npos, last = 0;
};

PhaseFacts phase_facts(const std::string& t, const std::string& l) {
  static const std::regex begins(
      R"(\b((?:phase|stage)\s+\w{1,5})\s+(?:shall\s+|will\s+|is\s+to\s+|may\s+only\s+)?(?:begins?|commences?|starts?)\s+(?:only\s+)?(?:upon|after|following|once|on)\s+([^.;\n]{1,200}))",
      std::regex::icase);
  static const std::regex waited(
      R"(\b(acceptance|completion|delivery|approval|sign-off)\s+of\s+(?:the\s+)?((?:phase|stage)\s+\w{1,5})((?:\s*(?:,|and)\s+(?:of\s+)?(?:the\s+)?(?:phase|stage)\s+\w{1,5})*))",
      std::regex::icase);
  static const std::regex within(
      R"(\bwithin\s+(?:[a-z-]+\s+)?\(?(\d{1,4})\)?\s+(calendar\s+|business\s+|working\s+)?days)",
      std::regex::icase);
  static const std::regex other_phase(R"((?:phase|stage)\s+\w{1,5})", std::regex::icase);
  PhaseFacts f;
  std::size_t read_to = 0;
  for (const char* word : {"phase", "stage"})
    for (auto p : hits(l, word)) {
      auto [s, e] = sentence(t, p, 600);
      if (s < read_to && e <= read_to) continue;
      read_to = std::max(read_to, e);
      std::string sent = t.substr(s, e - s);
      bool said = false;
      std::smatch m;
      if (std::regex_search(sent, m, begins)) {
        auto who = phase_named(m[1]);
        std::string rest = m[2];
        std::smatch w;
        if (who && std::regex_search(rest, w, waited)) {
          std::string kind = lower(w[1]);
          std::string list = w[2].str() + w[3].str();
          for (auto it = std::sregex_iterator(list.begin(), list.end(), other_phase);
               it != std::sregex_iterator(); ++it)
            if (auto before = phase_named(it->str()); before && before->first != who->first)
              f.waits[who->first].push_back({before->first, kind});
          said = true;
        }
      }
      // "… within N days": the phase the clause is about is the last one named before it as a
      // subject, not as the object of "of" ("Phase 2 begins upon acceptance of Phase 1 and shall
      // be completed within 45 days" is Phase 2's).
      for (auto it = std::sregex_iterator(sent.begin(), sent.end(), within);
           it != std::sregex_iterator(); ++it) {
        std::optional<std::pair<std::string, std::string>> who;
        std::string before = sent.substr(0, static_cast<std::size_t>(it->position(0)));
        for (auto ph = std::sregex_iterator(before.begin(), before.end(), other_phase);
             ph != std::sregex_iterator(); ++ph) {
          std::string lead = lower(before.substr(0, static_cast<std::size_t>(ph->position(0))));
          while (!lead.empty() && std::isspace(static_cast<unsigned char>(lead.back())))
            lead.pop_back();
          bool object = lead.size() >= 2 && lead.compare(lead.size() - 2, 2, "of") == 0;
          if (lead.size() >= 6 && lead.compare(lead.size() - 6, 6, "of the") == 0) object = true;
          if (!object)
            if (auto named = phase_named(ph->str())) {
              // Only a duration of the work: "shall be completed / delivered / finished".
              std::string between = lower(before.substr(static_cast<std::size_t>(ph->position(0))));
              bool work = between.find("complet") != std::string::npos ||
                          between.find("deliver") != std::string::npos ||
                          between.find("finish") != std::string::npos;
              who = work ? named : std::nullopt;
            }
        }
        if (!who) continue;
        std::string unit = lower((*it)[2]);
        if (unit.find("business") != std::string::npos ||
            unit.find("working") != std::string::npos) {
          f.business_days = true;
        } else if (!f.days.count(who->first)) {
          f.days[who->first] = std::stoll((*it)[1]);
        }
        said = true;
      }
      if (said) {
        f.first = std::min(f.first, s);
        f.last = std::max(f.last, e);
      }
    }
  return f;
}

// Milestone payments: "50% upon signature", "USD 10,000 on acceptance of the Deliverables".
void milestones(const std::string& t, const std::string& l, Terms& out) {
  static const std::regex pct(
      R"((\d{1,3}(?:\.\d{1,2})?)\s*%\s*(?:\([^)]*\)\s*)?(?:of\s+(?:the\s+)?[a-z\s]{0,40}?)?(?:is\s+|shall\s+be\s+|will\s+be\s+)?(?:due\s+|payable\s+|invoiced\s+|billed\s+)?(?:upon|on|at|after|following)\s+((?:(?!\s+and\s+\d)[^,.;\n]){3,80}))",
      std::regex::icase);
  json list = json::array();
  std::size_t first = std::string::npos, last = 0;
  for (auto p : hits(l, "milestone")) {
    auto [s, e] = sentence(t, p, 800);
    if (s < last) continue;  // already read
    std::string sent = t.substr(s, e - s);
    for (auto it = std::sregex_iterator(sent.begin(), sent.end(), pct);
         it != std::sregex_iterator(); ++it) {
      auto bp = basis_points((*it)[1]);
      if (!bp) continue;
      std::string event = std::regex_replace((*it)[2].str(), std::regex(R"(\s+)"), " ");
      std::size_t at = s + static_cast<std::size_t>(it->position(0));
      list.push_back({{"basis_points", *bp},
                      {"event", event},
                      {"evidence", {{"start", at}, {"end", at + it->length(0)}}}});
    }
    first = std::min(first, s);
    last = std::max(last, e);
  }
  if (list.empty()) return;
  int total = 0;
  bool clear = true;
  for (const auto& m : list) {
    total += m["basis_points"].get<int>();
    clear = clear && bill::classify_milestone_event(m["event"]).unclear.empty();
  }
  // Phases: a milestone whose event names one ("acceptance of Phase 2") is that phase's
  // milestone; what the contract says the phase waits for and how long it takes make the graph
  // milestones.schedule dates. A dependency on a phase no milestone is for, or reached by
  // another event than its milestone's ("begins upon acceptance of Phase 1" where Phase 1 is
  // paid on completion), or a duration in business days, is read but left to a person.
  PhaseFacts facts = phase_facts(t, l);
  std::map<std::string, std::string> kind_of;  // phase id → its milestone's event kind
  for (auto& m : list)
    if (auto ph = phase_named(m["event"].get<std::string>()); ph && !kind_of.count(ph->first)) {
      m["phase"] = ph->first;
      m["name"] = ph->second;
      kind_of[ph->first] = bill::classify_milestone_event(m["event"]).kind;
    }
  bool graph_clear = !facts.business_days;
  for (auto& m : list) {
    if (!m.contains("phase")) continue;
    std::string id = m["phase"];
    json deps = json::array();
    for (const auto& [before, kind] : facts.waits[id]) {
      if (!kind_of.count(before)) {
        graph_clear = false;  // a phase nothing is paid for: the person adds or drops it
        continue;
      }
      if (kind_of[before] != kind) graph_clear = false;
      if (std::find(deps.begin(), deps.end(), before) == deps.end()) deps.push_back(before);
    }
    m["depends_on"] = deps;
    if (facts.days.count(id)) m["duration_days"] = facts.days[id];
  }
  if (!kind_of.empty() && facts.first != std::string::npos) {
    first = std::min(first, facts.first);
    last = std::max(last, facts.last);
  }
  // Milestones that add up to the whole fee, each with an event billing can read, are surely
  // read right; others need a person (an event naming signing in another sense, or two events).
  out["milestones"] =
      term(list, total == 10000 && clear && graph_clear ? 0.85 : 0.5, t, first, last);
}

void sla(const std::string& t, const std::string& l, Terms& out) {
  static const std::regex uptime(
      R"((\d{2}(?:\.\d{1,3})?)\s*%\s*(?:\([^)]*\)\s*)?(?:of\s+the\s+time\s+)?(?:monthly\s+|per\s+month\s+)?(?:uptime|availability|available))",
      std::regex::icase);
  static const std::regex uptime_after(
      R"((?:uptime|availability)[^.%]{0,60}?(\d{2}(?:\.\d{1,3})?)\s*%)", std::regex::icase);
  static const std::regex response(
      R"((?:priority|severity|p|sev)\s*[- ]?(\d)\b[^.\n]{0,100}?within\s+(?:[a-z-]+\s*\(\s*)?(\d{1,3})\s*\)?\s*(minutes?|hours?|business\s+days?|days?))",
      std::regex::icase);
  static const std::regex credit(
      R"((?:below|less\s+than|under|falls\s+below)\s+(\d{2}(?:\.\d{1,3})?)\s*%[^.;\n]{0,120}?(\d{1,3})\s*%)",
      std::regex::icase);
  json v = json::object();
  std::size_t first = std::string::npos, last = 0;
  auto note = [&](std::size_t s, std::size_t e) {
    first = std::min(first, s);
    last = std::max(last, e);
  };
  for (const char* cue : {"uptime", "availability"}) {
    for (auto p : hits(l, cue)) {
      if (v.contains("uptime_percent")) break;
      auto [s, e] = sentence(t, p, 300);
      std::string sent = t.substr(s, e - s);
      std::smatch m;
      if (std::regex_search(sent, m, uptime) || std::regex_search(sent, m, uptime_after)) {
        v["uptime_percent"] = m[1].str();
        v["measured"] = lower(sent).find("quarter") != std::string::npos ? "quarter" : "month";
        note(s, e);
      }
    }
  }
  json responses = json::array();
  for (const char* cue : {"priority", "severity"}) {
    for (auto p : hits(l, cue)) {
      auto [s, e] = sentence(t, p, 300);
      std::string sent = t.substr(s, e - s);
      for (auto it = std::sregex_iterator(sent.begin(), sent.end(), response);
           it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        int prio = std::stoi(m[1]);
        bool seen = false;
        for (const auto& r : responses) seen = seen || r["priority"] == prio;
        if (seen) continue;
        std::string unit = lower(m[3]);
        std::string code = unit.find("minute") != std::string::npos     ? "minutes"
                           : unit.find("hour") != std::string::npos     ? "hours"
                           : unit.find("business") != std::string::npos ? "business_days"
                                                                        : "days";
        responses.push_back(
            {{"priority", prio}, {"within", {{"value", std::stoi(m[2])}, {"unit", code}}}});
        note(s, e);
      }
    }
  }
  if (!responses.empty()) v["response_times"] = responses;
  json credits = json::array();
  for (auto p : hits(l, "credit")) {
    auto [s, e] = sentence(t, p, 400);
    std::string sent = t.substr(s, e - s);
    for (auto it = std::sregex_iterator(sent.begin(), sent.end(), credit);
         it != std::sregex_iterator(); ++it) {
      auto pct = basis_points((*it)[2]);
      if (!pct) continue;
      bool seen = false;
      for (const auto& c : credits) seen = seen || c["below_percent"] == (*it)[1].str();
      if (seen) continue;
      credits.push_back({{"below_percent", (*it)[1].str()}, {"credit_basis_points", *pct}});
      note(s, e);
    }
  }
  if (!credits.empty()) v["service_credits"] = credits;
  if (v.empty()) return;
  double c = v.contains("uptime_percent") && v.contains("service_credits") ? 0.85 : 0.6;
  out["sla"] = term(v, c, t, first, last);
}

}  // namespace

void commercial_terms(const std::string& t, const std::string& l, Terms& out) {
  payment_terms(t, l, out);
  fees(t, l, out);
  billing_frequency(t, l, out);
  milestones(t, l, out);
  sla(t, l, out);
}

}  // namespace covenant::activities::extract::text
