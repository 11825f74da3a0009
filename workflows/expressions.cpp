#include "workflows/expressions.hpp"

#include "workflows/identifier.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>
#include <vector>

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

tl::expected<nlohmann::json, std::string> render_template(const nlohmann::json& value,
                                                          const TemplateEval& eval) {
  if (value.is_string()) {
    if (auto program = unwrap_expression(value.get_ref<const std::string&>()))
      return eval(*program);
    return value;
  }
  if (!value.is_object() && !value.is_array()) return value;
  nlohmann::json out = value.is_object() ? nlohmann::json::object() : nlohmann::json::array();
  for (auto it = value.begin(); it != value.end(); ++it) {
    auto v = render_template(*it, eval);
    if (!v) return v;
    if (value.is_object())
      out[it.key()] = std::move(*v);
    else
      out.push_back(std::move(*v));
  }
  return out;
}

namespace {

constexpr std::string_view kNoPrefix = "$__covenant_no_";

struct Unavailable {
  const char* builtin;  // as jq names it, with its arity
  const char* name;     // the variable the prelude's definition names
  const char* why;
};

constexpr Unavailable kUnavailable[] = {
    {"env", "env", "it reads the server's environment"},
    {"now", "now", "it reads the clock, which a replay would not see again; use $now"},
    {"input", "input", "it reads other inputs"},
    {"inputs", "inputs", "it reads other inputs"},
    {"input_filename", "input_filename", "it reads other inputs"},
    {"input_line_number", "input_line_number", "it reads other inputs"},
    {"debug", "debug", "it writes to the server's log"},
    {"stderr", "stderr", "it writes to the server's log"},
    {"halt", "halt", "it stops the process"},
    {"halt_error", "halt_error", "it stops the process"},
    {"halt_error(f)", "halt_error_1", "it stops the process"},
    {"get_search_list", "get_search_list", "it reads the server's files"},
    {"get_prog_origin", "get_prog_origin", "it reads the server's files"},
    {"get_jq_origin", "get_jq_origin", "it reads the server's files"},
    {"localtime", "localtime", "it reads the server's time zone; use gmtime"},
    {"strflocaltime(f)", "strflocaltime_1", "it reads the server's time zone; use strftime"},
    {"fromjson", "fromjson",
     "libjq leaks memory on malformed text; parse JSON in an activity instead"},
};

}  // namespace

std::string_view expression_prelude() {
  static const std::string prelude = [] {
    std::string out;
    for (const auto& u : kUnavailable) {
      std::string head = u.builtin;
      if (auto paren = head.find('('); paren != std::string::npos) head.replace(paren, 3, "($f)");
      out += "def " + head + ": " + std::string(kNoPrefix) + u.name + "; ";
    }
    // libjq 1.6 aborts the process (jv_array_get's assertion) when strftime — and todate and
    // todateiso8601, built on it — gets a number of seconds that gmtime cannot convert (past
    // about 1e17: 1e18 | todate). Numbers go through gmtime first, which answers an error.
    out +=
        "def __covenant_strftime(f): strftime(f); "
        "def strftime(f): if type == \"number\" then gmtime | __covenant_strftime(f) "
        "else __covenant_strftime(f) end; "
        "def todateiso8601: strftime(\"%Y-%m-%dT%H:%M:%SZ\"); def todate: todateiso8601; ";
    return out;
  }();
  return prelude;
}

namespace {

// Which builtin a message about the prelude's variable is about, and why it is refused.
std::string unavailable(std::string_view message) {
  std::string_view rest = message.substr(message.find(kNoPrefix) + kNoPrefix.size());
  std::size_t end = 0;
  while (end < rest.size() &&
         (std::isalnum(static_cast<unsigned char>(rest[end])) || rest[end] == '_'))
    ++end;
  for (const auto& u : kUnavailable)
    if (rest.substr(0, end) == u.name) {
      std::string name = u.builtin;
      if (auto paren = name.find('('); paren != std::string::npos) name.erase(paren);
      return "'" + name + "' is not available in expressions: " + u.why;
    }
  return std::string(message);
}

}  // namespace

std::string explain_compile_errors(std::string_view messages) {
  std::vector<std::string_view> own, trapped;
  while (!messages.empty()) {
    auto next = messages.find("; jq: ");
    std::string_view one = messages.substr(0, next);
    // The first line says what is wrong; the next ones quote the program, prelude included.
    if (one.substr(0, one.find('\n')).find(kNoPrefix) != std::string_view::npos)
      trapped.push_back(one);
    else if (one.find("compile error") == std::string_view::npos)
      own.push_back(one);
    if (next == std::string_view::npos) break;
    messages.remove_prefix(next + 2);
  }
  if (!own.empty()) return tidy(std::string(own.front()));
  if (!trapped.empty()) return unavailable(trapped.front());
  return {};
}

bool mentions_env(std::string_view program) {
  for (auto at = program.find("$ENV"); at != std::string_view::npos;
       at = program.find("$ENV", at + 1)) {
    std::size_t after = at + 4;
    if (after == program.size() ||
        !(std::isalnum(static_cast<unsigned char>(program[after])) || program[after] == '_'))
      return true;
  }
  return false;
}

JqChecker::JqChecker() : jq_(jq_init()) {
  if (!jq_) throw std::runtime_error("jq_init failed (out of memory)");
  jq_set_error_cb(jq_, collect_error, &errors_);
}

JqChecker::~JqChecker() { jq_teardown(&jq_); }

std::optional<std::string> JqChecker::check(const std::string& program) {
  if (auto it = seen_.find(program); it != seen_.end()) return it->second;
  auto answer = compile(program);
  seen_.emplace(program, answer);
  return answer;
}

namespace {

// How a program nests, read outside strings and comments: what is still open at its end —
// '(' '[' '{' in code, '"' a string, 'i' an interpolation "\( … )" — and whether a closer met
// something it does not close.
struct Nesting {
  std::vector<char> open;
  bool mismatched = false;
};

Nesting nesting(std::string_view program) {
  Nesting n;
  auto& open = n.open;
  for (std::size_t i = 0; i < program.size(); ++i) {
    char c = program[i];
    if (!open.empty() && open.back() == '"') {
      if (c == '"') {
        open.pop_back();
      } else if (c == '\\') {
        if (i + 1 < program.size() && program[i + 1] == '(') open.push_back('i');
        ++i;
      }
      continue;
    }
    auto close = [&](bool matches) {
      if (matches)
        open.pop_back();
      else
        n.mismatched = true;
    };
    switch (c) {
      case '"':
      case '(':
      case '[':
      case '{':
        open.push_back(c);
        break;
      case ')':
        close(!open.empty() && (open.back() == '(' || open.back() == 'i'));
        break;
      case ']':
        close(!open.empty() && open.back() == '[');
        break;
      case '}':
        close(!open.empty() && open.back() == '{');
        break;
      case '#':  // a comment runs to the end of the line
        while (i < program.size() && program[i] != '\n') ++i;
        break;
      default:
        break;
    }
  }
  return n;
}

}  // namespace

bool string_left_open(std::string_view program) {
  auto open = nesting(program).open;
  return std::find(open.begin(), open.end(), '"') != open.end();
}

std::optional<std::string> JqChecker::compile(const std::string& program) {
  if (program.empty()) return "the expression is empty";
  // libjq 1.6 leaks on some malformed UTF-8; such text is never a valid expression anyway.
  if (!valid_utf8(program)) return "the expression is not valid UTF-8";
  // libjq 1.6 leaks the text of a string that never closes: refused before it sees it.
  if (string_left_open(program)) return "syntax error: a string is not closed (a '\"' is missing)";
  if (mentions_env(program))
    return std::string(
        "'$ENV' is not available in expressions: it reads the server's "
        "environment");
  errors_.clear();
  jv args = jv_object();
  for (const char* name : kExpressionVariables)
    args = jv_object_set(args, jv_string(name), jv_null());
  std::string text = std::string(expression_prelude()) + program;
  if (jq_compile_args(jq_, text.c_str(), args)) return std::nullopt;
  std::string msg = explain_compile_errors(errors_);
  if (msg.empty()) msg = "jq could not compile it";
  return msg;
}

namespace {

constexpr std::size_t kChunk = 200;
constexpr const char* kNotChecked =
    "not checked: too many expressions of this definition do not compile";  // programs per compile
                                                                            // (jq's parser nests
                                                                            // definitions)
constexpr std::string_view kDefPrefix = "__covenant_check_";

// Whether `program` can be put inside "def f: (" … "\n);" without closing it: its
// parentheses, brackets and braces balance outside strings, its strings close (string
// interpolation "\( … )" included), and it does not name the definitions it is put among.
bool self_contained(std::string_view program) {
  if (program.find(kDefPrefix) != std::string_view::npos) return false;
  auto n = nesting(program);
  return !n.mismatched && n.open.empty();
}

// jq 1.6's keywords: `.if` is not a field access there, so such a field keeps its name.
bool keyword(std::string_view w) {
  static const std::set<std::string_view> words = {
      "def", "if",    "then",  "elif",   "else",    "end", "as", "reduce", "foreach",
      "try", "catch", "label", "import", "include", "and", "or", "__loc__"};
  return words.count(w) > 0;
}

// The program with what cannot change whether it compiles replaced by a placeholder:
// numbers by 0, strings without escapes by "", and field names after '.' (not keywords) by
// f. `.n == 17 and .r17 != null` and `.n == 18 and .r18 != null` have one shape, compiled
// once. Variables, function names, keys and formats are kept: they decide what binds.
std::string shape(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  for (std::size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '"') {
      std::size_t end = i + 1;
      while (end < p.size() && p[end] != '"' && p[end] != '\\') ++end;
      if (end < p.size() && p[end] == '"') {
        out += "\"\"";
        i = end + 1;
        continue;
      }
      out.append(p.substr(i));  // escapes or interpolation: kept whole from here
      break;
    }
    if (c == '$' || c == '@') {  // a variable or a format: kept with its name
      out += c;
      ++i;
      while (i < p.size() && ident_char(p[i])) out += p[i++];
      continue;
    }
    if (c == '.' && i + 1 < p.size() && ident_start(p[i + 1])) {
      std::size_t end = i + 1;
      while (end < p.size() && ident_char(p[end])) ++end;
      std::string_view name = p.substr(i + 1, end - i - 1);
      out += keyword(name) ? "." + std::string(name) : std::string(".f");
      i = end;
      continue;
    }
    if (ident_start(c)) {
      std::size_t end = i;
      while (end < p.size() && ident_char(p[end])) ++end;
      out.append(p.substr(i, end - i));
      i = end;
      continue;
    }
    bool digit_next = i + 1 < p.size() && std::isdigit(static_cast<unsigned char>(p[i + 1]));
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && digit_next)) {
      // jq's number: digits, at most one '.', digits, an exponent. Each becomes "0 ": the
      // space keeps two numbers written together ("1.2.3") two tokens, as jq reads them.
      auto digits = [&] {
        while (i < p.size() && std::isdigit(static_cast<unsigned char>(p[i]))) ++i;
      };
      digits();
      if (i < p.size() && p[i] == '.') {
        ++i;
        digits();
      }
      if (i < p.size() && (p[i] == 'e' || p[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < p.size() && (p[j] == '+' || p[j] == '-')) ++j;
        if (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) {
          i = j;
          digits();
        }
      }
      out += "0 ";
      continue;
    }
    if (c == '#') {  // a comment: dropped, to its end of line
      while (i < p.size() && p[i] != '\n') ++i;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace

bool JqChecker::compiles_together(const std::vector<std::string>& programs,
                                  const std::vector<int>& ids) {
  std::string text(expression_prelude()), calls;
  for (int id : ids) {
    if (mentions_env(programs[id])) return false;
    std::string name = std::string(kDefPrefix) + std::to_string(id);
    text += "def " + name + ": (" + programs[id] + "\n);\n";
    calls += (calls.empty() ? "" : ", ") + name;
  }
  // Unused definitions are not bound by jq: call each, so an unknown function is found.
  text += "(" + calls + ") | empty";
  errors_.clear();
  jv args = jv_object();
  for (const char* name : kExpressionVariables)
    args = jv_object_set(args, jv_string(name), jv_null());
  return jq_compile_args(jq_, text.c_str(), args) != 0;
}

void JqChecker::find_failures(const std::vector<std::string>& programs, const std::vector<int>& ids,
                              std::vector<std::optional<std::string>>& out, int& failures_left) {
  if (ids.size() == 1 || failures_left <= 0) {
    for (int id : ids) {
      if (failures_left <= 0) {
        out[id] = kNotChecked;
        continue;
      }
      out[id] = check(programs[id]);
      if (out[id]) --failures_left;
    }
    return;
  }
  if (compiles_together(programs, ids)) return;
  std::vector<int> left(ids.begin(), ids.begin() + static_cast<long>(ids.size() / 2));
  std::vector<int> right(ids.begin() + static_cast<long>(ids.size() / 2), ids.end());
  find_failures(programs, left, out, failures_left);
  find_failures(programs, right, out, failures_left);
}

std::vector<std::optional<std::string>> JqChecker::check_all(const std::vector<std::string>& given,
                                                             int max_failures) {
  // Programs of one shape compile alike: each shape is compiled once. A shape that does not
  // compile is compiled again as each of its programs, for the message to quote them.
  std::vector<std::string> programs;
  programs.reserve(given.size());
  for (const auto& g : given) programs.push_back(valid_utf8(g) ? shape(g) : g);
  auto answers = check_shapes(programs, max_failures);
  int left = max_failures;
  for (std::size_t i = 0; i < given.size(); ++i) {
    if (!answers[i] || programs[i] == given[i] || answers[i]->rfind(kNotChecked, 0) == 0) continue;
    answers[i] = left-- > 0 ? check(given[i]) : std::optional<std::string>(kNotChecked);
  }
  return answers;
}

std::vector<std::optional<std::string>> JqChecker::check_shapes(
    const std::vector<std::string>& programs, int max_failures) {
  std::vector<std::optional<std::string>> out(programs.size());
  std::map<std::string, int> first;  // a program's first position: the others copy it
  std::vector<int> pending;
  int failures_left = max_failures;
  for (int i = 0; i < static_cast<int>(programs.size()); ++i) {
    const auto& p = programs[i];
    if (first.count(p)) continue;
    first.emplace(p, i);
    if (auto it = seen_.find(p); it != seen_.end())
      out[i] = it->second;
    else if (p.empty() || !valid_utf8(p) || !self_contained(p))
      find_failures(programs, {i}, out, failures_left);  // alone
    else
      pending.push_back(i);
  }
  for (std::size_t at = 0; at < pending.size(); at += kChunk) {
    std::vector<int> chunk(
        pending.begin() + static_cast<long>(at),
        pending.begin() + static_cast<long>(std::min(at + kChunk, pending.size())));
    find_failures(programs, chunk, out, failures_left);
    for (int id : chunk)
      if (!out[id]) seen_.emplace(programs[id], std::nullopt);
  }
  for (int i = 0; i < static_cast<int>(programs.size()); ++i) out[i] = out[first.at(programs[i])];
  return out;
}

}  // namespace covenant::workflows
