// RuleExtractor: deterministic term extraction. Each field is found in two steps: cheap
// keyword search over the lower-cased text ("governed by", "renew", "dated"), then a regular
// expression over a short window around each hit, so the expressions never scan a whole
// contract. Confidence reflects how specific the matching pattern was.
#include "activities/dates.hpp"
#include "activities/extract/calibration.hpp"
#include "activities/extract/extractor.hpp"
#include "activities/extract/text_util.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <optional>
#include <regex>
#include <string_view>
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
  bool numeric = false;  // "3/9/2027": the order of day and month is a convention
};

int year_of(const std::string& digits) {
  int y = std::stoi(digits);
  if (digits.size() == 2) y += y > 50 ? 1900 : 2000;
  return y;
}

// Every date in t[from, to), in order.
std::vector<FoundDate> find_dates(const std::string& t, std::size_t from, std::size_t to) {
  static const std::string month =
      "(January|February|March|April|May|June|July|August|September|October|November|December|"
      "Jan\\.?|Feb\\.?|Mar\\.?|Apr\\.?|Jun\\.?|Jul\\.?|Aug\\.?|Sept?\\.?|Oct\\.?|Nov\\.?|Dec\\.?)";
  static const std::regex mdy(month + R"(\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(\d{4}))",
                              std::regex::icase);
  static const std::regex dmy(R"((\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?)" + month +
                                  R"(\s*,?\s*(?:in\s+the\s+year\s+)?(\d{4}))",
                              std::regex::icase);
  static const std::regex numeric(R"(\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b)");
  std::vector<FoundDate> out;
  to = std::min(to, t.size());
  if (from >= to) return out;
  std::string w = t.substr(from, to - from);
  auto keep = [&](int y, int m, int d, const std::smatch& mm, bool num) {
    if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2100) return;
    if (!dates::parse([&] {
          char buf[16];
          std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
          return std::string(buf);
        }()))
      return;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    std::size_t pos = from + static_cast<std::size_t>(mm.position(0));
    out.push_back({buf, pos, pos + static_cast<std::size_t>(mm.length(0)), num});
  };
  for (auto it = std::sregex_iterator(w.begin(), w.end(), mdy); it != std::sregex_iterator(); ++it)
    keep(std::stoi((*it)[3]), month_of((*it)[1]), std::stoi((*it)[2]), *it, false);
  for (auto it = std::sregex_iterator(w.begin(), w.end(), dmy); it != std::sregex_iterator(); ++it)
    keep(std::stoi((*it)[3]), month_of((*it)[2]), std::stoi((*it)[1]), *it, false);
  for (auto it = std::sregex_iterator(w.begin(), w.end(), numeric); it != std::sregex_iterator();
       ++it) {
    int a = std::stoi((*it)[1]), b = std::stoi((*it)[2]);
    // Month first unless the first number cannot be a month ("18/9/2008").
    if (a > 12)
      keep(year_of((*it)[3]), b, a, *it, true);
    else
      keep(year_of((*it)[3]), a, b, *it, true);
  }
  std::sort(out.begin(), out.end(),
            [](const FoundDate& x, const FoundDate& y) { return x.start < y.start; });
  // Overlapping matches ("9 March 2027" inside another form) keep the first.
  std::vector<FoundDate> kept;
  for (auto& d : out)
    if (kept.empty() || d.start >= kept.back().end) kept.push_back(std::move(d));
  return kept;
}

std::optional<FoundDate> find_date(const std::string& t, std::size_t from, std::size_t to) {
  auto all = find_dates(t, from, to);
  if (all.empty()) return std::nullopt;
  return all.front();
}

// `l` with every parenthesised or quoted aside blanked (same length), so "(the "Agreement")"
// does not read as a reference to an agreement.
std::string without_asides(std::string w) {
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < w.size(); ++i) {
    char c = w[i];
    if (c == '(') ++depth;
    if (c == '"') quoted = !quoted;
    bool blank = depth > 0 || quoted || c == '"';
    if (c == ')' && depth > 0) --depth;
    if (blank) w[i] = ' ';
  }
  return w;
}

// Whether the date cue at `p` belongs to *another* agreement the text cites ("Amendment No. 2
// to the Supply Agreement dated June 1, 2009", "pursuant to that certain Purchase Agreement
// dated …"): the nearest agreement noun before the cue is introduced by "the", "that
// certain", "such" or "said", not "this".
// With `bare_the_is_own`, "the Agreement" alone (no name between) counts as this agreement,
// as it does in the body of most contracts; "the Web Site Services Agreement" still does not.
bool cites_other(const std::string& l, std::size_t p, bool bare_the_is_own = false) {
  // "This First Amendment to the Master Agreement dated March 9, 2027, between …, is made as
  // of June 1, 2028": the cue is the verb of a sentence whose subject is this document.
  static const std::regex predicate(R"(\b(?:is|is\s+hereby|shall\s+be)\s*$)");
  static const std::regex subject(
      R"(\bthis\s+(?:[a-z]+\s+){0,3}?(?:agreement|amendment|addendum|statement\s+of\s+work|sow|order\s+form|contract)\b)");
  std::size_t near = p > 24 ? p - 24 : 0;
  std::size_t back = p > 600 ? p - 600 : 0;
  if (std::regex_search(l.substr(near, p - near), predicate) &&
      std::regex_search(l.substr(back, p - back), subject))
    return false;
  std::size_t from = p > 200 ? p - 200 : 0;
  std::string w = without_asides(l.substr(from, p - from));
  static const std::regex noun(
      R"(\b(agreement|amendment|contract|addendum|lease|license|licence|order|plan|note|indenture|statement\s+of\s+work)s?\b)");
  std::size_t at = std::string::npos;
  for (auto it = std::sregex_iterator(w.begin(), w.end(), noun); it != std::sregex_iterator(); ++it)
    at = static_cast<std::size_t>(it->position(0));
  if (at == std::string::npos) return false;
  // What introduces that noun: the last determiner within the 120 bytes before it.
  std::size_t head_from = at > 120 ? at - 120 : 0;
  std::string head = w.substr(head_from, at - head_from);
  static const std::regex det(R"(\b(this|the|that\s+certain|such|said|each|an?|its|their)\b)");
  std::string last;
  std::size_t last_end = 0;
  for (auto it = std::sregex_iterator(head.begin(), head.end(), det); it != std::sregex_iterator();
       ++it) {
    last = (*it)[1];
    last_end = static_cast<std::size_t>(it->position(0) + it->length(0));
  }
  if (last.empty()) return false;
  if (bare_the_is_own && last == "the" &&
      head.find_first_not_of(" \t\r\n", last_end) == std::string::npos)
    return false;
  return last != "this";
}

// The offset at which `l`, from `from`, has `n` characters, a run of whitespace counting as
// one: bounds that do not move when the same words are laid out with other spacing (a PDF and
// its text).
std::size_t reach(const std::string& l, std::size_t n, std::size_t from = 0) {
  std::size_t i = std::min(from, l.size());
  for (std::size_t seen = 0; i < l.size() && seen < n; ++seen) {
    if (std::isspace(static_cast<unsigned char>(l[i])))
      while (i < l.size() && std::isspace(static_cast<unsigned char>(l[i]))) ++i;
    else
      ++i;
  }
  return i;
}

// Where the recitals begin ("WHEREAS", "RECITALS", "BACKGROUND"), or npos: dates there are
// mostly of other agreements and events.
std::size_t recitals_start(const std::string& l, std::size_t limit) {
  std::size_t at = std::string::npos;
  for (const char* cue : {"whereas", "recitals", "background", "witnesseth", "now, therefore",
                          "preliminary statement"}) {
    auto p = l.find(cue);
    if (p != std::string::npos && p < limit && (at == std::string::npos || p < at)) at = p;
  }
  return at;
}

// Where the operative part begins after recitals that begin at `recitals` ("NOW, THEREFORE",
// "agree as follows"); a bounded guess when the document never says.
std::size_t operative_start(const std::string& l, std::size_t recitals) {
  std::size_t at = reach(l, 4000, recitals);
  for (const char* cue : {"now, therefore", "now therefore", "agree as follows",
                          "agreed as follows", "agrees as follows"}) {
    auto p = l.find(cue, recitals + 1);
    if (p != std::string::npos && p < at) at = p;
  }
  return at;
}

void dates(const std::string& t, const std::string& l, Terms& out) {
  // The agreement date: a date right after "dated", "made", "entered into" or "as of" in the
  // preamble that is not the date of another agreement the preamble cites. Without a cue, the
  // first date in the preamble (a weaker rule).
  std::size_t preamble = reach(l, 6000);
  std::size_t recitals = recitals_start(l, preamble);
  std::size_t own_end = std::min(preamble, recitals);
  bool amendment = l.substr(0, reach(l, 1500)).find("amendment") != std::string::npos;
  struct Cued {
    FoundDate d;
    std::string cue;
  };
  std::optional<Cued> best;
  static const std::vector<std::pair<const char*, const char*>> cues = {
      {"dated", "dated"},         {"made and entered", "made"}, {"entered into", "made"},
      {"made as of", "made"},     {"made on", "made"},          {"made this", "made"},
      {"made effective", "made"}, {"executed on", "made"},      {"executed as of", "made"},
      {"is made", "made"},        {"as of", "as-of"},           {"agreement made", "made"},
      {"this day of", "made"},    {"concluded", "made"}};
  for (const auto& [cue, kind] : cues)
    for (auto p : hits(l, cue, own_end)) {
      // The date must follow within the same clause: no sentence end between.
      std::size_t stop = std::min(p + 120, l.size());
      auto dot = t.find(". ", p);
      if (dot != std::string::npos && dot < stop) stop = dot;
      auto found = find_date(t, p, stop);
      if (!found || cites_other(l, p)) continue;
      if (!best || found->start < best->d.start) best = Cued{*found, kind};
    }
  std::string form;
  if (best) {
    form = best->d.numeric ? "numeric" : "words";
    out["agreement_date"] = term(best->d.iso, 0.85, t, best->d.start, best->d.end);
    out["agreement_date"].rule =
        "cue=" + best->cue + "|form=" + form + (amendment ? "|kind=amendment" : "");
  } else {
    for (const auto& d : find_dates(t, 0, own_end)) {
      if (cites_other(l, d.start)) continue;
      out["agreement_date"] = term(d.iso, 0.55, t, d.start, d.end);
      out["agreement_date"].rule =
          std::string("cue=none|form=") + (d.numeric ? "numeric" : "words");
      break;
    }
  }
  // The effective date, in order of how plainly the contract says it:
  //  - the date just before its definition: "as of June 1, 2027 (the "Effective Date")";
  //  - a date right after "effective as of", "effective on", "Effective Date:", "commencing";
  //  - "effective as of the date first written above": the agreement date;
  //  - a date soon after "effective", not the end of a term ("effective until …").
  static const std::regex alias(
      R"re(\(\s*(?:the\s+|this\s+|hereinafter\s+(?:the\s+)?)?(?:"|“)\s*effective\s+date\s*(?:"|”))re");
  std::smatch m;
  std::string head = l.substr(0, std::min<std::size_t>(l.size(), 20000));
  if (std::regex_search(head, m, alias)) {
    std::size_t a = static_cast<std::size_t>(m.position(0));
    auto before = find_dates(t, a > 160 ? a - 160 : 0, a);
    if (!before.empty() && before.back().end + 30 >= a) {
      const auto& d = before.back();
      out["effective_date"] = term(d.iso, 0.85, t, d.start, d.end);
      out["effective_date"].rule =
          std::string("cue=alias|form=") + (d.numeric ? "numeric" : "words");
      return;
    }
  }
  // A definition: ""Effective Date" shall mean February 16, 1998."
  static const std::regex defined(
      R"re((?:"|“)\s*effective\s+date\s*(?:"|”)\s*(?:shall\s+mean|means|is|shall\s+be)\s+)re");
  for (auto it = std::sregex_iterator(l.begin(), l.end(), defined); it != std::sregex_iterator();
       ++it) {
    std::size_t p = static_cast<std::size_t>(it->position(0) + it->length(0));
    auto found = find_date(t, p, std::min(p + 40, l.size()));
    if (!found || found->start > p + 4) continue;
    out["effective_date"] = term(found->iso, 0.85, t, found->start, found->end);
    out["effective_date"].rule =
        std::string("cue=definition|form=") + (found->numeric ? "numeric" : "words");
    return;
  }
  static const std::regex until(R"(until|through|expir|terminat|\bend|ending|later\s+of)");
  for (const char* cue : {"effective as of", "effective on", "effective from", "effective date:",
                          "effective date of", "effective date is", "effective date shall be",
                          "with effect from", "commencement date:", "shall become effective on",
                          "shall be effective on", "shall be effective as of", "effective"}) {
    bool plain = std::string(cue) != "effective";
    for (auto p : hits(l, cue)) {
      std::size_t reach = plain ? 60 : 160;
      auto found = find_date(t, p, std::min(p + reach, l.size()));
      if (!found) continue;
      std::string between = l.substr(p, found->start - p);
      if (std::regex_search(between, until) || between.find(". ") != std::string::npos) continue;
      if (cites_other(l, p)) continue;
      // Recitals tell the story that led here ("Effective February 4, 2020, RCP is undertaking
      // an initial public offering"); the agreement's own effective date is not a recital.
      if (!plain && recitals != std::string::npos && p >= recitals &&
          p < operative_start(l, recitals))
        continue;
      if (!plain && p > 5000) {
        // Past the preamble a bare "effective" must speak of this agreement, not of a law or
        // a policy that "became effective" on some date.
        auto [ss, se] = sentence(t, p);
        std::string sl = l.substr(ss, se - ss);
        if (sl.find("this agreement") == std::string::npos &&
            sl.find("hereof") == std::string::npos && sl.find("hereunder") == std::string::npos)
          continue;
      }
      out["effective_date"] = term(found->iso, plain ? 0.8 : 0.6, t, found->start, found->end);
      out["effective_date"].rule = std::string(plain ? "cue=effective-as-of" : "cue=near") +
                                   "|form=" + (found->numeric ? "numeric" : "words");
      return;
    }
  }
  if (out.count("agreement_date")) {
    static const std::regex same(
        R"((?:effective\s+date[^.]{0,30}?\b(?:is|shall\s+be|means|will\s+be)\s+(?:the\s+)?|effective(?!\s+date\b)|commences?|come\s+into\s+force|enter\s+into\s+force)[^.]{0,60}?(?:date\s+first\s+(?:above\s+|set\s+forth\s+above\s+|written\s+above\s+)?(?:written|set\s+forth|stated)|date\s+of\s+(?:this\s+agreement|execution|its\s+signature|signature)|date\s+hereof|upon\s+(?:execution|signature|signing)|date\s+(?:on\s+which|when)\s+(?:it|this\s+agreement)\s+is\s+(?:signed|executed)))");
    if (std::regex_search(head, m, same)) {
      const auto& ad = out.at("agreement_date");
      std::size_t a = static_cast<std::size_t>(m.position(0));
      out["effective_date"] = term(ad.value, 0.6, t, a, a + static_cast<std::size_t>(m.length(0)));
      out["effective_date"].rule =
          std::string("cue=same-as-agreement|start=") +
          (ad.rule.find("cue=none") != std::string::npos ? "weak" : "strong");
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
    bool governed = l.compare(a, 11, "governed by") == 0;
    out["governing_law"] = term(v, governed ? 0.9 : 0.75, t, s, e);
    out["governing_law"].rule = std::string("cue=") + (governed ? "governed-by" : "other") +
                                (best->jurisdiction ? "|state" : "|country");
    return;
  }
}

// ---- renewal ----

void renewal(const std::string& t, const std::string& l, Terms& out) {
  static const std::regex renew_term(
      R"((?:renew(?:ed|s|al)?|extend(?:ed|s)?)\b[^.]{0,160}?\b(?:for\s+)?(?:up\s+to\s+\w+\s+(?:\(\d+\)\s+)?)?(?:an?\s+)?((?:successive|additional|further|consecutive|subsequent|like)\s+)?(?:(?:successive|additional|further|consecutive|subsequent|renewal|extension)\s+)?(?:periods?\s+of\s+)?)" +
          kAmount + R"(\s*(?:renewal\s+)?(?:terms?|periods?)?)",
      std::regex::icase);
  // "automatic annual renewals", "renew for successive monthly periods", "year-to-year".
  static const std::regex renew_every(
      R"((?:renew\w*|extend\w*)\b[^.]{0,100}?\b(annual|yearly|monthly|quarterly|year[- ]to[- ]year|month[- ]to[- ]month)\b|\b(annual|yearly|monthly)\s+renewals?\b|on\s+an?\s+(annual|yearly|monthly)\s+basis)",
      std::regex::icase);
  // What follows an amount that is a deadline, not a period: "six (6) months prior to".
  static const std::regex deadline(
      R"(^\s*(?:\w+\s+)?(?:prior|before|in\s+advance|notice|written|following|after))",
      std::regex::icase);
  static const std::regex notice(
      kAmount +
          R"(['’]?\s*(?:prior\s+|advance\s+)?(?:written\s+)?(?:notice|prior written notice|notification))",
      std::regex::icase);
  static const std::regex notice_before(
      R"((?:notice|notif\w*|notifies|notify|elects?\s+not\s+to\s+renew)[^.]{0,160}?(?:at\s+least|no\s+(?:later|less)\s+than|not\s+(?:less|later)\s+than|a\s+minimum\s+of)?\s*)" +
          kAmount + R"(\s+(?:prior|before|in\s+advance|preceding))",
      std::regex::icase);
  bool found_term = false, found_notice = false;
  std::vector<std::size_t> anchors = hits(l, "renew");
  for (auto p : hits(l, "extend")) anchors.push_back(p);
  for (auto p : hits(l, "extension")) anchors.push_back(p);
  std::sort(anchors.begin(), anchors.end());
  for (auto p : anchors) {
    auto [s, e] = sentence(t, p);
    std::string sent = t.substr(s, e - s);
    std::string lsent = lower(sent);
    bool about_renewal =
        lsent.find("renew") != std::string::npos || lsent.find("extension") != std::string::npos ||
        (lsent.find("extend") != std::string::npos &&
         (lsent.find("term") != std::string::npos || lsent.find("agreement") != std::string::npos));
    // "if the term of the Web Site Services Agreement has not been renewed": another
    // agreement's renewal.
    if (!about_renewal || cites_other(l, p, true)) continue;
    bool automatic =
        lsent.find("automatic") != std::string::npos || lsent.find("unless") != std::string::npos;
    std::smatch m;
    if (!found_term) {
      std::optional<json> v;
      std::size_t at = 0, len = 0;
      for (auto it = std::sregex_iterator(sent.begin(), sent.end(), renew_term);
           it != std::sregex_iterator() && !v; ++it) {
        auto a = amount(*it, 2);
        std::string rest = sent.substr(static_cast<std::size_t>(it->position(0) + it->length(0)));
        if (!a || std::regex_search(rest, deadline)) continue;
        v = duration(a->first, a->second);
        (*v)["successive"] = (*it)[1].matched || lsent.find("successive") != std::string::npos ||
                             lsent.find("each year") != std::string::npos;
        at = s + static_cast<std::size_t>(it->position(0));
        len = static_cast<std::size_t>(it->length(0));
      }
      std::string form = "period";
      if (!v && std::regex_search(sent, m, renew_every)) {
        std::string w = lower(m[1].matched ? m[1].str() : m[2].matched ? m[2].str() : m[3].str());
        bool monthly = w.rfind("month", 0) == 0;
        v = monthly            ? duration(1, "month")
            : w == "quarterly" ? duration(3, "months")
                               : duration(1, "year");
        (*v)["successive"] = true;
        at = s + static_cast<std::size_t>(m.position(0));
        len = static_cast<std::size_t>(m.length(0));
        form = "every";
      }
      if (v) {
        out["renewal_term"] = term(*v, automatic ? 0.8 : 0.6, t, at, at + len);
        out["renewal_term"].rule = "form=" + form + "|auto=" + (automatic ? "yes" : "no");
        out["auto_renewal"] = term(automatic, automatic ? 0.8 : 0.5, t, s, e);
        out["auto_renewal"].rule = std::string("auto=") + (automatic ? "yes" : "no");
        found_term = true;
      }
    }
    if (!found_notice) {
      bool before = false;
      bool got = std::regex_search(sent, m, notice_before);
      if (got)
        before = true;
      else
        got = std::regex_search(sent, m, notice);
      auto a = got ? amount(m, 1) : std::nullopt;
      if (a && lower(a->second).rfind("year", 0) != 0) {
        // A notice period in years is almost always a term.
        std::size_t at = s + static_cast<std::size_t>(m.position(0));
        bool non_renewal = lsent.find("not to renew") != std::string::npos ||
                           lsent.find("non-renewal") != std::string::npos ||
                           lsent.find("nonrenewal") != std::string::npos ||
                           lsent.find("not be renewed") != std::string::npos ||
                           lsent.find("unless") != std::string::npos;
        out["notice_period_to_terminate_renewal"] = term(
            duration(a->first, a->second), 0.7, t, at, at + static_cast<std::size_t>(m.length(0)));
        out["notice_period_to_terminate_renewal"].rule =
            std::string("form=") + (before ? "prior-to" : "notice") +
            "|nonrenewal=" + (non_renewal ? "yes" : "no");
        found_notice = true;
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
  static const std::regex after_date(
      kAmount +
          R"(\s+(?:after|following|from)\s+(?:the\s+)?(?:date|effective|execution|commencement))",
      std::regex::icase);
  static const std::regex not_initial(
      R"((?:renew\w*|successive|additional|extend\w*|extension|maximum|up\s+to|prior|thereafter)\b[^.;]*$)");
  static const std::regex each_period(R"(^\s*(?:each|periods|thereafter|prior|before))");
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
        out["expiration_date"].rule = "form=end-date";
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
    if (!len) {
      // Every length the sentence states, first one that is not a renewal, an extension or
      // a cap ("successive terms of one (1) year each", "for a maximum period of six months").
      std::vector<std::tuple<std::size_t, std::size_t, std::pair<int, std::string>>> found;
      for (const std::regex* re : {&length, &year_term, &after_date})
        for (auto it = std::sregex_iterator(sent.begin(), sent.end(), *re);
             it != std::sregex_iterator(); ++it)
          if (auto a = amount(*it, 1))
            found.emplace_back(static_cast<std::size_t>(it->position(1)),
                               static_cast<std::size_t>(it->position(0) + it->length(0)), *a);
      std::sort(found.begin(), found.end(),
                [](const auto& x, const auto& y) { return std::get<0>(x) < std::get<0>(y); });
      for (const auto& [pos, end, a] : found) {
        std::string before = lower(sent.substr(pos > 60 ? pos - 60 : 0, pos > 60 ? 60 : pos));
        std::string after = lower(sent.substr(end, 12));
        if (std::regex_search(before, not_initial) || std::regex_search(after, each_period))
          continue;
        len = a;
        at = s + pos;
        len_end = s + end;
        break;
      }
    }
    if (len && lower(len->second).rfind("day", 0) != 0) {
      json v = duration(len->first, len->second);
      out["term"] = term(v, 0.75, t, at, len_end);
      out["term"].rule = "form=length";
      if (eff) {
        auto start = dates::parse(eff->value.get<std::string>());
        if (start)
          if (auto end = dates::add(*start, len->first, lower(len->second))) {
            bool from_effective = out.count("effective_date") > 0;
            out["expiration_date"] = term(dates::iso(*end), from_effective ? 0.7 : 0.55, t, s, e);
            // As sure as the date it counts from.
            out["expiration_date"].rule = std::string("form=length|from=") +
                                          (from_effective ? "effective" : "agreement") + "|start=" +
                                          (eff->rule.find("cue=none") != std::string::npos ||
                                                   eff->rule.find("cue=near") != std::string::npos
                                               ? "weak"
                                               : "strong");
          }
      }
      return;
    }
    if (std::regex_search(sent, m, open_ended)) {
      out["expiration_date"] = term("perpetual", 0.6, t, s, e);
      out["expiration_date"].rule = "form=perpetual";
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

// Nouns a contract uses for a party's role: a name that is only one of these ("the Adviser",
// "Distributor") is the role, not the party.
bool role_noun(const std::string& name) {
  std::string n = lower(name);
  if (n.rfind("the ", 0) == 0) n.erase(0, 4);
  static const std::vector<std::string> roles = {
      "adviser",      "advisor",   "agent",       "bank",       "borrower",   "buyer",
      "client",       "co-host",   "company",     "consultant", "contractor", "customer",
      "depositor",    "developer", "distributor", "employee",   "employer",   "end-user",
      "host",         "issuer",    "lender",      "licensee",   "licensor",   "manager",
      "manufacturer", "member",    "owner",       "partner",    "party",      "parties",
      "principal",    "provider",  "purchaser",   "reseller",   "seller",     "servicer",
      "supplier",     "user",      "vendor",      "franchisee", "franchisor", "sponsor",
      "investor",     "operator",  "producer",    "publisher",  "recipient",  "trustee"};
  for (const auto& r : roles)
    if (n == r || n == r + "s") return true;
  return false;
}

// A party's name from the words before its alias: without numbering ("(1)"), a leading "and"
// or "by and between", the legal descriptor (", a Delaware corporation"), the address (",
// located at", "of 17922 Sky Park Circle") and a trailing parenthesis; the legal form ("Inc.")
// stays.
std::string party_name(std::string seg) {
  seg = std::regex_replace(seg, std::regex(R"(\s+)"), " ");
  static const std::regex lead(
      R"(^\s*(?:,|;|:|and\b|by and between\b|by and among\b|between\b|among\b|by\b|\)|\.|\(\s*(?:\d{1,2}|[a-h]|i{1,3}|iv|v)\s*\)|\d{1,2}\.(?!\d))+\s*)",
      std::regex::icase);
  for (int i = 0; i < 4; ++i) seg = std::regex_replace(seg, lead, "");
  static const std::regex descriptor(
      R"(,?\s+(?:a|an)\s+(?:[A-Za-z][a-z]+\s+){0,4}(?:corporation|company|limited|partnership|organization|organisation|entity|bank|trust|association|societe|corp\b|individual|person|national|business)|,\s+(?:with|having|whose|located|organized|organised|incorporated|existing|duly|acting|residing|registered|a\s+division|the\s+organi[sz]ation|on\s+behalf|its|an?\s+\w+\s+(?:limited|general)|\d)|\s+\((?:hereinafter|herein)|,\s+(?:hereinafter|herein)|\s+(?:of|at|located\s+at)\s+\d|\s+(?:with\s+(?:its\s+)?(?:principal\s+)?(?:offices?|place\s+of\s+business|address|registered\s+office))\b|\s+(?:located|organized|incorporated|existing)\s+(?:at|in|under)\b|\s+\()",
      std::regex::icase);
  // "also known as" names another name for the same party: an alias, not part of the name
  // (a "doing business as" name stays, it is how the party trades).
  static const std::regex aka(R"(,?\s+(?:a/k/a|aka|also\s+known\s+as)\b)", std::regex::icase);
  std::smatch m;
  if (std::regex_search(seg, m, descriptor))
    seg = seg.substr(0, static_cast<std::size_t>(m.position(0)));
  if (std::regex_search(seg, m, aka)) seg = seg.substr(0, static_cast<std::size_t>(m.position(0)));
  return trim(seg);
}

// Whether `name` reads as a party's name: it starts with a capital or a digit, is not a role
// noun and not a phrase about the parties.
bool plausible_name(const std::string& name) {
  if (name.size() < 2 || name.size() > 120 || role_noun(name)) return false;
  unsigned char c0 = static_cast<unsigned char>(name[0]);
  if (!(std::isupper(c0) || std::isdigit(c0) || c0 >= 0x80)) return false;
  std::string l = lower(name);
  for (const char* bad : {"the parties", "party", "agreement", "hereinafter", "herein", "referred",
                          "individually", "collectively", "signatory", "whereas"})
    if (l.find(bad) != std::string::npos) return false;
  // A clause, not a name: it has a verb of obligation or runs on for a dozen words.
  static const std::regex verb(R"(\b(?:shall|will|must|may|is|are|agrees?|wishes|desires)\b)");
  if (std::regex_search(l, verb)) return false;
  return std::count(l.begin(), l.end(), ' ') < 12;
}

void parties(const std::string& t, const std::string& l, Terms& out) {
  std::size_t limit = std::min<std::size_t>(l.size(), 8000);
  std::size_t at = std::string::npos;
  std::string via;
  for (const char* cue :
       {"by and between", "by and among", "between", "entered into by", "among", "made by"}) {
    auto p = l.find(cue);
    if (p != std::string::npos && p < limit && (at == std::string::npos || p < at)) {
      at = p + std::string(cue).size();
      via = cue;
    }
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
  int refused = 0;
  for (auto it = std::sregex_iterator(w.begin(), w.end(), alias); it != std::sregex_iterator();
       ++it) {
    const auto& m = *it;
    std::string name = party_name(w.substr(prev, static_cast<std::size_t>(m.position(0)) - prev));
    prev = static_cast<std::size_t>(m.position(0) + m.length(0));
    std::string a = m[1];
    std::string la = lower(a);
    if (la == "agreement" || la == "parties" || la == "party" || la == "effective date") continue;
    if (!plausible_name(name)) {
      if (!name.empty()) ++refused;
      continue;
    }
    list.push_back({{"name", name}, {"aliases", json::array({a})}});
    if (list.size() == 4) break;
  }
  std::string form = "aliases";
  if (list.size() < 2) {
    // "between Acme Corp. and Globex GmbH." with no aliases.
    static const std::regex two(R"(^\s*(.{3,160}?)\s+and\s+(.{3,160}?)(?:[.;(]|,\s|$))");
    std::smatch m;
    std::string head = w.substr(0, std::min<std::size_t>(w.size(), 400));
    if (!std::regex_search(head, m, two)) return;
    std::string a = party_name(m[1]), b = party_name(m[2]);
    if (!plausible_name(a) || !plausible_name(b)) return;
    list = json::array(
        {{{"name", a}, {"aliases", json::array()}}, {{"name", b}, {"aliases", json::array()}}});
    form = "between";
  }
  out["parties"] = term(list, list.size() >= 2 ? 0.7 : 0.4, t, at, end);
  out["parties"].rule =
      "form=" + form + "|n=" + (list.size() >= 3 ? "3+" : std::to_string(list.size())) +
      (refused ? "|refused" : "") + (via == "among" || via == "made by" ? "|cue=weak" : "");
}

// ---- the document: its title, kind, and the agreement it amends or works under ----

struct Word {
  std::size_t start = 0, end = 0;
  std::string s;             // as written
  bool after_break = false;  // the first word of a line
};

std::vector<Word> words_of(const std::string& t, std::size_t limit) {
  std::vector<Word> out;
  std::size_t i = 0;
  bool brk = true;
  while (i < limit) {
    unsigned char c = static_cast<unsigned char>(t[i]);
    if (std::isspace(c)) {
      if (c == '\n') brk = true;
      ++i;
      continue;
    }
    std::size_t b = i;
    while (i < t.size() && !std::isspace(static_cast<unsigned char>(t[i]))) ++i;
    out.push_back({b, i, t.substr(b, i - b), brk});
    brk = false;
  }
  return out;
}

// A word's letters: "CO-HOSTING," -> "co-hosting" (trailing and leading punctuation off).
std::string bare(const std::string& w) {
  std::size_t b = 0, e = w.size();
  while (b < e && std::string_view("(\"“'").find(w[b]) != std::string_view::npos) ++b;
  while (e > b && std::string_view(",;:)\"”'").find(w[e - 1]) != std::string_view::npos) --e;
  return lower(w.substr(b, e - b));
}

bool has_lower(const std::string& w) {
  return std::any_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}
bool digits(const std::string& w) {
  return std::all_of(w.begin(), w.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}
bool has_letter(const std::string& w) {
  return std::any_of(w.begin(), w.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
  });
}

// Words that may sit inside a title in lower case: "Amendment n° 01 to the Supply Agreement".
bool connector(const std::string& b) {
  for (const char* c : {"and", "of", "to", "the", "for", "n°", "no.", "nº", "&", "-"})
    if (b == c) return true;
  return false;
}

// What ends a title read backwards: an exhibit number ("10.2"), a legal form (a company's
// name in the letterhead), a sentence's end ("AS AMENDED.").
bool title_stop(const std::string& w, const std::string& b) {
  if (b == "exhibit" || b == "this" || b == "form" || b == "dba" || b == "d/b/a") return true;
  for (const char* f : {"inc.", "inc", "llc", "ltd.", "ltd", "corp.", "corp", "limited", "plc",
                        "s.a.", "gmbh", "l.p.", "n.v.", "b.v.", "co.", "s/a", "g.i.e."})
    if (b == f) return true;
  if (std::any_of(b.begin(), b.end(), [](char c) { return c == '.'; }) &&
      std::all_of(b.begin(), b.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; }))
    return true;
  return w.size() > 3 && w.back() == '.' && b != "no." && b != "n°.";
}

// The noun a document title ends with, by the last word(s) before `i` inclusive.
bool title_noun(const std::vector<Word>& w, std::size_t i) {
  std::string b = bare(w[i].s);
  if (b == "agreement" || b == "contract" || b == "amendment" || b == "addendum") return true;
  if (b == "form" && i > 0 && bare(w[i - 1].s) == "order") return true;
  return b == "work" && i > 1 && bare(w[i - 1].s) == "of" && bare(w[i - 2].s) == "statement";
}

}  // namespace

std::string document_kind_of(const std::string& name) {
  std::string n = lower(name);
  static const std::regex amendment(R"(\b(amendment|addendum)\b)");
  static const std::regex sow(R"(\bstatement\s+of\s+work\b|\bsow\b)");
  static const std::regex order(R"(\border\s+form\b|\bservice\s+order\b|\bordering\s+document\b)");
  static const std::regex master(R"(\bmaster\b)");
  if (std::regex_search(n, amendment)) return "amendment";
  if (std::regex_search(n, sow)) return "sow";
  if (std::regex_search(n, master)) return "msa";
  if (std::regex_search(n, order)) return "order_form";
  return "agreement";
}

namespace {

// The document's title: the first run of title words in the head of the text that ends with
// an agreement noun and starts a line, follows "This", or follows an exhibit number or a
// letterhead ("CORIO INC.   LICENSE AND HOSTING AGREEMENT"). A run that follows ordinary
// words ("entered into a Global Maintenance Agreement") names another agreement, not this one.
// All capitals or Title Case, never mixed.
void document(const std::string& t, const std::string& l, Terms& out) {
  auto ws = words_of(t, reach(l, 6000));
  for (std::size_t i = 0; i < ws.size(); ++i) {
    if (!title_noun(ws, i)) continue;
    bool caps = !has_lower(ws[i].s);
    if (!caps && !std::isupper(static_cast<unsigned char>(ws[i].s[0]))) continue;
    std::size_t first = i;
    std::string at;
    while (true) {
      if (ws[first].after_break || first == 0) {
        at = "line";
        break;
      }
      const auto& p = ws[first - 1];
      std::string b = bare(p.s);
      if (b == "this") {
        at = "this";
        break;
      }
      if (title_stop(p.s, b)) {
        at = "after";
        break;
      }
      // In capitals, every word is in capitals ("Page 1 of 3 DISTRIBUTOR AGREEMENT" starts
      // at DISTRIBUTOR); in Title Case, a word in capitals is at most an acronym.
      bool fits = (connector(b) && !(caps && has_lower(p.s))) || digits(b);
      if (!fits && has_letter(p.s))
        fits = caps ? !has_lower(p.s)
                    : std::isupper(static_cast<unsigned char>(p.s[0])) &&
                          (has_lower(p.s) || p.s.size() <= 4);
      if (!fits) {  // capitals amid running text are a heading; Title Case is a reference
        at = caps ? "after" : "";
        break;
      }
      --first;
    }
    if (at.empty()) continue;
    while (first < i && (connector(bare(ws[first].s)) || digits(bare(ws[first].s)))) ++first;
    // "THIS AGREEMENT", "2. AMENDMENT" name nothing; "AMENDMENT NO. 2" heading a page, or
    // "This Addendum", does.
    std::string noun = bare(ws[i].s);
    bool named_by_noun =
        (noun == "amendment" || noun == "addendum") && (at == "line" || at == "this");
    if (first == i && !named_by_noun) continue;
    // "MASTER SUBSCRIPTION AGREEMENT AND ORDER FORM": one title naming two documents.
    std::size_t last = i;
    for (std::size_t k = i + 1; k < ws.size() && k < i + 6 && !ws[k].after_break; ++k) {
      if (caps && has_lower(ws[k].s) && !connector(bare(ws[k].s))) break;
      if (title_noun(ws, k)) last = k;
    }
    if (last != i && bare(ws[i + 1].s) != "and") last = i;
    // "SERVICE AGREEMENT FOR TRANSFER AGENT SERVICES": what the agreement is for, in capitals.
    if (caps && last == i && i + 2 < ws.size() && ws[i + 1].s == "FOR" && !ws[i + 1].after_break)
      for (std::size_t k = i + 2; k < ws.size() && k < i + 8 && !ws[k].after_break; ++k) {
        if (has_lower(ws[k].s) || !has_letter(ws[k].s) || bare(ws[k].s) == "this") break;
        last = k;
        if (ws[k].s.back() == ',' || ws[k].s.back() == '(') break;
      }
    std::size_t s = ws[first].start, e = ws[last].end;
    while (e > s && std::string_view(",;:(").find(t[e - 1]) != std::string_view::npos) --e;
    std::string name = std::regex_replace(t.substr(s, e - s), std::regex(R"(\s+)"), " ");
    if (name.size() > 160) continue;
    // The title is the evidence: a reviewer reads the kind and the words it came from.
    std::string kind = document_kind_of(name);
    out["document_kind"] = term(kind, at == "line" ? 0.85 : 0.75, t, s, e);
    out["document_kind"].rule = "at=" + at + "|case=" + (caps ? "caps" : "title") + "|kind=" + kind;
    break;
  }
  if (!out.count("document_kind")) {  // no title: what the preamble calls the document
    std::size_t head = reach(l, 3000);
    for (const auto& [cue, kind] :
         std::vector<std::pair<const char*, const char*>>{{"this amendment", "amendment"},
                                                          {"this statement of work", "sow"},
                                                          {"this order form", "order_form"},
                                                          {"this master", "msa"}})
      if (auto h = hits(l, cue, head); !h.empty()) {
        out["document_kind"] = term(kind, 0.6, t, h.front(), h.front() + std::strlen(cue));
        out["document_kind"].rule = std::string("at=cue|kind=") + kind;
        break;
      }
  }
  auto kind = out.find("document_kind");
  if (kind == out.end() || (kind->second.value != "amendment" && kind->second.value != "sow"))
    return;
  // The agreement it amends or works under: "Amendment No. 2 to the Manufacturing and Supply
  // Agreement dated as of December 8, 2009", "entered into pursuant to the Master Services
  // Agreement dated …", "under that certain …".
  std::size_t head = reach(l, 4000);
  static const std::regex ref(
      R"((?:\bto|\bunder|\bpursuant\s+to|\bsupplements?|\bamends?)\s+(?:the\s+|that\s+certain\s+|an?\s+)?((?:(?:[A-Z][\w'&/-]*|and|of|for|&)\s+){1,8}?(?:Agreement|AGREEMENT|Contract|CONTRACT))\b)");
  std::string w = t.substr(0, head);
  std::smatch m;
  if (!std::regex_search(w, m, ref)) return;
  std::string name = std::regex_replace(m[1].str(), std::regex(R"(\s+)"), " ");
  std::size_t s = static_cast<std::size_t>(m.position(1)), e = s + m.length(1);
  // Its date: "dated (as of) …" right after the name (a reference number may sit between).
  json date = nullptr;
  std::size_t stop = std::min(e + 90, w.size());
  auto dated = l.find("dated", e);
  if (dated != std::string::npos && dated < stop) {
    auto d = find_date(t, dated, std::min(dated + 40, t.size()));
    if (d) {
      date = d->iso;
      e = d->end;
    }
  }
  json value = {{"name", name}, {"date", date}};
  out["referenced_agreement"] = term(value, date.is_null() ? 0.6 : 0.85, t, s, e);
  out["referenced_agreement"].rule = std::string("date=") + (date.is_null() ? "no" : "yes");
}

// The text as the rules read it, byte for byte as long as the original so every offset still
// points into it: EDGAR's page footers ("Source: ACME CORP, 8-K, 10/1/2008", the filing's
// date, not the agreement's) blanked, and ordinals a PDF split ("16t h day") joined.
std::string prepared(const std::string& t) {
  std::string c = t;
  static const std::regex footer(
      R"(^Source:[^\n]{0,160}?,\s*[-A-Za-z0-9/. ()]{1,24},\s*\d{1,2}/\d{1,2}/\d{2,4})");
  for (auto p = c.find("Source:"); p != std::string::npos; p = c.find("Source:", p + 7)) {
    std::string w = c.substr(p, 220);
    std::smatch m;
    if (std::regex_search(w, m, footer))
      for (std::size_t i = p; i < p + static_cast<std::size_t>(m.length(0)); ++i)
        if (c[i] != '\n') c[i] = ' ';
  }
  for (std::size_t i = 0; i + 4 < c.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(c[i])) || c[i + 2] != ' ') continue;
    char a = static_cast<char>(std::tolower(static_cast<unsigned char>(c[i + 1]))),
         b = static_cast<char>(std::tolower(static_cast<unsigned char>(c[i + 3])));
    bool ordinal = (a == 't' && b == 'h') || (a == 's' && b == 't') || (a == 'n' && b == 'd') ||
                   (a == 'r' && b == 'd');
    if (ordinal && !std::isalpha(static_cast<unsigned char>(c[i + 4]))) {
      c[i + 2] = c[i + 3];
      c[i + 3] = ' ';
    }
  }
  return c;
}

}  // namespace

RuleExtractor::RuleExtractor(const Calibration* calibration)
    : calibration_(calibration ? calibration : &Calibration::shipped()) {}

json RuleExtractor::provenance() const {
  json cal = nullptr;
  if (!calibration_->table().empty() && calibration_->table().contains("fields"))
    cal = {{"fitted_on", calibration_->table().value("fitted_on", json())},
           {"sha256", calibration_->digest()}};
  return {{"extractor", "rules"}, {"version", kRulesVersion}, {"calibration", cal}};
}

double RuleExtractor::default_min_confidence() const { return calibration_->min_confidence(); }

Terms RuleExtractor::extract(const std::string& original) const {
  Terms out;
  std::string text = prepared(original);
  std::string l = lower(text);
  dates(text, l, out);
  parties(text, l, out);
  governing_law(text, l, out);
  renewal(text, l, out);
  term_and_expiration(text, l, out);
  text::commercial_terms(text, l, out);
  document(text, l, out);
  text::obligations(text, l, out);
  // Evidence quotes the text as given, not as prepared.
  for (auto& [field, t] : out) {
    t.evidence.text = original.substr(t.evidence.start, t.evidence.end - t.evidence.start);
  }
  if (auto o = out.find("obligations"); o != out.end())
    for (auto& item : o->second.value) {
      auto& ev = item["evidence"];
      std::size_t s = ev["start"], e = ev["end"];
      ev["text"] = original.substr(s, e - s);
    }
  calibration_->apply(out);
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
    if (!t.rule.empty()) out[field]["rule"] = t.rule;
    out[field]["calibrated"] = t.calibrated;
    if (!t.alternative.is_null()) out[field]["alternative"] = t.alternative;
  }
  return out;
}

}  // namespace covenant::activities::extract
