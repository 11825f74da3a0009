// The bounds every JSON value from outside is held to before Covenant keeps or evaluates it.
// nlohmann parses without recursion, but copying, comparing and printing a value recurse, and
// libjq asserts past its own depth limit (~256): a few hundred bytes of brackets can take a
// process down. So one depth limit, well under jq's, applies wherever JSON enters: request
// bodies and events (app/http), instance inputs, events and activity results (the runtime),
// adapter answers (adapters/http), files on the command line, and YAML turned into JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace covenant::workflows {

inline constexpr int kMaxJsonDepth = 64;

// Why `text` nests too deeply ("nested more than 64 levels deep at byte 312"), or nullopt.
// Linear; brackets inside strings do not count. Says nothing about whether `text` is valid.
std::optional<std::string> json_too_deep(std::string_view text, int max_depth = kMaxJsonDepth);

// Why an in-memory value nests too deeply ("nested more than 64 levels deep at
// .a[0].b"), or nullopt. Stops at the limit: never recurses deeper than max_depth + 1.
std::optional<std::string> json_value_too_deep(const nlohmann::json& value,
                                               int max_depth = kMaxJsonDepth);

// Why a JSON text from outside was refused: the limit it broke, or where it is malformed.
struct JsonRefusal {
  enum class Kind { TooDeep, Malformed, NumberOutOfRange };
  Kind kind;
  std::string message;  // says where: a byte offset
};

// Parses JSON from outside: refused when nested past `max_depth`, malformed (including
// invalid UTF-8), or holding a number no double can hold (1e400). Never throws.
tl::expected<nlohmann::json, JsonRefusal> parse_json_input(std::string_view text,
                                                           int max_depth = kMaxJsonDepth);

}  // namespace covenant::workflows
