#include "activities/extract/redact.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

namespace covenant::activities::extract {
namespace {

using nlohmann::json;

bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

struct Span {
  std::size_t start, end;
  std::string kind;
};

bool luhn(const std::string& digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool email_local(char c) {
  return alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool email_domain(char c) { return alnum(c) || c == '.' || c == '-'; }

void emails(const std::string& t, std::vector<Span>& out) {
  for (std::size_t at = t.find('@'); at != std::string::npos; at = t.find('@', at + 1)) {
    std::size_t s = at;
    while (s > 0 && email_local(t[s - 1])) --s;
    std::size_t e = at + 1;
    while (e < t.size() && email_domain(t[e])) ++e;
    while (e > at + 1 && (t[e - 1] == '.' || t[e - 1] == '-')) --e;  // sentence punctuation
    std::string domain = t.substr(at + 1, e - at - 1);
    if (s == at || domain.find('.') == std::string::npos) continue;
    out.push_back({s, e, "email"});
    at = e - 1;
  }
}

// Runs of digits joined by spaces, dashes, dots or brackets: card numbers, SSNs and
// telephone numbers. Amounts ("1,000,000"), dates and section numbers do not qualify: a run
// needs 9 or more digits and the shape of one of the three.
void numbers(const std::string& t, std::vector<Span>& out) {
  static const std::regex ssn(R"(\d{3}-\d{2}-\d{4})");
  std::size_t i = 0;
  while (i < t.size()) {
    bool plus = t[i] == '+' && i + 1 < t.size() && digit(t[i + 1]);
    bool open = t[i] == '(' && i + 1 < t.size() && digit(t[i + 1]);
    if (!digit(t[i]) && !plus && !open) {
      ++i;
      continue;
    }
    if (i > 0 && (alnum(t[i - 1]) || t[i - 1] == '.' || t[i - 1] == ',' || t[i - 1] == '$')) {
      while (i < t.size() && (digit(t[i]) || t[i] == '.' || t[i] == ',')) ++i;
      ++i;
      continue;
    }
    std::size_t s = i;
    std::string digits;
    bool dash = false, paren = open, dot = false;
    std::size_t j = plus || open ? i + 1 : i;
    std::size_t e = j;
    while (j < t.size()) {
      char c = t[j];
      if (digit(c)) {
        digits += c;
        e = ++j;
      } else if ((c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') && j + 1 < t.size() &&
                 (digit(t[j + 1]) ||
                  (c == ')' && t[j + 1] == ' ' && j + 2 < t.size() && digit(t[j + 2])))) {
        dash |= c == '-';
        paren |= c == '(' || c == ')';
        dot |= c == '.';
        ++j;
      } else {
        break;
      }
    }
    i = std::max(e, s + 1);
    if (e < t.size() && std::isalpha(static_cast<unsigned char>(t[e]))) continue;  // "2017th"
    std::string run = t.substr(s, e - s);
    if (std::regex_match(run, ssn))
      out.push_back({s, e, "ssn"});
    else if (digits.size() >= 13 && digits.size() <= 19 && luhn(digits))
      out.push_back({s, e, "card"});
    else if (digits.size() >= 9 && digits.size() <= 15 && (plus || dash || paren || dot))
      out.push_back({s, e, "phone"});
  }
}

// Spans found by a pattern: its first group when it has one that matched, else the match. A
// span with fewer than `min_digits` digits is not taken.
void pattern(const std::string& t, const std::regex& re, const std::string& kind,
             std::size_t min_digits, std::vector<Span>& out) {
  for (auto it = std::sregex_iterator(t.begin(), t.end(), re); it != std::sregex_iterator(); ++it) {
    int g = it->size() > 1 && (*it)[1].matched ? 1 : 0;
    std::string v = (*it)[g];
    if (static_cast<std::size_t>(std::count_if(v.begin(), v.end(), digit)) < min_digits) continue;
    auto s = static_cast<std::size_t>(it->position(g));
    out.push_back({s, s + static_cast<std::size_t>(it->length(g)), kind});
  }
}

// A company, not a person: a signature block's "By:" names either.
bool company_word(const std::string& w) {
  static const std::regex legal(
      R"((inc|incorporated|corp|corporation|co|company|llc|llp|lp|ltd|limited|plc|gmbh|ag|sa|bv|nv|group|holdings|bank|trust|partners|university|fund)\.?,?)",
      std::regex::icase);
  return std::regex_match(w, legal);
}

// Names of people: one to three capitalised words (initials allowed) after an honorific, or
// two to four after a signature-block cue ("Name:", "By:", "Attention:", "Attn:", "c/o").
void people(const std::string& t, std::vector<Span>& out) {
  static const std::string word = R"((?:[A-Z][a-zA-Z'\-]+|[A-Z]\.))";
  static const std::regex honorific(R"(\b(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+()" + word +
                                    R"((?:[ \t]+)" + word + R"(){0,2}))");
  static const std::regex cue(
      R"(\b(?:Name|By|Attention|Attn|Signature|Signed|Contact|c/o)\s*:?[ \t]*(?:/s/[ \t]*)?()" +
      word + R"((?:[ \t]+)" + word + R"(){1,3}))");
  // "Jane Doe, an individual", "Jane Doe, residing at": a person who is a party.
  static const std::regex individual(R"(\b()" + word + R"((?:[ \t]+)" + word +
                                     R"(){1,3}),?[ \t]+(?:an individual|residing at|an adult))");
  std::size_t before = out.size();
  for (const auto* re : {&honorific, &cue, &individual})
    for (auto it = std::sregex_iterator(t.begin(), t.end(), *re); it != std::sregex_iterator();
         ++it) {
      std::string name = (*it)[1];
      std::istringstream words(name);
      bool company = false;
      for (std::string w; words >> w;) company |= company_word(w);
      if (company) continue;
      auto s = static_cast<std::size_t>(it->position(1));
      out.push_back({s, s + name.size(), "person"});
    }
  // A name found once is masked wherever else it appears.
  std::set<std::string> names;
  for (std::size_t i = before; i < out.size(); ++i)
    names.insert(t.substr(out[i].start, out[i].end - out[i].start));
  for (const auto& name : names)
    for (auto at = t.find(name); at != std::string::npos; at = t.find(name, at + name.size())) {
      bool whole = (at == 0 || !alnum(t[at - 1])) &&
                   (at + name.size() == t.size() || !alnum(t[at + name.size()]));
      if (whole) out.push_back({at, at + name.size(), "person"});
    }
}

void addresses(const std::string& t, std::vector<Span>& out) {
  static const std::regex street(
      R"(\b\d{1,6}[ \t]+(?:[A-Z][A-Za-z0-9.'\-]*[ \t]+){1,5}(?:Street|St\.|Avenue|Ave\.?|Road|Rd\.|Boulevard|Blvd\.?|Drive|Dr\.|Lane|Ln\.|Way|Parkway|Pkwy\.?|Place|Pl\.|Court|Ct\.|Square|Plaza|Highway|Hwy\.?|Terrace|Circle)(?:,?[ \t]*(?:Suite|Ste\.?|Floor|Fl\.|Unit|Room|#)[ \t]*#?[ \t]*[A-Za-z0-9\-]+)?)");
  static const std::regex box(R"(\bP\.?[ \t]?O\.?[ \t]+Box[ \t]+\d+)", std::regex::icase);
  static const std::regex zip(R"(\b[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?\b)");
  pattern(t, street, "address", 1, out);
  pattern(t, box, "address", 1, out);
  pattern(t, zip, "address", 5, out);
}

void ids(const std::string& t, std::vector<Span>& out) {
  // An IBAN: country, check digits, then 11-30 letters and digits in groups of four.
  static const std::regex iban(R"(\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b)");
  // A bank account or routing number after its cue.
  static const std::regex account(
      R"((?:account|acct\.?|routing|aba|sort\s+code)\s*(?:number|no\.|#|:)\s*:?\s*(\d[\d -]{3,30}\d))",
      std::regex::icase);
  // A tax id after its cue, and an EIN by its shape.
  static const std::regex tax(
      R"((?:\bEIN|\bTIN|tax\s+(?:id|identification)(?:\s+(?:no\.|number))?|employer\s+identification\s+(?:no\.|number)|VAT\s*(?:id|no\.|number|reg(?:istration)?\.?(?:\s*(?:no\.|number))?)?)\s*:?\s*([A-Z]{0,2} ?\d[\d \-]{4,14}\d))",
      std::regex::icase);
  static const std::regex ein(R"(\b\d{2}-\d{7}\b)");
  pattern(t, iban, "iban", 5, out);
  pattern(t, account, "account", 5, out);
  pattern(t, tax, "tax_id", 6, out);
  pattern(t, ein, "tax_id", 9, out);
}

}  // namespace

Redacted redact(const std::string& text) {
  std::vector<Span> spans;
  emails(text, spans);
  ids(text, spans);
  addresses(text, spans);
  people(text, spans);
  numbers(text, spans);
  // Earlier first, longer first, then the cued kinds (found first) before bare digit runs; a
  // span overlapping one already taken is dropped.
  std::stable_sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.start != b.start ? a.start < b.start : a.end > b.end;
  });
  Redacted r{text, {}, {}};
  std::map<std::string, std::string> by_value;  // "<kind>\n<original>" -> placeholder
  std::map<std::string, int> distinct;          // kind -> values numbered so far
  std::size_t taken = 0;
  for (const auto& sp : spans) {
    if (sp.start < taken || sp.end <= sp.start) continue;
    taken = sp.end;
    std::string original = text.substr(sp.start, sp.end - sp.start);
    std::string& label = by_value[sp.kind + "\n" + original];
    ++r.counts[sp.kind];
    if (label.empty()) label = "[" + sp.kind + "-" + std::to_string(++distinct[sp.kind]) + "]";
    std::size_t len = sp.end - sp.start;
    std::string masked = label.size() <= len ? label : std::string(len, '#');
    if (label.size() <= len) r.originals.emplace(label, original);
    masked.resize(len, '_');
    r.text.replace(sp.start, len, masked);
  }
  return r;
}

json restore(const Redacted& r, const json& value) {
  if (value.is_string()) {
    std::string s = value.get<std::string>();
    for (const auto& [label, original] : r.originals)
      for (auto at = s.find(label); at != std::string::npos; at = s.find(label, at)) {
        std::size_t end = at + label.size();
        while (end < s.size() && s[end] == '_') ++end;  // its padding, when copied
        s.replace(at, end - at, original);
        at += original.size();
      }
    return s;
  }
  if (value.is_array() || value.is_object()) {
    json out = value;
    for (auto& v : out) v = restore(r, v);
    return out;
  }
  return value;
}

}  // namespace covenant::activities::extract
