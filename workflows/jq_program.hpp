// JqEvaluator: runs the jq expressions of a compiled workflow against JSON values.
// Compiled programs are cached by source text, so each expression is compiled once per
// evaluator. Values cross as JSON text (jv_parse / jv_dump_string): numbers are IEEE
// doubles inside jq, exact for integers up to 2^53 — far above any amount in minor units.
// Not thread-safe: one evaluator per thread (the engine gives each worker thread its own).
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <map>
#include <memory>
#include <string>

struct jq_state;

namespace covenant::workflows {

class JqEvaluator {
 public:
  JqEvaluator();
  ~JqEvaluator();
  JqEvaluator(const JqEvaluator&) = delete;
  JqEvaluator& operator=(const JqEvaluator&) = delete;

  // Evaluates `program` on `input` with the variables $now, $instance and $input bound from
  // `vars` (missing ones are null). Returns the first output (null if none), or a message:
  // a jq runtime error, or a compile error if the program was never validated; also data that
  // jq would change: an integer beyond ±2^53 (jq's doubles round it) or nesting past jq's limit.
  tl::expected<nlohmann::json, std::string> evaluate(const std::string& program,
                                                     const nlohmann::json& input,
                                                     const nlohmann::json& vars);

 private:
  struct Compiled;
  tl::expected<Compiled*, std::string> compiled(const std::string& program);
  std::map<std::string, std::unique_ptr<Compiled>> cache_;
};

}  // namespace covenant::workflows
