#include "workflows/subject.hpp"

#include "workflows/money.hpp"

#include <cctype>
#include <cstdint>

namespace covenant::workflows {

namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool is_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= days[m - 1] + (m == 2 && leap(y) ? 1 : 0);
}

bool is_id(const std::string& s) {
  if (s.empty() || s.size() > 256) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f) return false;
  return true;
}

bool is_currency(const nlohmann::json& c) {
  return c.is_string() && money::is_currency(c.get<std::string>());
}

}  // namespace

// Why `v` is not a `t`, or "" when it is.
std::string shown_value(const nlohmann::json& v) {
  std::string s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

std::string subject_value_problem(SubjectType t, const nlohmann::json& v, bool required) {
  std::string shown = shown_value(v);
  switch (t) {
    case SubjectType::Money:
      if (!v.is_object() || !v.contains("amount_minor") || !v["amount_minor"].is_number_integer())
        return "not money ({amount_minor: integer, currency}): " + shown;
      // Money is a signed 64-bit count of minor units: a larger number does not wrap around.
      if (v["amount_minor"].is_number_unsigned() &&
          v["amount_minor"].get<std::uint64_t>() > std::uint64_t(INT64_MAX))
        return "money beyond 64-bit minor units: " + shown;
      if (!v.contains("currency") || !is_currency(v["currency"]))
        return "money without an ISO 4217 currency: " + shown;
      return "";
    case SubjectType::Date:
      return v.is_string() && is_date(v.get<std::string>()) ? ""
                                                            : "not a date (YYYY-MM-DD): " + shown;
    case SubjectType::String:
      if (!v.is_string()) return "not a string: " + shown;
      return required && v.get<std::string>().empty() ? "empty" : "";
    case SubjectType::Id:
      return v.is_string() && is_id(v.get<std::string>()) ? "" : "not an id: " + shown;
    case SubjectType::Integer:
      return v.is_number_integer() ? "" : "not a whole number: " + shown;
    case SubjectType::Boolean:
      return v.is_boolean() ? "" : "not true or false: " + shown;
    case SubjectType::List:
      return v.is_array() ? "" : "not a list: " + shown;
    case SubjectType::Object:
      return v.is_object() ? "" : "not an object: " + shown;
  }
  return "of an unknown type";
}

const char* to_string(SubjectType t) {
  switch (t) {
    case SubjectType::Money:
      return "money";
    case SubjectType::Date:
      return "date";
    case SubjectType::String:
      return "string";
    case SubjectType::Id:
      return "id";
    case SubjectType::Integer:
      return "integer";
    case SubjectType::Boolean:
      return "boolean";
    case SubjectType::List:
      return "list";
    case SubjectType::Object:
      return "object";
  }
  return "?";
}

std::optional<SubjectType> subject_type_from_string(std::string_view s) {
  for (auto t :
       {SubjectType::Money, SubjectType::Date, SubjectType::String, SubjectType::Id,
        SubjectType::Integer, SubjectType::Boolean, SubjectType::List, SubjectType::Object})
    if (s == to_string(t)) return t;
  return std::nullopt;
}

std::vector<SubjectProblem> check_subject(const std::vector<SubjectField>& fields,
                                          const nlohmann::json& subject) {
  std::vector<SubjectProblem> out;
  for (const auto& f : fields) {
    auto it = subject.is_object() ? subject.find(f.name) : subject.end();
    bool absent = !subject.is_object() || it == subject.end() || it->is_null();
    if (absent) {
      if (f.required)
        out.push_back({f.name, std::string("missing (a required ") + to_string(f.type) + ", from " +
                                   f.from.source + ")"});
      continue;
    }
    if (auto why = subject_value_problem(f.type, *it, f.required); !why.empty())
      out.push_back({f.name, why});
  }
  return out;
}

std::vector<ReadPath> subject_covers(const ApprovalState& gate) {
  std::vector<ReadPath> out;
  if (gate.subject) {  // a definition from before declared subjects: the paths it reads
    for (auto& p : read_paths(gate.subject->source)) out.push_back(std::move(p));
    return out;
  }
  for (const auto& f : gate.subject_fields)
    if (auto p = plain_path(f.from.source)) out.push_back(std::move(*p));
  return out;
}

std::optional<std::string> subject_read_problem(const std::vector<SubjectField>& fields,
                                                const ReadPath& path) {
  if (path.segments.empty())
    return std::string("reads the whole subject; read its declared fields by name");
  const SubjectField* f = nullptr;
  for (const auto& x : fields)
    if (x.name == path.segments[0]) f = &x;
  if (!f) {
    std::string names;
    for (const auto& x : fields) names += (names.empty() ? "" : ", ") + x.name;
    return "reads ." + path.segments[0] + ", which is not a declared subject field (" + names + ")";
  }
  if (path.segments.size() == 1) return std::nullopt;
  switch (f->type) {
    case SubjectType::Money:
      if (path.segments.size() == 2 &&
          (path.segments[1] == "amount_minor" || path.segments[1] == "currency"))
        return std::nullopt;
      return "reads " + path.text() + ": a money field has only .amount_minor and .currency";
    case SubjectType::List:
    case SubjectType::Object:
      return std::nullopt;
    default:
      return "reads " + path.text() + ", below the " + to_string(f->type) + " field '" + f->name +
             "'";
  }
}

}  // namespace covenant::workflows
