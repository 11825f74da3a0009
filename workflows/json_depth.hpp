// How deeply JSON text nests, checked before it is parsed. nlohmann parses without recursion,
// but copying, comparing and printing a value recurse, and libjq asserts past its own limit: a
// few hundred bytes of brackets can take a process down. Every JSON input from outside
// (a file, a request body, an event) is held to kMaxJsonDepth first.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace covenant::workflows {

inline constexpr int kMaxJsonDepth = 64;

// Why `text` nests too deeply ("nested more than 64 levels deep at byte 312"), or nullopt.
// Linear; brackets inside strings do not count. Says nothing about whether `text` is valid.
inline std::optional<std::string> json_too_deep(std::string_view text,
                                                int max_depth = kMaxJsonDepth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        return "nested more than " + std::to_string(max_depth) + " levels deep at byte " +
               std::to_string(i + 1);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace covenant::workflows
