#include "workflows/expressions.hpp"

#include <stdexcept>

extern "C" {
#include <jq.h>
#include <jv.h>
}

namespace covenant::workflows {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void collect_error(void* data, jv msg) {
  auto* out = static_cast<std::string*>(data);
  if (jv_get_kind(msg) == JV_KIND_STRING) {
    if (!out->empty()) out->append("; ");
    out->append(jv_string_value(msg));
  }
  jv_free(msg);
}

// jq's messages look like "syntax error, unexpected ']' ... at <top-level>, line 1:\n.a ]".
// Keep the first line, drop the "jq: error: " prefix and the trailing summary.
std::string tidy(std::string msg) {
  const std::string prefix = "jq: error: ";
  if (msg.rfind(prefix, 0) == 0) msg.erase(0, prefix.size());
  if (auto nl = msg.find('\n'); nl != std::string::npos) msg.erase(nl);
  const std::string where = " at <top-level>, line 1:";
  if (auto at = msg.find(where); at != std::string::npos) msg.erase(at, where.size());
  while (!msg.empty() && (is_space(msg.back()) || msg.back() == ':')) msg.pop_back();
  return msg;
}

}  // namespace

std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    int extra = c < 0x80           ? 0
                : (c >> 5) == 0x6  ? 1
                : (c >> 4) == 0xe  ? 2
                : (c >> 3) == 0x1e ? 3
                                   : -1;
    if (extra < 0 || (extra > 0 && i + extra >= s.size())) return i;
    if (c == 0xC0 || c == 0xC1) return i;  // an overlong encoding of an ASCII byte
    for (int k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return i;
    i += extra + 1;
  }
  return std::string_view::npos;
}

bool valid_utf8(std::string_view s) { return invalid_utf8_at(s) == std::string_view::npos; }

std::optional<std::string> unwrap_expression(std::string_view text, std::size_t* offset) {
  std::size_t b = 0, e = text.size();
  while (b < e && is_space(text[b])) ++b;
  while (e > b && is_space(text[e - 1])) --e;
  if (e - b < 3 || text.substr(b, 2) != "${" || text[e - 1] != '}') return std::nullopt;
  if (offset) *offset = b;
  std::string_view inner = text.substr(b + 2, e - b - 3);
  std::size_t ib = 0, ie = inner.size();
  while (ib < ie && is_space(inner[ib])) ++ib;
  while (ie > ib && is_space(inner[ie - 1])) --ie;
  return std::string(inner.substr(ib, ie - ib));
}

bool mentions_expression(std::string_view text) { return text.find("${") != std::string::npos; }

JqChecker::JqChecker() : jq_(jq_init()) {
  if (!jq_) throw std::runtime_error("jq_init failed (out of memory)");
  jq_set_error_cb(jq_, collect_error, &errors_);
}

JqChecker::~JqChecker() { jq_teardown(&jq_); }

std::optional<std::string> JqChecker::check(const std::string& program) {
  if (program.empty()) return "the expression is empty";
  // libjq 1.6 leaks on some malformed UTF-8; such text is never a valid expression anyway.
  if (!valid_utf8(program)) return "the expression is not valid UTF-8";
  errors_.clear();
  jv args = jv_object();
  for (const char* name : kExpressionVariables)
    args = jv_object_set(args, jv_string(name), jv_null());
  if (jq_compile_args(jq_, program.c_str(), args)) return std::nullopt;
  std::string msg = tidy(errors_);
  if (msg.empty()) msg = "jq could not compile it";
  return msg;
}

}  // namespace covenant::workflows
