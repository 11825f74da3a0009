#include "activities/bill/milestone_event.hpp"

#include <cctype>
#include <map>
#include <regex>
#include <vector>

namespace covenant::activities::bill {

namespace {

// Lower case, words separated by single spaces (hyphens and punctuation are spaces), and a
// leading "upon", "on" or "at" dropped: "Upon go-live of the Service." → "go live of the service".
std::string normalize(const std::string& event) {
  std::string out;
  for (unsigned char c : event) {
    bool word = std::isalnum(c) || c >= 0x80;
    if (word)
      out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != ' ')
      out += ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  for (const char* lead : {"upon ", "on ", "at "})
    if (out.rfind(lead, 0) == 0) out = out.substr(std::char_traits<char>::length(lead));
  return out;
}

// This agreement, in the words contracts use for it.
const std::string kThisAgreement =
    "(?:this|the) (?:agreement|contract|order form|order|master (?:services |subscription )?"
    "agreement|msa|statement of work|sow)";

// Signing this agreement, or the agreement's start.
const std::string kSigning =
    "(?:the )?(?:(?:mutual |full |final )?(?:signature|signing|execution|countersignature)"
    "(?: hereof| of " +
    kThisAgreement + ")?(?: by (?:both |all |the )*part(?:y|ies))?|effective date(?: hereof| of " +
    kThisAgreement + ")?|" + kThisAgreement +
    " (?:signature|signing|execution|effective date)|contract start|start of (?:the )?term|"
    "commencement of (?:the )?term|commencement date)";

const std::map<std::string, int>& number_words() {
  static const std::map<std::string, int> words = {
      {"one", 1},     {"two", 2},         {"three", 3},    {"four", 4},    {"five", 5},
      {"six", 6},     {"seven", 7},       {"eight", 8},    {"nine", 9},    {"ten", 10},
      {"eleven", 11}, {"twelve", 12},     {"fifteen", 15}, {"twenty", 20}, {"thirty", 30},
      {"forty", 40},  {"forty five", 45}, {"sixty", 60},   {"ninety", 90}};
  return words;
}

struct Mention {
  const char* kind;
  std::regex words;
};

const std::vector<Mention>& mentions() {
  static const std::vector<Mention> m = {
      {"signing", std::regex(R"(\b(?:signature|signatures|signing|signed|sign|execution|executed|)"
                             R"(countersign\w*|effective date)\b)")},
      {"acceptance", std::regex(R"(\b(?:acceptance|accepted|accepts|accept)\b)")},
      {"go_live", std::regex(R"(\b(?:go live|golive|launch|launched)\b)")},
      {"delivery", std::regex(R"(\b(?:delivery|deliveries|delivered|shipment)\b)")},
      {"completion", std::regex(R"(\b(?:completion|completed|complete)\b)")},
  };
  return m;
}

}  // namespace

MilestoneEvent classify_milestone_event(const std::string& event) {
  MilestoneEvent out;
  std::string n = normalize(event);
  if (n.empty()) {
    out.unclear = "the milestone names no event";
    return out;
  }
  static const std::regex signing("^" + kSigning + "$");
  if (std::regex_match(n, signing)) {
    out.kind = "signing";
    out.at_signing = true;
    return out;
  }
  static const std::regex offset(
      R"(^(?:([a-z]+(?: [a-z]+)?) )?(?:(\d{1,4}) )?(?:calendar )?(day|week|month|year)s? )"
      R"((?:after|following|from) )" +
      kSigning + "$");
  std::smatch m;
  if (std::regex_match(n, m, offset)) {
    int value = -1;
    if (m[2].matched)
      value = std::stoi(m[2]);
    else if (m[1].matched && number_words().count(m[1]))
      value = number_words().at(m[1]);
    bool words_agree = !m[1].matched || !m[2].matched || !number_words().count(m[1]) ||
                       number_words().at(m[1]) == value;
    if (value > 0 && words_agree) {
      out.kind = "signing";
      out.after_signing = std::make_pair(value, m[3].str());
      return out;
    }
  }
  std::vector<std::string> named;
  for (const auto& mention : mentions())
    if (std::regex_search(n, mention.words)) named.push_back(mention.kind);
  static const std::regex choice(
      R"(\b(?:or|whichever|earlier|earliest|later|latest|latter|former|unless|if|provided)\b)");
  if (!named.empty() && named.front() == "signing")
    out.unclear = "'" + event +
                  "' speaks of signing or the effective date, but not as this agreement's "
                  "signature: a person decides when it is due";
  else if (named.size() > 1)
    out.unclear = "'" + event + "' names more than one event (" + named[0] + ", " + named[1] + ")";
  else if (!named.empty() && std::regex_search(n, choice))
    out.unclear = "'" + event + "' makes the event a choice or a condition";
  for (const auto& k : named)
    if (k != "signing") {
      out.kind = k;
      break;
    }
  return out;
}

}  // namespace covenant::activities::bill
