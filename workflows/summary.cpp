#include "workflows/summary.hpp"

#include "workflows/expressions.hpp"
#include "workflows/subject.hpp"

#include <cctype>
#include <regex>

namespace covenant::workflows {

namespace {

using nlohmann::json;

constexpr FigureType kFigureTypes[] = {FigureType::Money,   FigureType::Date,  FigureType::Duration,
                                       FigureType::Percent, FigureType::Party, FigureType::Link,
                                       FigureType::Text,    FigureType::Number};

bool non_empty_string(const json& v) {
  if (!v.is_string()) return false;
  for (unsigned char c : v.get_ref<const std::string&>())
    if (!std::isspace(c)) return true;
  return false;
}

// The value of one template as type `t`: the value, or null and why not.
std::pair<json, std::string> typed(const Template& t, FigureType type, const SummaryEval& eval) {
  auto v = render_template(t.value, eval);
  if (!v) return {nullptr, "could not be computed: " + v.error()};
  if (v->is_null()) return {nullptr, "missing"};
  if (auto why = figure_value_problem(type, *v); !why.empty()) return {nullptr, why};
  return {std::move(*v), ""};
}

}  // namespace

const char* to_string(FigureType t) {
  switch (t) {
    case FigureType::Money:
      return "money";
    case FigureType::Date:
      return "date";
    case FigureType::Duration:
      return "duration";
    case FigureType::Percent:
      return "percent";
    case FigureType::Party:
      return "party";
    case FigureType::Link:
      return "link";
    case FigureType::Text:
      return "text";
    case FigureType::Number:
      return "number";
  }
  return "?";
}

std::optional<FigureType> figure_type_from_string(std::string_view s) {
  for (auto t : kFigureTypes)
    if (s == to_string(t)) return t;
  return std::nullopt;
}

std::string figure_type_names() {
  std::string out;
  for (auto t : kFigureTypes) out += (out.empty() ? "" : ", ") + std::string(to_string(t));
  return out;
}

std::string figure_value_problem(FigureType t, const json& v) {
  switch (t) {
    case FigureType::Money:
      return subject_value_problem(SubjectType::Money, v, true);
    case FigureType::Date:
      return subject_value_problem(SubjectType::Date, v, true);
    case FigureType::Duration: {
      static const std::regex iso(
          R"(^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$)");
      if (v.is_string() && v.get_ref<const std::string&>().size() <= 40 &&
          std::regex_match(v.get_ref<const std::string&>(), iso))
        return "";
      return "not an ISO 8601 duration (P12M, P30D, PT4H): " + shown_value(v);
    }
    case FigureType::Percent: {
      static const std::regex decimal(R"(^-?\d{1,15}(\.\d{1,6})?$)");
      if (v.is_number()) return "";
      if (v.is_string() && v.get_ref<const std::string&>().size() <= 24 &&
          std::regex_match(v.get_ref<const std::string&>(), decimal))
        return "";
      return "not a percentage (a number such as 99.9): " + shown_value(v);
    }
    case FigureType::Party:
    case FigureType::Text:
      return non_empty_string(v) ? "" : "not a non-empty string: " + shown_value(v);
    case FigureType::Link: {
      if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        bool ok = s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0 ||
                  (s.size() > 1 && s[0] == '/' && s[1] != '/');
        for (unsigned char c : s)
          if (c <= 0x20 || c == 0x7f) ok = false;
        if (ok) return "";
      }
      return "not a link (https://…, http://… or a path on this server): " + shown_value(v);
    }
    case FigureType::Number:
      return v.is_number() ? "" : "not a number: " + shown_value(v);
  }
  return "of an unknown type";
}

json summarize(const GateSummary& s, const std::vector<std::string>& authorizes,
               const SummaryEval& eval) {
  json out = {{"title", ""},
              {"figures", json::array()},
              {"comparisons", json::array()},
              {"writes", json::array()},
              {"problems", json::array()}};
  auto note = [&](const std::string& what, const std::string& why) {
    out["problems"].push_back(what + ": " + why);
  };
  auto [title, title_problem] = typed(s.title, FigureType::Text, eval);
  if (title_problem.empty())
    out["title"] = title;
  else
    note("the title", title_problem);
  for (const auto& f : s.figures) {
    json row = {{"label", f.label}, {"type", to_string(f.type)}};
    auto [value, why] = typed(f.value, f.type, eval);
    row["value"] = value;
    if (!why.empty()) {
      row["problem"] = why;
      note("figure '" + f.label + "'", why);
    }
    if (f.detail) {
      auto [detail, dwhy] = typed(*f.detail, FigureType::Text, eval);
      if (dwhy.empty()) row["detail"] = detail;
    }
    out["figures"].push_back(std::move(row));
  }
  for (const auto& f : s.comparisons) {
    json row = {
        {"label", f.label}, {"type", to_string(f.type)}, {"against_label", f.against_label}};
    auto [value, why] = typed(f.value, f.type, eval);
    auto [against, awhy] =
        f.against ? typed(*f.against, f.type, eval) : std::pair<json, std::string>{nullptr, ""};
    row["value"] = value;
    row["against"] = against;
    std::string problem = !why.empty()    ? "the value: " + why
                          : !awhy.empty() ? f.against_label + ": " + awhy
                                          : "";
    if (problem.empty()) {
      row["matches"] = value == against;
    } else {
      row["matches"] = nullptr;
      row["problem"] = problem;
      note("comparison '" + f.label + "'", problem);
    }
    out["comparisons"].push_back(std::move(row));
  }
  for (const auto& activity : authorizes) {
    json row = {{"activity", activity}};
    for (const auto& [declared, amount] : s.writes) {
      if (declared != activity) continue;
      auto [value, why] = typed(amount, FigureType::Money, eval);
      row["amount"] = value;
      if (!why.empty()) {
        row["problem"] = why;
        note("write '" + activity + "'", why);
      }
    }
    out["writes"].push_back(std::move(row));
  }
  return out;
}

}  // namespace covenant::workflows
