#include "workflows/jq_program.hpp"

#include "workflows/expressions.hpp"

extern "C" {
#include <jq.h>
#include <jv.h>
}

#include <cstdint>
#include <optional>
#include <vector>

namespace covenant::workflows {
namespace {

void collect(void* data, jv msg) {
  auto* out = static_cast<std::string*>(data);
  if (jv_get_kind(msg) == JV_KIND_STRING) {
    if (!out->empty()) out->append("; ");
    out->append(jv_string_value(msg));
  }
  jv_free(msg);
}

// The key of the value a caught error becomes (see `compiled`).
constexpr const char* kErrorMark = "__covenant_jq_error__";

jv to_jv(const nlohmann::json& j) { return jv_parse(j.dump().c_str()); }

// jq computes with doubles: an integer beyond ±2^53 would come back rounded (an amount of
// 9007199254740993 minor units as …992, 6e18 as a float). Such a number is refused before
// jq sees it, naming where it is, instead of changing silently. Iterative: inputs nest deeply.
std::optional<std::string> inexact_number(const nlohmann::json& root, const std::string& name) {
  constexpr std::uint64_t kExact = std::uint64_t{1} << 53;
  std::vector<std::pair<const nlohmann::json*, std::string>> todo = {{&root, name}};
  while (!todo.empty()) {
    auto [v, path] = todo.back();
    todo.pop_back();
    if (v->is_number_unsigned()  ? v->get<std::uint64_t>() > kExact
        : v->is_number_integer() ? (v->get<std::int64_t>() > static_cast<std::int64_t>(kExact) ||
                                    v->get<std::int64_t>() < -static_cast<std::int64_t>(kExact))
                                 : false)
      return "the number " + v->dump() + " at " + (path.empty() ? "." : path) +
             " is beyond the integers expressions compute exactly (±2^53): it is not passed "
             "through an expression, where it would be rounded";
    if (v->is_object())
      for (const auto& [k, child] : v->items()) todo.emplace_back(&child, path + "." + k);
    else if (v->is_array())
      for (std::size_t i = 0; i < v->size(); ++i)
        todo.emplace_back(&(*v)[i], path + "[" + std::to_string(i) + "]");
  }
  return std::nullopt;
}

nlohmann::json from_jv(jv v) {
  jv text = jv_dump_string(v, 0);  // consumes v
  nlohmann::json out = nlohmann::json::parse(jv_string_value(text));
  jv_free(text);
  return out;
}

}  // namespace

struct JqEvaluator::Compiled {
  jq_state* jq = nullptr;
  std::string errors;
  ~Compiled() {
    if (jq) jq_teardown(&jq);
  }
};

JqEvaluator::JqEvaluator() = default;
JqEvaluator::~JqEvaluator() = default;

tl::expected<JqEvaluator::Compiled*, std::string> JqEvaluator::compiled(
    const std::string& program) {
  if (auto it = cache_.find(program); it != cache_.end()) return it->second.get();
  if (string_left_open(program))  // libjq would leak it (deploying refuses it; a stored row?)
    return tl::unexpected(std::string("jq: syntax error: a string is not closed"));
  auto c = std::make_unique<Compiled>();
  c->jq = jq_init();
  if (!c->jq) return tl::unexpected(std::string("jq_init failed"));
  jq_set_error_cb(c->jq, collect, &c->errors);
  // jq 1.6 binds named arguments at compile time; to compile once and bind per run, the
  // variables travel in the input: [$now, $instance, $input, the real input].
  // The prelude keeps what reaches outside the data out (expressions.hpp), for definitions
  // stored before it did too; $ENV is bound to nothing.
  // Errors are caught inside jq and come out as a marked value, so the stream of outputs
  // always ends cleanly: asked for the next output after an error, libjq 1.6 asserts
  // (aborting the process) when the error ended the program — `.[] | .x` over an object
  // whose first value is a string did. (libjq 1.6 still leaks about 18 bytes when an error
  // leaves an iteration, caught or not: its bug, docs/language.md.)
  std::string wrapped = std::string(expression_prelude()) +
                        "try ({} as $ENV | . as [$now, $instance, $input, $__covenant_in] | "
                        "$__covenant_in | (" +
                        program + "\n)) catch {" + kErrorMark + ": .}";
  if (!jq_compile(c->jq, wrapped.c_str())) {
    std::string why = explain_compile_errors(c->errors);
    return tl::unexpected("jq: " + (why.empty() ? std::string("cannot compile") : why));
  }
  auto* raw = c.get();
  cache_.emplace(program, std::move(c));
  return raw;
}

tl::expected<nlohmann::json, std::string> JqEvaluator::evaluate(const std::string& program,
                                                                const nlohmann::json& input,
                                                                const nlohmann::json& vars) {
  auto c = compiled(program);
  if (!c) return tl::unexpected(c.error());
  jq_state* jq = (*c)->jq;
  (*c)->errors.clear();
  nlohmann::json packed = nlohmann::json::array();
  for (const char* name : kExpressionVariables) {
    auto it = vars.find(name);
    packed.push_back(it == vars.end() ? nlohmann::json(nullptr) : *it);
  }
  packed.push_back(input);
  for (std::size_t i = packed.size(); i-- > 0;) {  // the input first, then the variables
    std::string where = i < std::size(kExpressionVariables)
                            ? std::string("$") + kExpressionVariables[i]
                            : std::string();
    if (auto inexact = inexact_number(packed[i], where)) return tl::unexpected("jq: " + *inexact);
  }
  jv in = to_jv(packed);
  if (!jv_is_valid(in)) {  // nested past jq's own depth limit: jq_start asserts on it
    jv msg = jv_invalid_get_msg(in);
    std::string why = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "invalid";
    jv_free(msg);
    return tl::unexpected("jq: the input cannot be given to jq (" + why + ")");
  }
  jq_start(jq, in, 0);
  jv result = jq_next(jq);
  nlohmann::json out = nullptr;
  std::string error;
  if (jv_is_valid(result)) {
    out = from_jv(result);
    if (out.is_object() && out.size() == 1 && out.contains(kErrorMark)) {
      const auto& e = out[kErrorMark];
      error = e.is_string() ? e.get<std::string>() : e.is_null() ? "null (null)" : e.dump();
      if (error.empty()) error = "jq error";
      out = nullptr;
    }
    // Drain the remaining outputs, up to the first invalid value: jq 1.6 asserts (aborting
    // the process) when jq_next is called again after it gave one, e.g. after an error.
    for (bool valid = true; valid;) {
      jv more = jq_next(jq);
      valid = jv_is_valid(more);
      jv_free(more);
    }
  } else if (jv_invalid_has_msg(jv_copy(result))) {
    jv msg = jv_invalid_get_msg(result);
    error = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "jq error";
    jv_free(msg);
  } else {
    jv_free(result);  // no output: null
  }
  if (!error.empty()) return tl::unexpected("jq: " + error);
  return out;
}

}  // namespace covenant::workflows
