#include "activities/extract/eval.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace covenant::activities::extract {

namespace {

using nlohmann::json;

const std::vector<std::string>& scored_fields() {
  static const std::vector<std::string> f = {"parties",        "agreement_date",
                                             "effective_date", "governing_law",
                                             "renewal_term",   "notice_period_to_terminate_renewal",
                                             "expiration_date"};
  return f;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool overlaps(const Evidence& e, const json& spans) {
  for (const auto& s : spans)
    for (const auto& seg : s.value("segments", json::array())) {
      std::size_t b = seg.value("byte_start", std::size_t{0}),
                  en = seg.value("byte_end", std::size_t{0});
      if (e.start < en && b < e.end) return true;
      if (seg.value("occurrences_in_text", 1) > 1 &&
          e.text.find(s.value("text", "\x01")) != std::string::npos)
        return true;
    }
  return false;
}

std::string pct(int num, int den) {
  if (den == 0) return "—";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%d%%", (num * 100 + den / 2) / den);
  return buf;
}

}  // namespace

// A company name without case, punctuation, spacing or its legal form, for comparison.
std::string plain_name(const std::string& n) {
  std::string out;
  for (unsigned char c : n)
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
  for (const char* suffix : {"incorporated", "corporation", "limited", "company", "inc", "llc",
                             "ltd", "corp", "co", "plc", "gmbh", "sa", "ag", "lp", "bv"})
    if (out.size() > std::strlen(suffix) + 2 && out.ends_with(suffix)) {
      out.erase(out.size() - std::strlen(suffix));
      break;
    }
  return out;
}

bool same_value(const std::string& field, const json& a, const json& g) {
  if (a.is_null() || g.is_null()) return false;
  if (field == "parties") {
    // Correct when the first two named parties (not the "Parties" collective) are found.
    std::vector<std::string> want;
    for (const auto& p : g) {
      bool collective = false;
      for (const auto& al : p.value("aliases", json::array()))
        collective = collective || al == "Parties" || al == "Party";
      if (!collective && want.size() < 2) want.push_back(plain_name(p.value("name", "")));
    }
    if (want.empty()) return false;
    for (const auto& w : want) {
      bool found = false;
      for (const auto& p : a) {
        std::string n = plain_name(p.value("name", ""));
        found = found || (!n.empty() && !w.empty() &&
                          (n.find(w) != std::string::npos || w.find(n) != std::string::npos));
      }
      if (!found) return false;
    }
    return true;
  }
  if (field == "governing_law")
    return a.value("jurisdiction", json()) == g.value("jurisdiction", json()) &&
           a.value("country", json()) == g.value("country", json());
  if (a.is_object() && g.is_object() && a.contains("iso8601"))
    return a["iso8601"] == g.value("iso8601", json());
  return a == g;
}

EvalReport evaluate(const Extractor& x, const std::filesystem::path& dir) {
  EvalReport r;
  std::vector<std::filesystem::path> labels;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().string().size() > 12 && e.path().string().ends_with(".labels.json"))
      labels.push_back(e.path());
  if (ec) r.problems.push_back(dir.string() + ": " + ec.message());
  std::sort(labels.begin(), labels.end());
  for (const auto& lp : labels) {
    json gold = json::parse(read(lp), nullptr, false);
    if (gold.is_discarded() || !gold.contains("labels")) {
      r.problems.push_back(lp.string() + ": not a labels file");
      continue;
    }
    auto text_path = lp.parent_path() / gold.value("text_file", "");
    std::string text = read(text_path);
    if (text.empty()) {
      r.problems.push_back(text_path.string() + ": cannot read it");
      continue;
    }
    ++r.contracts;
    Terms terms = x.extract(text);
    for (const auto& f : scored_fields()) {
      const json& g = gold["labels"].value(f, json::object());
      json gv = g.value("normalized", json());
      auto& s = r.fields[f];
      if (!gv.is_null()) ++s.gold;
      auto it = terms.find(f);
      if (it == terms.end()) {
        if (!gv.is_null())
          r.misses.push_back(
              {{"contract", gold["id"]}, {"field", f}, {"gold", gv}, {"answer", nullptr}});
        continue;
      }
      ++s.answered;
      if (same_value(f, it->second.value, gv))
        ++s.correct;
      else
        r.misses.push_back(
            {{"contract", gold["id"]}, {"field", f}, {"gold", gv}, {"answer", it->second.value}});
      if (overlaps(it->second.evidence, g.value("spans", json::array()))) ++s.evidence_hits;
    }
  }
  return r;
}

std::string table(const EvalReport& r) {
  std::ostringstream o;
  char line[256];
  std::snprintf(line, sizeof line, "%-36s %5s %8s %8s %9s %7s %9s\n", "field", "gold", "answered",
                "correct", "precision", "recall", "evidence");
  o << line;
  FieldScore total;
  for (const auto& [f, s] : r.fields) {
    std::snprintf(line, sizeof line, "%-36s %5d %8d %8d %9s %7s %9s\n", f.c_str(), s.gold,
                  s.answered, s.correct, pct(s.correct, s.answered).c_str(),
                  pct(s.correct, s.gold).c_str(), pct(s.evidence_hits, s.answered).c_str());
    o << line;
    total.gold += s.gold;
    total.answered += s.answered;
    total.correct += s.correct;
    total.evidence_hits += s.evidence_hits;
  }
  std::snprintf(line, sizeof line, "%-36s %5d %8d %8d %9s %7s %9s\n", "all", total.gold,
                total.answered, total.correct, pct(total.correct, total.answered).c_str(),
                pct(total.correct, total.gold).c_str(),
                pct(total.evidence_hits, total.answered).c_str());
  o << line << r.contracts << " contracts\n";
  return o.str();
}

}  // namespace covenant::activities::extract
