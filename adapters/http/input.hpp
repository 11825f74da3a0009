// Reading an activity's input in an adapter, with errors that name the system and the field
// (Permanent, code "bad_input": the activity fails with InvalidInput before any call).
#pragma once

#include "adapters/http/client.hpp"

#include <nlohmann/json.hpp>

#include <regex>
#include <string>

namespace covenant::adapters::http {

inline Error bad_input(const std::string& system, const std::string& what) {
  return {Failure::Permanent, system + ": " + what, 0, "bad_input"};
}

// A non-empty string field (an integer is accepted as its decimal text). When not
// `required`, an absent or null field is "".
inline Result<std::string> text_field(const nlohmann::json& in, const char* name,
                                      const std::string& system, bool required = true) {
  if (in.contains(name) && in[name].is_string() && !in[name].get<std::string>().empty())
    return in[name].get<std::string>();
  if (in.contains(name) && in[name].is_number_integer())
    return std::to_string(in[name].get<std::int64_t>());
  if (!required && (!in.contains(name) || in[name].is_null())) return std::string();
  return tl::unexpected(
      bad_input(system, std::string("'") + name + "' must be a non-empty string"));
}

// Ids go into URL paths: letters, digits, '-', '_' and '.', at most 80.
inline bool safe_id(const std::string& s) {
  static const std::regex id_re(R"(^[A-Za-z0-9_.\-]{1,80}$)");
  return std::regex_match(s, id_re);
}

// A required id field that is safe in a URL path.
inline Result<std::string> id_field(const nlohmann::json& in, const char* name,
                                    const std::string& system) {
  auto v = text_field(in, name, system);
  if (!v) return v;
  if (!safe_id(*v))
    return tl::unexpected(bad_input(
        system, std::string("'") + name + "' is 1 to 80 letters, digits, '-', '_' or '.'"));
  return v;
}

// An optional YYYY-MM-DD field ("" when absent). The shape only: the system judges the date.
inline Result<std::string> date_field(const nlohmann::json& in, const char* name,
                                      const std::string& system, bool required = false) {
  auto d = text_field(in, name, system, required);
  if (!d || d->empty()) return d;
  static const std::regex date_re(R"(^\d{4}-\d{2}-\d{2}$)");
  if (!std::regex_match(*d, date_re))
    return tl::unexpected(bad_input(system, std::string("'") + name + "' must be YYYY-MM-DD"));
  return d;
}

}  // namespace covenant::adapters::http
