// RuleExtractor: deterministic term extraction. Each field is found in two steps: cheap
// keyword search over the lower-cased text ("governed by", "renew", "dated"), then a regular
// expression over a short window around each hit, so the expressions never scan a whole
// contract. Confidence reflects how specific the matching pattern was.
#include "activities/dates.hpp"
#include "activities/extract/extractor.hpp"
#include "activities/extract/text_util.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <regex>
#include <vector>

namespace covenant::activities::extract {

namespace {

using nlohmann::json;

using text::hits;
using text::lower;
using text::sentence;
using text::term;

// ---- numbers and durations ----

std::optional<int> number_word(const std::string& w) {
  static const std::array<std::pair<const char*, int>, 22> words = {
      {{"one", 1},      {"two", 2},
       {"three", 3},    {"four", 4},
       {"five", 5},     {"six", 6},
       {"seven", 7},    {"eight", 8},
       {"nine", 9},     {"ten", 10},
       {"eleven", 11},  {"twelve", 12},
       {"fifteen", 15}, {"twenty", 20},
       {"thirty", 30},  {"forty-five", 45},
       {"forty", 40},   {"sixty", 60},
       {"ninety", 90},  {"a", 1},
       {"an", 1},       {"one hundred twenty", 120}}};
  std::string l = lower(w);
  if (!l.empty() &&
      std::all_of(l.begin(), l.end(), [](unsigned char c) { return std::isdigit(c); }))
    return l.size() < 5 ? std::optional<int>(std::stoi(l)) : std::nullopt;
  for (const auto& [k, v] : words)
    if (l == k) return v;
  return std::nullopt;
}

json duration(int value, const std::string& unit_word) {
  std::string u = lower(unit_word);
  char code = u.rfind("year", 0) == 0    ? 'Y'
              : u.rfind("month", 0) == 0 ? 'M'
              : u.rfind("week", 0) == 0  ? 'W'
                                         : 'D';
  std::string unit = code == 'Y' ? "year" : code == 'M' ? "month" : code == 'W' ? "week" : "day";
  if (value != 1) unit += "s";
  return {{"value", value}, {"unit", unit}, {"iso8601", "P" + std::to_string(value) + code}};
}

// "thirty (30) days", "30 days", "sixty days", "one (1) year", "12 months", "1-year"
const std::string kAmount =
    R"(((?:one hundred twenty|forty-five|[a-z]+|\d{1,3}))\s*(?:\(\s*(\d{1,3})\s*\)\s*)?[- ]?(days?|months?|years?|weeks?)\b)";

std::optional<std::pair<int, std::string>> amount(const std::smatch& m, int first) {
  std::optional<int> v;
  if (m[first + 1].matched) v = std::stoi(m[first + 1]);
  if (!v) v = number_word(m[first]);
  if (!v || *v <= 0) return std::nullopt;
  return std::make_pair(*v, m[first + 2].str());
}

// ---- dates ----

int month_of(const std::string& name) {
  static const std::array<const char*, 12> months = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  std::string l = lower(name);
  for (int i = 0; i < 12; ++i)
    if (l.rfind(std::string(months[static_cast<std::size_t>(i)]).substr(0, 3), 0) == 0 &&
        l.size() >= 3)
      return i + 1;
  return 0;
}

struct FoundDate {
  std::string iso;
  std::size_t start, end;
};

std::optional<FoundDate> find_date(const std::string& t, std::size_t from, std::size_t to) {
  static const std::string month =
      "(January|February|March|April|May|June|July|August|September|October|November|December|"
      "Jan\\.?|Feb\\.?|Mar\\.?|Apr\\.?|Jun\\.?|Jul\\.?|Aug\\.?|Sept?\\.?|Oct\\.?|Nov\\.?|Dec\\.?)";
  static const std::regex mdy(month + R"(\s+(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(\d{4}))",
                              std::regex::icase);
  static const std::regex dmy(R"((\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?)" + month +
                                  R"(\s*,?\s*(?:in\s+the\s+year\s+)?(\d{4}))",
                              std::regex::icase);
  static const std::regex numeric(R"(\b(\d{1,2})/(\d{1,2})/(\d{4})\b)");
  to = std::min(to, t.size());
  if (from >= to) return std::nullopt;
  std::string w = t.substr(from, to - from);
  std::optional<FoundDate> best;
  auto keep = [&](int y, int m, int d, std::size_t pos, std::size_t len) {
    if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2100) return;
    if (best && best->start <= from + pos) return;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    best = FoundDate{buf, from + pos, from + pos + len};
  };
  std::smatch m;
  if (std::regex_search(w, m, mdy))
    keep(std::stoi(m[3]), month_of(m[1]), std::stoi(m[2]), static_cast<std::size_t>(m.position(0)),
         static_cast<std::size_t>(m.length(0)));
  if (std::regex_search(w, m, dmy))
    keep(std::stoi(m[3]), month_of(m[2]), std::stoi(m[1]), static_cast<std::size_t>(m.position(0)),
         static_cast<std::size_t>(m.length(0)));
  if (std::regex_search(w, m, numeric))
    keep(std::stoi(m[3]), std::stoi(m[1]), std::stoi(m[2]), static_cast<std::size_t>(m.position(0)),
         static_cast<std::size_t>(m.length(0)));
  return best;
}

void dates(const std::string& t, const std::string& l, Terms& out) {
  // The agreement date: the first date in the preamble, surer when "dated", "made" or "as of"
  // comes just before it.
  std::size_t preamble = std::min<std::size_t>(l.size(), 6000);
  double confidence = 0.55;
  std::optional<FoundDate> d;
  for (const char* cue : {"dated", "made and entered", "entered into", "made as of", "as of",
                          "made on", "made this"}) {
    for (auto p : hits(l, cue, preamble)) {
      auto found = find_date(t, p, p + 120);
      if (found && (!d || found->start < d->start)) {
        d = found;
        confidence = 0.85;
      }
    }
  }
  if (!d) d = find_date(t, 0, preamble);
  if (d) out["agreement_date"] = term(d->iso, confidence, t, d->start, d->end);
  // The effective date: a date shortly after "effective".
  for (auto p : hits(l, "effective")) {
    auto found = find_date(t, p, p + 160);
    if (found) {
      out["effective_date"] = term(found->iso, 0.75, t, found->start, found->end);
      return;
    }
  }
}

// ---- governing law ----

struct Place {
  const char* name;
  const char* jurisdiction;  // nullptr: a country's own law
  const char* country;
};

const std::vector<Place>& places() {
  static const std::vector<Place> all = [] {
    std::vector<Place> v;
    for (const char* s : {"Alabama",        "Alaska",         "Arizona",
                          "Arkansas",       "California",     "Colorado",
                          "Connecticut",    "Delaware",       "District of Columbia",
                          "Florida",        "Georgia",        "Hawaii",
                          "Idaho",          "Illinois",       "Indiana",
                          "Iowa",           "Kansas",         "Kentucky",
                          "Louisiana",      "Maine",          "Maryland",
                          "Massachusetts",  "Michigan",       "Minnesota",
                          "Mississippi",    "Missouri",       "Montana",
                          "Nebraska",       "Nevada",         "New Hampshire",
                          "New Jersey",     "New Mexico",     "New York",
                          "North Carolina", "North Dakota",   "Ohio",
                          "Oklahoma",       "Oregon",         "Pennsylvania",
                          "Rhode Island",   "South Carolina", "South Dakota",
                          "Tennessee",      "Texas",          "Utah",
                          "Vermont",        "Virginia",       "Washington",
                          "West Virginia",  "Wisconsin",      "Wyoming"})
      v.push_back({s, s, "United States"});
    for (const char* s : {"Ontario", "Quebec", "British Columbia", "Alberta"})
      v.push_back({s, s, "Canada"});
    for (const char* s : {"England",
                          "Federal Republic of Germany",
                          "Germany",
                          "Hong Kong",
                          "India",
                          "Netherlands",
                          "People's Republic of China",
                          "People’s Republic of China",
                          "Switzerland",
                          "Singapore",
                          "Japan",
                          "France",
                          "Israel",
                          "Ireland",
                          "Sweden",
                          "Italy",
                          "Spain",
                          "Brazil",
                          "Australia",
                          "Korea",
                          "Taiwan",
                          "Luxembourg",
                          "Scotland"})
      v.push_back({s, nullptr, s});
    return v;
  }();
  return all;
}

void governing_law(const std::string& t, const std::string& l, Terms& out) {
  std::vector<std::size_t> anchors;
  for (const char* cue :
       {"governed by", "governing law", "construed in accordance with", "construed under",
        "interpreted in accordance with", "subject to the laws of"})
    for (auto p : hits(l, cue)) anchors.push_back(p);
  std::sort(anchors.begin(), anchors.end());
  for (auto a : anchors) {
    std::size_t end = std::min(l.size(), a + 400);
    auto laws = l.find("laws of", a);
    if (laws == std::string::npos || laws >= end) laws = l.find("law of", a);
    if (laws == std::string::npos || laws >= end) continue;
    // The longest known place name starting within 60 bytes after "laws of".
    const Place* best = nullptr;
    std::size_t at = 0;
    for (const auto& p : places()) {
      std::string name = lower(p.name);
      auto f = l.find(name, laws);
      if (f == std::string::npos || f > laws + 60) continue;
      bool word_end = f + name.size() >= l.size() ||
                      !std::isalpha(static_cast<unsigned char>(l[f + name.size()]));
      if (!word_end) continue;
      if (!best || f < at || (f == at && name.size() > std::string(best->name).size())) {
        best = &p;
        at = f;
      }
    }
    if (!best) continue;
    json v = {{"jurisdiction", best->jurisdiction ? json(best->jurisdiction) : json()},
              {"country", best->country}};
    // "People’s Republic of China" (curly apostrophe) is the same country.
    if (std::string(best->country).find("’") != std::string::npos)
      v["country"] = "People's Republic of China";
    auto [s, e] = sentence(t, laws);
    out["governing_law"] = term(v, l.compare(a, 11, "governed by") == 0 ? 0.9 : 0.75, t, s, e);
    return;
  }
}

// ---- renewal ----

void renewal(const std::string& t, const std::string& l, Terms& out) {
  static const std::regex renew_term(
      R"((?:renew(?:ed|s|al)?|extend(?:ed|s)?)\b[^.]{0,160}?\b(?:for\s+)?(?:an?\s+)?((?:successive|additional|further|consecutive|subsequent|like)\s+)?(?:(?:successive|additional|further|consecutive|subsequent|renewal)\s+)?)" +
          kAmount + R"(\s*(?:renewal\s+)?(?:terms?|periods?)?)",
      std::regex::icase);
  static const std::regex notice(
      kAmount + R"(['’]?\s*(?:prior\s+|advance\s+)?(?:written\s+)?(?:notice|prior written notice))",
      std::regex::icase);
  static const std::regex notice_before(
      R"(notice[^.]{0,80}?(?:at\s+least|no\s+(?:later|less)\s+than|not\s+less\s+than|a\s+minimum\s+of)\s+)" +
          kAmount + R"(\s+(?:prior|before))",
      std::regex::icase);
  bool found_term = false, found_notice = false;
  for (auto p : hits(l, "renew")) {
    auto [s, e] = sentence(t, p);
    std::string sent = t.substr(s, e - s);
    std::smatch m;
    if (!found_term && std::regex_search(sent, m, renew_term)) {
      if (auto a = amount(m, 2)) {
        json v = duration(a->first, a->second);
        std::string lsent = lower(sent);
        v["successive"] = m[1].matched || lsent.find("successive") != std::string::npos ||
                          lsent.find("each year") != std::string::npos;
        double c = lsent.find("automatic") != std::string::npos ? 0.8 : 0.6;
        std::size_t at = s + static_cast<std::size_t>(m.position(0));
        out["renewal_term"] = term(v, c, t, at, at + static_cast<std::size_t>(m.length(0)));
        bool automatic = lsent.find("automatic") != std::string::npos ||
                         lsent.find("unless") != std::string::npos;
        out["auto_renewal"] = term(automatic, automatic ? 0.8 : 0.5, t, s, e);
        found_term = true;
      }
    }
    if (!found_notice &&
        (std::regex_search(sent, m, notice) || std::regex_search(sent, m, notice_before))) {
      if (auto a = amount(m, 1)) {
        std::string unit = lower(a->second);
        if (unit.rfind("year", 0) != 0) {  // a notice period in years is almost always a term
          std::size_t at = s + static_cast<std::size_t>(m.position(0));
          out["notice_period_to_terminate_renewal"] =
              term(duration(a->first, a->second), 0.7, t, at,
                   at + static_cast<std::size_t>(m.length(0)));
          found_notice = true;
        }
      }
    }
    if (found_term && found_notice) return;
  }
}

// ---- term and expiration ----

// The initial term: an explicit end date ("shall expire on", "until", "Expiration Date:"), a
// length ("for a period of three (3) years", "the fifth anniversary of"), or no end ("until
// terminated"). expiration_date is the end date, the effective date plus the length, or
// "perpetual".
void term_and_expiration(const std::string& t, const std::string& l, Terms& out) {
  static const std::regex length(
      R"((?:term|period|remain|continue|be\s+in\s+effect|in\s+force|in\s+effect)[^.]{0,120}?\b(?:of|for|be)\s+(?:an?\s+(?:initial\s+)?(?:period|term)\s+of\s+)?(?:at\s+least\s+)?)" +
          kAmount,
      std::regex::icase);
  static const std::regex year_term(kAmount + R"(\s+(?:initial\s+)?term\b)", std::regex::icase);
  static const std::regex anniversary(
      R"(\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\w+-year|(\d+)(?:st|nd|rd|th))\s+anniversary)",
      std::regex::icase);
  static const std::regex end_cue(
      R"((?:expire|expiring|terminate|terminating|ending|end|until|through|expiration\s+date|termination\s+date)\b\s*(?:on|at)?\s*:?\s*(?:the\s+)?)",
      std::regex::icase);
  static const std::regex open_ended(
      R"(indefinitely|in\s+perpetuity|perpetual|(?:continue|remain)[^.]{0,60}\buntil\s+(?:terminated|such\s+time|either\s+party\s+terminates))",
      std::regex::icase);
  std::vector<std::size_t> anchors;
  for (const char* cue :
       {"term of this agreement", "initial term", "this agreement shall commence",
        "shall continue in", "shall remain in", "expiration date", "termination date",
        "shall expire", "will expire", "agreement shall continue", "agreement will continue",
        "shall be in effect", "shall be effective until", "shall remain in effect",
        "shall continue for", "term of"})
    for (auto p : hits(l, cue)) anchors.push_back(p);
  std::sort(anchors.begin(), anchors.end());
  anchors.erase(std::unique(anchors.begin(), anchors.end()), anchors.end());
  // The term runs from the effective date, or from the agreement's date when none is named.
  const Term* eff = out.count("effective_date")   ? &out.at("effective_date")
                    : out.count("agreement_date") ? &out.at("agreement_date")
                                                  : nullptr;
  for (auto a : anchors) {
    auto [s, e] = sentence(t, a);
    std::string sent = t.substr(s, e - s);
    std::smatch m;
    // An end date after an end cue.
    for (auto it = std::sregex_iterator(sent.begin(), sent.end(), end_cue);
         it != std::sregex_iterator(); ++it) {
      std::size_t from = s + static_cast<std::size_t>(it->position(0) + it->length(0));
      auto d = find_date(t, from, std::min(from + 40, e));
      if (d && d->start <= from + 4) {
        out["expiration_date"] = term(d->iso, 0.8, t, s, e);
        return;
      }
    }
    std::optional<std::pair<int, std::string>> len;
    std::size_t at = 0, len_end = 0;
    if (std::regex_search(sent, m, anniversary)) {
      static const std::array<const char*, 10> ord = {"first", "second", "third",   "fourth",
                                                      "fifth", "sixth",  "seventh", "eighth",
                                                      "ninth", "tenth"};
      std::string w = lower(m[1]);
      int n = 0;
      for (std::size_t i = 0; i < ord.size(); ++i)
        if (w == ord[i]) n = static_cast<int>(i) + 1;
      if (m[2].matched) n = std::stoi(m[2]);
      if (n == 0 && w.size() > 5) n = number_word(w.substr(0, w.size() - 5)).value_or(0);
      if (n > 0) len = std::make_pair(n, std::string("years"));
      at = s + static_cast<std::size_t>(m.position(0));
      len_end = at + static_cast<std::size_t>(m.length(0));
    }
    if (!len && (std::regex_search(sent, m, length) || std::regex_search(sent, m, year_term))) {
      len = amount(m, 1);
      at = s + static_cast<std::size_t>(m.position(0));
      len_end = at + static_cast<std::size_t>(m.length(0));
    }
    if (len && lower(len->second).rfind("day", 0) != 0) {
      json v = duration(len->first, len->second);
      out["term"] = term(v, 0.75, t, at, len_end);
      if (eff) {
        auto start = dates::parse(eff->value.get<std::string>());
        if (start)
          if (auto end = dates::add(*start, len->first, lower(len->second)))
            out["expiration_date"] =
                term(dates::iso(*end), out.count("effective_date") ? 0.7 : 0.55, t, s, e);
      }
      return;
    }
    if (std::regex_search(sent, m, open_ended)) {
      out["expiration_date"] = term("perpetual", 0.6, t, s, e);
      return;
    }
  }
}

// ---- parties ----

std::string trim(std::string s) {
  const char* ws = " \t\r\n,;:";
  s.erase(0, s.find_first_not_of(ws));
  auto e = s.find_last_not_of(ws);
  s.erase(e == std::string::npos ? 0 : e + 1);
  return s;
}

// A party's name from the words before its alias: up to the descriptor (", a Delaware
// corporation", ", with offices at"), without a leading "and" or "by and between".
std::string party_name(std::string seg) {
  seg = std::regex_replace(seg, std::regex(R"(\s+)"), " ");
  static const std::regex lead(R"(^\s*(?:,|;|and\b|by and between\b|between\b|among\b|\)|\.)+\s*)",
                               std::regex::icase);
  for (int i = 0; i < 3; ++i) seg = std::regex_replace(seg, lead, "");
  static const std::regex descriptor(
      R"(,?\s+(?:a|an)\s+(?:[A-Z][a-z]+\s+)*(?:corporation|company|limited|partnership|organization|entity|bank|trust|association|societe|corp\b)|,\s+(?:with|having|whose|located|organized|incorporated|existing|duly)\b|\s+\((?:hereinafter|herein)|,\s+(?:hereinafter|herein))",
      std::regex::icase);
  std::smatch m;
  if (std::regex_search(seg, m, descriptor))
    seg = seg.substr(0, static_cast<std::size_t>(m.position(0)));
  return trim(seg);
}

void parties(const std::string& t, const std::string& l, Terms& out) {
  std::size_t limit = std::min<std::size_t>(l.size(), 8000);
  std::size_t at = std::string::npos;
  for (const char* cue : {"by and between", "by and among", "between"}) {
    auto p = l.find(cue);
    if (p != std::string::npos && p < limit && (at == std::string::npos || p < at))
      at = p + std::string(cue).size();
  }
  if (at == std::string::npos) return;
  std::size_t end = std::min(l.size(), at + 1200);
  for (const char* stop : {"whereas", "recitals", "witnesseth", "now, therefore", "background"}) {
    auto p = l.find(stop, at);
    if (p != std::string::npos && p < end) end = p;
  }
  std::string w = t.substr(at, end - at);
  static const std::regex alias(
      R"re(\((?:(?!\)|"|“).){0,80}?(?:"|“)((?:(?!"|”).){1,60})(?:"|”)(?:(?!\().){0,80}?\))re");
  json list = json::array();
  std::size_t prev = 0;
  for (auto it = std::sregex_iterator(w.begin(), w.end(), alias); it != std::sregex_iterator();
       ++it) {
    const auto& m = *it;
    std::string name = party_name(w.substr(prev, static_cast<std::size_t>(m.position(0)) - prev));
    prev = static_cast<std::size_t>(m.position(0) + m.length(0));
    std::string a = m[1];
    if (name.empty() || name.size() > 160) continue;
    std::string la = lower(a);
    if (la == "agreement" || la == "parties" || la == "party" || la == "effective date") continue;
    list.push_back({{"name", name}, {"aliases", json::array({a})}});
    if (list.size() == 4) break;
  }
  if (list.size() < 2) {
    // "between Acme Corp. and Globex GmbH." with no aliases.
    static const std::regex two(R"(^\s*(.{3,160}?)\s+and\s+(.{3,160}?)(?:[.;(]|,\s|$))");
    std::smatch m;
    std::string head = w.substr(0, std::min<std::size_t>(w.size(), 400));
    if (!std::regex_search(head, m, two)) return;
    list = json::array({{{"name", party_name(m[1])}, {"aliases", json::array()}},
                        {{"name", party_name(m[2])}, {"aliases", json::array()}}});
  }
  out["parties"] = term(list, list.size() >= 2 ? 0.7 : 0.4, t, at, end);
}

}  // namespace

Terms RuleExtractor::extract(const std::string& text) const {
  Terms out;
  std::string l = lower(text);
  dates(text, l, out);
  parties(text, l, out);
  governing_law(text, l, out);
  renewal(text, l, out);
  term_and_expiration(text, l, out);
  text::commercial_terms(text, l, out);
  return out;
}

nlohmann::json to_json(const Terms& terms) {
  json out = json::object();
  for (const auto& [field, t] : terms) {
    out[field] = {
        {"value", t.value},
        {"confidence", t.confidence},
        {"evidence",
         {{"start", t.evidence.start}, {"end", t.evidence.end}, {"text", t.evidence.text}}}};
    if (!t.source.empty()) out[field]["source"] = t.source;
    if (!t.alternative.is_null()) out[field]["alternative"] = t.alternative;
  }
  return out;
}

}  // namespace covenant::activities::extract
