#include "workflows/yaml_reader.hpp"

#include "workflows/duration.hpp"

#include <algorithm>
#include <charconv>
#include <regex>

namespace covenant::workflows {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

const char* kind_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return "empty";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "undefined";
  }
}

bool is_plain(const YAML::Node& n) { return n.Tag() != "!"; }

const std::regex& path_pattern() {
  static const std::regex re(R"(^\.(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?$)");
  return re;
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (auto c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = std::string(c);
    }
  }
  return best;
}

SourceSpan YamlReader::span(const YAML::Mark& m) const {
  if (m.line < 0) return {file_, 0, 0};
  return {file_, m.line + 1, m.column + 1};
}

SourceSpan YamlReader::span(const YAML::Node& node) const { return span(node.Mark()); }

JqChecker& YamlReader::jq() {
  if (!jq_) jq_.emplace();
  return *jq_;
}

void YamlReader::error(const SourceSpan& at, const char* code, std::string message) {
  diagnostics_.push_back({at, code, std::move(message), Severity::Error});
}

void YamlReader::warning(const SourceSpan& at, const char* code, std::string message) {
  diagnostics_.push_back({at, code, std::move(message), Severity::Warning});
}

bool YamlReader::expect_map(const YAML::Node& n, const std::string& what) {
  if (n.IsMap()) return true;
  error(span(n), codes::kWrongType, what + " must be a mapping, not " + kind_name(n));
  return false;
}

bool YamlReader::expect_list(const YAML::Node& n, const std::string& what) {
  if (n.IsSequence()) return true;
  error(span(n), codes::kWrongType, what + " must be a list, not " + kind_name(n));
  return false;
}

std::optional<std::string> YamlReader::string(const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) {
    error(span(n), codes::kWrongType, what + " must be a string, not " + kind_name(n));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<std::int64_t> YamlReader::integer(const YAML::Node& n, const std::string& what,
                                                std::int64_t min, std::int64_t max) {
  if (!n.IsScalar() || !is_plain(n)) {
    error(span(n), codes::kWrongType, what + " must be an integer, not " + kind_name(n));
    return std::nullopt;
  }
  const std::string& s = n.Scalar();
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    error(span(n), codes::kWrongType, what + " must be an integer, not '" + s + "'");
    return std::nullopt;
  }
  if (v < min || v > max) {
    error(span(n), codes::kBadValue,
          what + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
              ", not " + s);
    return std::nullopt;
  }
  return v;
}

std::optional<double> YamlReader::number(const YAML::Node& n, const std::string& what, double min,
                                         double max) {
  static const std::regex re(R"(^-?[0-9]+(\.[0-9]+)?$)");
  if (!n.IsScalar() || !is_plain(n) || !std::regex_match(n.Scalar(), re)) {
    error(
        span(n), codes::kWrongType,
        what + " must be a number, not " + (n.IsScalar() ? "'" + n.Scalar() + "'" : kind_name(n)));
    return std::nullopt;
  }
  double v = std::stod(n.Scalar());
  if (v < min || v > max) {
    error(span(n), codes::kBadValue,
          what + " must be between " + std::to_string(min).substr(0, 4) + " and " +
              std::to_string(max).substr(0, 4) + ", not " + n.Scalar());
    return std::nullopt;
  }
  return v;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& n, const std::string& what) {
  if (n.IsScalar() && is_plain(n) && (n.Scalar() == "true" || n.Scalar() == "false"))
    return n.Scalar() == "true";
  error(span(n), codes::kWrongType,
        what + " must be true or false, not " +
            (n.IsScalar() ? "'" + n.Scalar() + "'" : std::string(kind_name(n))));
  return std::nullopt;
}

std::optional<Duration> YamlReader::duration(const YAML::Node& n, const std::string& what) {
  auto s = string(n, what);
  if (!s) return std::nullopt;
  auto parsed = parse_duration(*s);
  if (!parsed.seconds) {
    error(span(n), codes::kBadDuration, what + ": bad duration '" + *s + "': " + parsed.error);
    return std::nullopt;
  }
  return Duration{*parsed.seconds, *s, span(n)};
}

std::optional<Expression> YamlReader::check_expression(const YAML::Node& n, const std::string& text,
                                                       const std::string& what) {
  std::size_t offset = 0;
  auto program = unwrap_expression(text, &offset);
  if (!program) return std::nullopt;
  SourceSpan at = span(n);
  if (text.find('\n') == std::string::npos)
    at.column += static_cast<int>(offset) + (is_plain(n) ? 0 : 1);
  pending_.push_back({*program, at, what});
  return Expression{*program, at};
}

void YamlReader::check_expressions() {
  if (pending_.empty()) return;
  std::vector<std::string> programs;
  programs.reserve(pending_.size());
  for (const auto& p : pending_) programs.push_back(p.program);
  auto answers = jq().check_all(programs);
  for (std::size_t i = 0; i < pending_.size(); ++i)
    if (answers[i])
      error(pending_[i].at, codes::kBadExpression, pending_[i].what + ": jq: " + *answers[i]);
  pending_.clear();
}

std::optional<Expression> YamlReader::expression(const YAML::Node& n, const std::string& what) {
  auto s = string(n, what);
  if (!s) return std::nullopt;
  if (!unwrap_expression(*s)) {
    error(span(n), codes::kBadExpression, what + " must be an expression written as ${ … }");
    return std::nullopt;
  }
  return check_expression(n, *s, what);
}

std::optional<Path> YamlReader::path(const YAML::Node& n, const std::string& what) {
  auto s = string(n, what);
  if (!s) return std::nullopt;
  if (!std::regex_match(*s, path_pattern())) {
    error(span(n), codes::kBadPath,
          what + " must be a path into the context such as '.contract.terms', not '" + *s + "'");
    return std::nullopt;
  }
  return Path{*s, span(n)};
}

std::optional<StateRef> YamlReader::state_ref(const YAML::Node& n, const std::string& what) {
  auto s = string(n, what);
  if (!s) return std::nullopt;
  if (s->empty()) {
    error(span(n), codes::kBadValue, what + " must name a state");
    return std::nullopt;
  }
  return StateRef{*s, span(n)};
}

std::optional<std::vector<std::string>> YamlReader::string_list(const YAML::Node& n,
                                                                const std::string& what,
                                                                std::vector<SourceSpan>* spans) {
  if (!expect_list(n, what)) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  for (const auto& item : n) {
    auto s = string(item, what);
    if (!s) {
      ok = false;
      continue;
    }
    out.push_back(*s);
    if (spans) spans->push_back(span(item));
  }
  if (!ok) return std::nullopt;
  return out;
}

nlohmann::json YamlReader::to_json(const YAML::Node& n, std::vector<Expression>& exprs,
                                   const std::string& what) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& kv : n) {
        auto key = string(kv.first, what + " key");
        if (!key) continue;
        obj[*key] = to_json(kv.second, exprs, what + "." + *key);
      }
      return obj;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : n) arr.push_back(to_json(item, exprs, what));
      return arr;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (!is_plain(n) || s.empty()) {
        if (unwrap_expression(s)) {
          if (auto e = check_expression(n, s, what)) exprs.push_back(*e);
        } else if (mentions_expression(s)) {
          error(span(n), codes::kBadExpression,
                what +
                    ": an expression must be the whole value (\"${ … }\"); build strings "
                    "inside jq instead");
        }
        return s;
      }
      if (s == "null" || s == "~") return nullptr;
      if (s == "true" || s == "false") return s == "true";
      static const std::regex int_re(R"(^-?[0-9]+$)"), float_re(R"(^-?[0-9]+\.[0-9]+$)");
      if (std::regex_match(s, int_re)) {
        std::int64_t v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec == std::errc() && p == s.data() + s.size()) return v;
        return s;
      }
      if (std::regex_match(s, float_re)) return std::stod(s);
      if (unwrap_expression(s)) {
        if (auto e = check_expression(n, s, what)) exprs.push_back(*e);
      } else if (mentions_expression(s)) {
        error(span(n), codes::kBadExpression,
              what +
                  ": an expression must be the whole value (\"${ … }\"); build strings "
                  "inside jq instead");
      }
      return s;
    }
    default:
      return nullptr;
  }
}

std::optional<Template> YamlReader::templ(const YAML::Node& n, const std::string& what) {
  Template t;
  t.span = span(n);
  t.value = to_json(n, t.expressions, what);
  if (n.IsMap())
    for (const auto& kv : n)
      if (kv.first.IsScalar()) t.key_spans.emplace(kv.first.Scalar(), span(kv.first));
  return t;
}

Fields::Fields(YamlReader& r, const YAML::Node& map, std::string owner,
               std::vector<std::string_view> known, Hint hint, std::optional<SourceSpan> at)
    : r_(r), owner_(std::move(owner)), span_(at ? *at : r.span(map)) {
  for (const auto& kv : map) {
    SourceSpan at = r.span(kv.first);
    if (!kv.first.IsScalar()) {
      r.error(at, codes::kWrongType, owner_ + ": a field name must be a string");
      continue;
    }
    const std::string& key = kv.first.Scalar();
    bool dup = std::any_of(entries_.begin(), entries_.end(),
                           [&](const auto& e) { return e.first == key; });
    if (dup) {
      r.error(at, codes::kDuplicateKey, owner_ + ": field '" + key + "' is given twice");
      continue;
    }
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string msg = owner_ + ": unknown field '" + key + "'";
      if (auto m = closest_match(key, known); !m.empty()) {
        msg += " (did you mean '" + m + "'?)";
        suggested_.push_back(m);
      } else if (hint) {
        if (auto h = hint(key); !h.empty()) msg += " (" + h + ")";
      }
      r.error(at, codes::kUnknownField, std::move(msg));
      continue;
    }
    entries_.push_back({key, {kv.first, kv.second}});
  }
}

std::optional<YAML::Node> Fields::get(std::string_view key) const {
  for (const auto& e : entries_)
    if (e.first == key) return e.second.second;
  return std::nullopt;
}

std::optional<YAML::Node> Fields::require(std::string_view key) const {
  auto n = get(key);
  if (!n && !suggested(key))
    r_.error(span_, codes::kMissingField, owner_ + ": missing field '" + std::string(key) + "'");
  return n;
}

bool Fields::suggested(std::string_view key) const {
  return std::find(suggested_.begin(), suggested_.end(), key) != suggested_.end();
}

SourceSpan Fields::key_span(std::string_view key) const {
  for (const auto& e : entries_)
    if (e.first == key) return r_.span(e.second.first);
  return span_;
}

std::string Fields::what(std::string_view key) const {
  return owner_ + ": field '" + std::string(key) + "'";
}

}  // namespace covenant::workflows
