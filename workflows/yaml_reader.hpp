// Typed reading of yaml-cpp nodes with located diagnostics. The loader uses it to turn
// YAML into the syntax tree while collecting every problem, not just the first.
// Not thread-safe: a YamlReader belongs to one load.
#pragma once

#include "workflows/diagnostics.hpp"
#include "workflows/expressions.hpp"
#include "workflows/model.hpp"

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace covenant::workflows {

// The closest candidate within a small edit distance, or "" when none is close.
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  SourceSpan span(const YAML::Node& node) const;
  SourceSpan span(const YAML::Mark& mark) const;
  void error(const SourceSpan& at, const char* code, std::string message);
  void warning(const SourceSpan& at, const char* code, std::string message);
  Diagnostics& diagnostics() { return diagnostics_; }
  const std::string& file() const { return file_; }

  // Each reader reports a wrong-type (or bad-value) diagnostic and returns nullopt when
  // the node does not hold what is asked. `what` names the field for messages, e.g.
  // "state 'bill': field 'timeout'".
  std::optional<std::string> string(const YAML::Node& n, const std::string& what);
  std::optional<std::int64_t> integer(const YAML::Node& n, const std::string& what,
                                      std::int64_t min, std::int64_t max);
  std::optional<double> number(const YAML::Node& n, const std::string& what, double min,
                               double max);
  std::optional<bool> boolean(const YAML::Node& n, const std::string& what);
  std::optional<Duration> duration(const YAML::Node& n, const std::string& what);
  std::optional<Expression> expression(const YAML::Node& n, const std::string& what);
  std::optional<Path> path(const YAML::Node& n, const std::string& what);
  std::optional<StateRef> state_ref(const YAML::Node& n, const std::string& what);
  std::optional<std::vector<std::string>> string_list(const YAML::Node& n, const std::string& what,
                                                      std::vector<SourceSpan>* spans = nullptr);
  std::optional<Template> templ(const YAML::Node& n, const std::string& what);
  bool expect_map(const YAML::Node& n, const std::string& what);
  bool expect_list(const YAML::Node& n, const std::string& what);
  // Compiles every expression read so far, together (JqChecker::check_all), and reports
  // those that do not compile. The loader calls it once, after reading the definition.
  void check_expressions();

 private:
  nlohmann::json to_json(const YAML::Node& n, std::vector<Expression>& exprs,
                         const std::string& what);
  std::optional<Expression> check_expression(const YAML::Node& n, const std::string& text,
                                             const std::string& what);

  JqChecker& jq();

  std::string file_;
  Diagnostics diagnostics_;
  std::optional<JqChecker> jq_;  // created on the first expression: jq_init is not free
  // Expressions read but not yet compiled (check_expressions): program, where, what.
  struct Pending {
    std::string program;
    SourceSpan at;
    std::string what;
  };
  std::vector<Pending> pending_;
};

// The fields of one YAML mapping. Construction reports duplicate keys and unknown keys
// (with a "did you mean" when one is close); get() then looks fields up by name.
class Fields {
 public:
  // `owner` prefixes messages ("state 'bill'"); `hint` is called for an unknown key and may
  // return extra advice (e.g. "'authorizes' belongs to approval states"); `at` is where
  // missing fields are reported (default: the mapping itself).
  using Hint = std::string (*)(std::string_view key);
  Fields(YamlReader& r, const YAML::Node& map, std::string owner,
         std::vector<std::string_view> known, Hint hint = nullptr,
         std::optional<SourceSpan> at = std::nullopt);

  std::optional<YAML::Node> get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }
  // Like get(), but reports missing-field at the mapping when absent.
  std::optional<YAML::Node> require(std::string_view key) const;
  SourceSpan key_span(std::string_view key) const;
  const SourceSpan& span() const { return span_; }
  const std::string& owner() const { return owner_; }
  // "state 'bill': field 'next'"
  std::string what(std::string_view key) const;
  // True when an unknown key was reported with "did you mean '<key>'?": the field is then
  // not reported missing as well — one mistake, one message.
  bool suggested(std::string_view key) const;

 private:
  YamlReader& r_;
  std::string owner_;
  SourceSpan span_;
  std::vector<std::pair<std::string, std::pair<YAML::Node, YAML::Node>>> entries_;
  std::vector<std::string> suggested_;
};

}  // namespace covenant::workflows
