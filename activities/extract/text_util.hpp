// Small text helpers the rule extractors share: lower-casing, keyword hits, the sentence
// around a position, and building a Term with its evidence. Internal to extract/.
#pragma once

#include "activities/extract/extractor.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

namespace covenant::activities::extract::text {

inline std::string lower(const std::string& s) {
  std::string out = s;
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Whether `needle` is at `p` in `hay`, a space in it standing for any run of whitespace (text
// laid out with double spaces or a line break between words reads the same).
inline bool matches_at(const std::string& hay, std::size_t p, const std::string& needle) {
  std::size_t i = p;
  for (std::size_t k = 0; k < needle.size(); ++k) {
    if (needle[k] == ' ') {
      if (i >= hay.size() || !std::isspace(static_cast<unsigned char>(hay[i]))) return false;
      while (i < hay.size() && std::isspace(static_cast<unsigned char>(hay[i]))) ++i;
    } else {
      if (i >= hay.size() || hay[i] != needle[k]) return false;
      ++i;
    }
  }
  return true;
}

// Every position of `needle` in `hay` before `limit` (a space in `needle` matches any run of
// whitespace).
inline std::vector<std::size_t> hits(const std::string& hay, const std::string& needle,
                                     std::size_t limit = std::string::npos) {
  std::vector<std::size_t> out;
  std::size_t space = needle.find(' ');
  std::string head = needle.substr(0, space);
  if (head.empty()) head = needle;
  for (auto p = hay.find(head); p != std::string::npos && p < limit; p = hay.find(head, p + 1))
    if (space == std::string::npos || matches_at(hay, p, needle)) out.push_back(p);
  return out;
}

// The sentence around `pos`: back to the previous period or blank line, forward to the next
// period followed by a space, at most `cap` bytes each way.
inline std::pair<std::size_t, std::size_t> sentence(const std::string& t, std::size_t pos,
                                                    std::size_t cap = 600) {
  std::size_t b = pos, e = pos;
  while (b > 0 && pos - b < cap &&
         !(t[b - 1] == '.' && (b >= t.size() || std::isspace(static_cast<unsigned char>(t[b])))) &&
         !(t[b - 1] == '\n' && b >= 2 && t[b - 2] == '\n'))
    --b;
  while (
      e < t.size() && e - pos < cap &&
      !(t[e] == '.' && (e + 1 >= t.size() || std::isspace(static_cast<unsigned char>(t[e + 1])))))
    ++e;
  return {b, std::min(e + 1, t.size())};
}

inline Term term(nlohmann::json value, double confidence, const std::string& text,
                 std::size_t start, std::size_t end) {
  end = std::min(end, text.size());
  return {std::move(value),
          confidence,
          {start, end, text.substr(start, end - start)},
          "",
          nullptr,
          "",
          false};
}

// The commercial fields (rules_commercial.cpp): payment_terms, fees, billing_frequency,
// milestones, sla. `l` is `t` lower-cased.
void commercial_terms(const std::string& t, const std::string& l, Terms& out);

// The obligations the text puts on a party (rules_obligations.cpp): deliverables, reports,
// certificates, audits. Reads `out`'s parties to name owners, so it runs after them.
void obligations(const std::string& t, const std::string& l, Terms& out);

}  // namespace covenant::activities::extract::text
