// Reading an activity's input in an adapter, with errors that name the system and the field
// (Permanent, code "bad_input": the activity fails with InvalidInput before any call).
#pragma once

#include "adapters/http/client.hpp"

#include <nlohmann/json.hpp>

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

}  // namespace covenant::adapters::http
