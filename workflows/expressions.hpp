// Expressions in workflow definitions are jq programs written as "${ … }".
// This header recognises them and checks them with libjq's compiler, so a syntax error is
// reported when a definition is validated, not when a contract reaches the state.
// Thread-safety: a JqChecker owns one jq_state and must not be shared between threads.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct jq_state;

namespace covenant::workflows {

// If `text` is a whole expression "${ … }" (surrounding spaces allowed), returns the jq
// program between the braces (trimmed) and sets `offset` to the position of "${" in text.
std::optional<std::string> unwrap_expression(std::string_view text, std::size_t* offset = nullptr);

// A template's value (a task's input, a summary's figure): constants as written, each
// "${ … }" string replaced by what `eval` gives for its program; the first failure is returned.
using TemplateEval =
    std::function<tl::expected<nlohmann::json, std::string>(const std::string& program)>;
tl::expected<nlohmann::json, std::string> render_template(const nlohmann::json& value,
                                                          const TemplateEval& eval);

// True when `s` is well-formed UTF-8; invalid_utf8_at gives the first bad byte's offset
// (std::string_view::npos when there is none).
bool valid_utf8(std::string_view s);
std::size_t invalid_utf8_at(std::string_view s);

// True when `text` contains "${" anywhere (used to reject half-templated strings).
bool mentions_expression(std::string_view text);

// Variables the engine binds for every expression. Do not remove one: definitions use them.
inline constexpr const char* kExpressionVariables[] = {"now", "instance", "input"};

// What an expression may not use: jq's builtins that reach outside the instance's data.
// env and $ENV read the server's environment (its secrets); now reads the clock, which a
// replay would not see again ($now is the transition's time); input, inputs, input_filename
// and input_line_number read other inputs; debug and stderr write to the server's log; halt
// and halt_error stop the process; get_search_list, get_prog_origin and get_jq_origin name
// the server's directories; localtime and strflocaltime depend on the server's time zone;
// fromjson leaks memory inside libjq 1.6 on malformed text
// (parse JSON in an activity). The prelude goes before every program checked, compiled or
// run: it redefines each of these builtins to name an undefined variable, so a program using
// one does not compile. $ENV, a variable, is found in the text (`mentions_env`) and bound to
// {} where programs run.
std::string_view expression_prelude();

// Whether a string literal of `program` is still open at its end ("abc, "\(.a"): libjq 1.6
// leaks such text when it compiles it, so it never gets it.
bool string_left_open(std::string_view program);
bool mentions_env(std::string_view program);

// jq's compile messages (joined by "; ", as the error callbacks collect them), as one line:
// the program's own first error; else, when only the prelude's definitions fail (the program
// used one of them), which builtin and why it is not available. Empty when there is none.
std::string explain_compile_errors(std::string_view messages);

class JqChecker {
 public:
  JqChecker();
  ~JqChecker();
  JqChecker(const JqChecker&) = delete;
  JqChecker& operator=(const JqChecker&) = delete;

  // Compiles `program`; returns nullopt if it compiles, else jq's message (one line).
  // A program seen before is not compiled again.
  std::optional<std::string> check(const std::string& program);

  // Checks many programs, in answer order. libjq spends ~15 ms binding its builtins on every
  // compile, so a definition with 20,000 distinct expressions would take minutes one by one:
  // programs are compiled together, as definitions of one jq program, in chunks; a chunk
  // that fails is split until the failing programs are found, each then compiled alone for
  // its message. Only programs whose brackets and strings balance join a chunk (nothing
  // can close the definition it is put in). At most `max_failures` failing programs are
  // looked for; the others of a failing chunk get a message saying they were not checked.
  std::vector<std::optional<std::string>> check_all(const std::vector<std::string>& programs,
                                                    int max_failures = 50);

 private:
  std::optional<std::string> compile(const std::string& program);
  std::vector<std::optional<std::string>> check_shapes(const std::vector<std::string>& programs,
                                                       int max_failures);
  // Whether `programs[ids]` all compile as one program (each a definition it calls).
  bool compiles_together(const std::vector<std::string>& programs, const std::vector<int>& ids);
  void find_failures(const std::vector<std::string>& programs, const std::vector<int>& ids,
                     std::vector<std::optional<std::string>>& out, int& failures_left);

  jq_state* jq_;
  std::string errors_;
  std::map<std::string, std::optional<std::string>> seen_;
};

}  // namespace covenant::workflows
