// The obligations a contract's text puts on a party, beyond its price: deliverables, reports,
// certificates and audits, each with who owes it, when (a date, or a time relative to an event,
// or a recurring period), what accepts it, and the sentence that says so. Payment milestones and
// renewal windows come from the terms themselves (activities/resolve/obligations.cpp builds the
// register from the reviewed terms); here is only what no other term carries.
//
// Each sentence is read on its own: a cue word (report, certificate, audit, deliver), a verb of
// obligation (shall, will, must, agrees to), the subject before it as the owner, and the time
// words after. What cannot be read whole — no owner among the parties, no time, business days —
// gets a confidence under the review line, so a person completes it.
#include "activities/extract/text_util.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <regex>
#include <set>

namespace covenant::activities::extract::text {

using nlohmann::json;

namespace {

constexpr double kClear = 0.85;       // owner among the parties, time read
constexpr double kOwnerNamed = 0.75;  // owner a defined term the parties do not list
constexpr double kUnclear = 0.55;     // no owner, or no time: a person says

struct Owner {
  json who;            // a party's name, "each party", or null
  bool known = false;  // one of the parties (or each of them)
};

// The party names and aliases, lower case, to the party's name.
std::map<std::string, std::string> party_words(const Terms& terms) {
  std::map<std::string, std::string> out;
  auto p = terms.find("parties");
  if (p == terms.end() || !p->second.value.is_array()) return out;
  for (const auto& party : p->second.value) {
    if (!party.is_object() || !party.contains("name") || !party["name"].is_string()) continue;
    std::string name = party["name"];
    out[lower(name)] = name;
    for (const auto& a : party.value("aliases", json::array()))
      if (a.is_string()) out[lower(a.get<std::string>())] = name;
  }
  return out;
}

// Who the clause before the verb at `verb` binds: the words between the clause's start and the
// verb, matched against the parties; "each party" binds both.
Owner owner_of(const std::string& sent, std::size_t verb,
               const std::map<std::string, std::string>& parties) {
  std::size_t from = sent.find_last_of(";:", verb);
  from = from == std::string::npos ? 0 : from + 1;
  std::string lead = lower(sent.substr(from, verb - from));
  static const std::regex each(R"(\b(each|either|both)\s+part(y|ies)\s*$)");
  if (std::regex_search(lead, each)) return {"each party", true};
  // The longest party word that ends the lead ("the Supplier", "Acme Corp.").
  std::string trimmed = lead;
  while (!trimmed.empty() &&
         (std::isspace(static_cast<unsigned char>(trimmed.back())) || trimmed.back() == ','))
    trimmed.pop_back();
  const std::string* best = nullptr;
  std::size_t best_len = 0;
  for (const auto& [word, name] : parties)
    if (word.size() > best_len && trimmed.size() >= word.size() &&
        trimmed.compare(trimmed.size() - word.size(), word.size(), word) == 0 &&
        (trimmed.size() == word.size() ||
         !std::isalnum(static_cast<unsigned char>(trimmed[trimmed.size() - word.size() - 1])))) {
      best = &name;
      best_len = word.size();
    }
  if (best) return {*best, true};
  // A defined term the parties do not list ("Licensee"): named, for a person to place.
  std::string raw = sent.substr(from, verb - from);
  static const std::regex defined(R"(\b([A-Z][A-Za-z]{2,30})\s*$)");
  std::smatch m;
  if (std::regex_search(raw, m, defined)) {
    static const std::set<std::string> not_a_party = {
        "It", "They", "This", "Such", "Which", "That", "Agreement", "Section", "He"};
    if (!not_a_party.count(m[1])) return {m[1].str(), false};
  }
  return {nullptr, false};
}

// Of two parties, the one `owner` is not; else nobody known.
Owner other_party(const Owner& owner, const Terms& terms) {
  auto p = terms.find("parties");
  if (!owner.known || owner.who == "each party" || p == terms.end() ||
      !p->second.value.is_array() || p->second.value.size() != 2)
    return {nullptr, false};
  for (const auto& party : p->second.value)
    if (party.value("name", "") != owner.who) return {party["name"], true};
  return {nullptr, false};
}

// When: "within thirty (30) days after the end of each calendar quarter", "within 10 days of
// the Effective Date", "upon request", "quarterly", "no later than March 1, 2027".
struct Due {
  json value;  // {date, event, after, before, every}
  bool read = false;
  bool business_days = false;
};

std::string every_of(const std::string& w) {
  if (w.find("month") != std::string::npos) return "month";
  if (w.find("semi") != std::string::npos || w.find("half") != std::string::npos)
    return "half_year";
  if (w.find("quarter") != std::string::npos) return "quarter";
  if (w.find("year") != std::string::npos || w.find("annual") != std::string::npos) return "year";
  return "";
}

// The event a clause counts from, as the register names it: a term's date where it is one.
std::string event_of(const std::string& phrase) {
  std::string p = lower(phrase);
  static const std::regex spaces(R"(\s+)");
  p = std::regex_replace(p, spaces, " ");
  while (!p.empty() && (p.back() == ' ' || p.back() == ',')) p.pop_back();
  if (p.find("effective date") != std::string::npos) return "effective_date";
  if (p.find("expiration") != std::string::npos || p.find("expiry") != std::string::npos)
    return "expiration_date";
  // Not the expiration date: a contract may be terminated early.
  if (p.find("termination") != std::string::npos) return "termination";
  if (p.find("request") != std::string::npos) return "request";
  for (const char* lead : {"the ", "its ", "such "})
    if (p.rfind(lead, 0) == 0) p = p.substr(std::string(lead).size());
  return p;
}

Due due_in(const std::string& sent) {
  static const std::regex within(
      R"(\b(?:within|no\s+later\s+than|not\s+later\s+than)\s+(?:[a-z-]+\s+)?\(?(\d{1,4})\)?\s+(calendar\s+|business\s+|working\s+)?(days?|months?)\s*(?:'s?\s+)?(after|of|following|from|prior\s+to|before)\s+([^,.;()]{3,80}))",
      std::regex::icase);
  static const std::regex period(
      R"(\b(monthly|quarterly|semi-annually|semi-annual|annually|annual|yearly|each\s+(?:calendar\s+)?(?:month|quarter|year)|every\s+(?:calendar\s+)?(?:month|quarter|year))\b)",
      std::regex::icase);
  static const std::regex request(
      R"(\b(?:upon|on|after|with)\s+(?:\w+\s+){0,3}(?:request|notice)\b|\bat\s+(?:any\s+)?reasonable\s+times?\b)",
      std::regex::icase);
  static const std::regex notice(
      R"(\b(?:upon|on|with|after)\s+(?:at\s+least\s+)?(?:[a-z-]+\s+)?\(?(\d{1,3})\)?\s+(calendar\s+|business\s+|working\s+)?days?\s*['’]?\s*(?:prior\s+)?(?:written\s+)?notice)",
      std::regex::icase);
  Due d;
  d.value = json::object();
  std::smatch m;
  if (std::regex_search(sent, m, within)) {
    std::string unit = lower(m[3]);
    if (unit.back() != 's') unit += 's';
    std::string rel = lower(m[4]);
    bool before = rel.find("prior") != std::string::npos || rel == "before";
    std::string what = m[5];
    std::string every = every_of(lower(what));
    if (!every.empty() && lower(what).find("end of") != std::string::npos) {
      d.value["every"] = every;
      d.value["event"] = "end of each " + every;
    } else {
      d.value["event"] = event_of(what);
    }
    d.value[before ? "before" : "after"] = {{"value", std::stoi(m[1])}, {"unit", unit}};
    d.business_days = m[2].matched && lower(m[2]).find("calendar") == std::string::npos;
    d.read = true;
  } else if (std::regex_search(sent, m, notice)) {
    d.value["event"] = "request";
    d.value["after"] = {{"value", std::stoi(m[1])}, {"unit", "days"}};
    d.business_days = m[2].matched && lower(m[2]).find("calendar") == std::string::npos;
    d.read = true;
  } else if (std::regex_search(sent, request)) {
    d.value["event"] = "request";
    d.read = true;
  }
  if (std::smatch p; std::regex_search(sent, p, period) && !d.value.contains("every")) {
    d.value["every"] = every_of(lower(p[1]));
    d.read = true;
  }
  return d;
}

struct Cue {
  const char* kind;
  std::regex sentence;  // the sentence is this kind's (lower case)
  const char* description;
};

const std::vector<Cue>& cues() {
  static const std::vector<Cue> c = {
      {"certificate",
       std::regex(
           R"(\b(?:provide|deliver|furnish|submit|send)\b[^.]{0,120}\bcertificates?\s+of\s+(insurance|compliance|conformance|analysis|origin))"),
       "Certificate of "},
      {"report",
       std::regex(
           R"(\b(?:provide|deliver|furnish|submit|send|render|prepare)\b[^.]{0,120}?\b((?:[a-z]+\s+){0,3}reports?)\b)"),
       ""},
      {"audit",
       std::regex(
           R"(\b(?:audit|inspect|examine)\b[^.]{0,200}\b(?:books|records|accounts)\b|\b(?:books|records|accounts)\b[^.]{0,200}\b(?:audit|inspect|examin)\w*)"),
       "Keep records and allow their audit"},
      {"deliverable",
       std::regex(
           R"(\b(?:deliver|complete|provide)\s+(?:to\s+\w+\s+)?(?:the\s+|all\s+|each\s+)?((?:[a-z-]+\s+){0,3}(?:deliverables?|documentation|software|reports?|plan|design|prototype|samples?))\b)"),
       ""},
  };
  return c;
}

}  // namespace

void obligations(const std::string& t, const std::string& l, Terms& out) {
  static const std::regex verb(R"(\b(shall|will|must|may|agrees?\s+to|is\s+required\s+to)\b)");
  auto parties = party_words(out);
  json list = json::array();
  std::size_t first = std::string::npos, last = 0;
  double least = 1.0;
  std::set<std::pair<std::size_t, std::string>> seen;  // (sentence start, kind)
  for (const char* word : {"report", "certificate", "audit", "deliver", "complete", "provide"})
    for (auto p : hits(l, word)) {
      auto [s, e] = sentence(t, p, 600);
      while (s < e && std::isspace(static_cast<unsigned char>(t[s]))) ++s;
      std::string ls = l.substr(s, e - s);
      std::smatch v;
      if (!std::regex_search(ls, v, verb)) continue;
      for (const auto& cue : cues()) {
        std::smatch m;
        if (!std::regex_search(ls, m, cue.sentence)) continue;
        if (!seen.insert({s, cue.kind}).second) break;
        if (v[1] == "may" && std::string(cue.kind) != "audit") break;  // a right, not a duty
        std::string sent = t.substr(s, e - s);
        std::string kind = cue.kind;
        Owner owner = owner_of(sent, static_cast<std::size_t>(v.position(0)), parties);
        // "X may audit", "X shall have the right to inspect": X is the auditor; the records
        // are the other party's (of two), or a person says whose.
        static const std::regex auditor(
            R"(^(?:may|(?:shall|will)\s+(?:have\s+the\s+right|be\s+entitled)\s+to)\s+(?:\w+\s+){0,3}(?:audit|inspect|examine))");
        if (kind == "audit" &&
            std::regex_search(ls.substr(static_cast<std::size_t>(v.position(0))), auditor))
          owner = other_party(owner, out);
        Due due = due_in(sent);
        if (kind == "audit" && !due.read) {  // an audit is the auditor's to call: upon request
          due.value["event"] = "request";
          due.read = true;
        }
        std::string description = cue.description;
        if (kind == "certificate") description += m[1].str();
        if (kind == "report" || kind == "deliverable") {
          std::string what = m[1];
          while (!what.empty() && what.back() == ' ') what.pop_back();
          for (const char* article : {"the ", "a ", "an ", "all ", "each "})
            if (what.rfind(article, 0) == 0) what = what.substr(std::string(article).size());
          description = "Deliver " + what;
        }
        if (kind == "report" && !due.value.contains("every") && !due.read) continue;  // a mention
        double confidence = kClear;
        if (!owner.known) confidence = owner.who.is_null() ? kUnclear : kOwnerNamed;
        if (!due.read || due.business_days) confidence = std::min(confidence, kUnclear);
        json acceptance = nullptr;
        static const std::regex accepted(
            R"(\b(?:subject\s+to|upon)\s+(?:[\w'’]+\s+){0,3}(acceptance|approval)\b[^,.;]{0,80})");
        if (std::smatch a; std::regex_search(ls, a, accepted))
          acceptance = sent.substr(static_cast<std::size_t>(a.position(0)),
                                   static_cast<std::size_t>(a.length(0)));
        list.push_back({{"kind", kind},
                        {"description", description},
                        {"owner", owner.who},
                        {"due", due.read ? due.value : json(nullptr)},
                        {"acceptance", acceptance},
                        {"confidence", confidence},
                        {"evidence", {{"start", s}, {"end", e}}}});
        least = std::min(least, confidence);
        first = std::min(first, s);
        last = std::max(last, e);
        break;  // one obligation per sentence: the first cue that reads it
      }
      if (list.size() >= 50) break;
    }
  if (list.empty()) return;
  std::sort(list.begin(), list.end(), [](const json& a, const json& b) {
    return a["evidence"]["start"].get<std::size_t>() < b["evidence"]["start"].get<std::size_t>();
  });
  std::map<std::string, int> counts;  // ids in the order the text says them: "report-1", …
  for (auto& o : list)
    o["id"] = o["kind"].get<std::string>() + "-" + std::to_string(++counts[o["kind"]]);
  out["obligations"] = term(list, least, t, first, last);
}

}  // namespace covenant::activities::extract::text
