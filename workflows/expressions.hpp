// Expressions in workflow definitions are jq programs written as "${ … }".
// This header recognises them and checks them with libjq's compiler, so a syntax error is
// reported when a definition is validated, not when a contract reaches the state.
// Thread-safety: a JqChecker owns one jq_state and must not be shared between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

struct jq_state;

namespace covenant::workflows {

// If `text` is a whole expression "${ … }" (surrounding spaces allowed), returns the jq
// program between the braces (trimmed) and sets `offset` to the position of "${" in text.
std::optional<std::string> unwrap_expression(std::string_view text, std::size_t* offset = nullptr);

// True when `s` is well-formed UTF-8; invalid_utf8_at gives the first bad byte's offset
// (std::string_view::npos when there is none).
bool valid_utf8(std::string_view s);
std::size_t invalid_utf8_at(std::string_view s);

// True when `text` contains "${" anywhere (used to reject half-templated strings).
bool mentions_expression(std::string_view text);

// Variables the engine binds for every expression. Do not remove one: definitions use them.
inline constexpr const char* kExpressionVariables[] = {"now", "instance", "input"};

class JqChecker {
 public:
  JqChecker();
  ~JqChecker();
  JqChecker(const JqChecker&) = delete;
  JqChecker& operator=(const JqChecker&) = delete;

  // Compiles `program`; returns nullopt if it compiles, else jq's message (one line).
  std::optional<std::string> check(const std::string& program);

 private:
  jq_state* jq_;
  std::string errors_;
};

}  // namespace covenant::workflows
