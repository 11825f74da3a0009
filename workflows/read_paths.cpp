#include "workflows/read_paths.hpp"

#include "workflows/identifier.hpp"

#include <cctype>
#include <charconv>
#include <set>

namespace covenant::workflows {

namespace {

// Words after which "(" opens a group, not a function's arguments.
const std::set<std::string_view>& keywords() {
  static const std::set<std::string_view> k = {"and",     "or",    "if",  "then",  "elif",
                                               "else",    "as",    "try", "catch", "reduce",
                                               "foreach", "label", "def", "end"};
  return k;
}

// Functions whose arguments run on each element (or entry, or node) of their input rather
// than on the input itself: paths inside them read something else. Every other function's
// arguments run on the same input (`select(.x)`, `range(0; .n)`, `has(.k)`, `limit(1; .a[])`),
// so their paths count: an unknown function is read as reading the input, which can only
// make the checks stricter.
const std::set<std::string_view>& element_wise() {
  static const std::set<std::string_view> k = {"map",       "map_values",   "sort_by", "group_by",
                                               "unique_by", "min_by",       "max_by",  "any",
                                               "all",       "with_entries", "walk",    "recurse"};
  return k;
}

struct Group {
  char close;
  bool relative;  // paths here read something other than the expression's input
  bool object;    // a {…} constructor: a bare key is shorthand for .key
  bool binding;   // "as $x" seen: the next "|" keeps the input
};

class Scanner {
 public:
  Scanner(std::string_view s, ReadMode mode) : s_(s), mode_(mode) {}

  std::vector<ReadPath> run(bool relative) {
    groups_.push_back({'\0', relative, false, false});
    while (i_ < s_.size()) step();
    return std::move(out_);
  }

 private:
  char at(std::size_t k) const { return k < s_.size() ? s_[k] : '\0'; }

  // The last character before position `k` that is not a space.
  char before(std::size_t k) const {
    while (k > 0) {
      char c = s_[--k];
      if (!std::isspace(static_cast<unsigned char>(c))) return c;
    }
    return '\0';
  }

  void skip_string() {  // s_[i_] == '"'
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\' && at(i_ + 1) == '(') {
        // String interpolation: its code reads the same input as the string's place.
        std::size_t start = i_ + 2, depth = 1, k = start;
        while (k < s_.size() && depth) {
          if (s_[k] == '(') ++depth;
          if (s_[k] == ')') --depth;
          if (depth) ++k;
        }
        Scanner inner(s_.substr(start, k - start), mode_);
        for (auto& p : inner.run(groups_.back().relative)) out_.push_back(std::move(p));
        i_ = k + 1;
        continue;
      }
      i_ += s_[i_] == '\\' ? 2 : 1;
    }
    ++i_;
  }

  void path() {  // s_[i_] == '.', not part of another term
    ReadPath p;
    ++i_;
    for (;;) {
      if (ident_start(at(i_))) {
        std::size_t b = i_;
        while (ident_char(at(i_))) ++i_;
        p.segments.emplace_back(s_.substr(b, i_ - b));
      } else if (at(i_) == '"') {  // ."quoted key"
        std::size_t b = i_ + 1;
        skip_string();
        p.segments.emplace_back(s_.substr(b, i_ - b - 1));
      } else if (at(i_) == '[' && std::isdigit(static_cast<unsigned char>(at(i_ + 1)))) {
        std::size_t b = i_;
        while (std::isdigit(static_cast<unsigned char>(at(i_ + 1)))) ++i_;
        if (at(i_ + 1) != ']') {
          i_ = b;
          break;
        }
        i_ += 2;
        p.segments.emplace_back(s_.substr(b, i_ - b));
      } else {
        break;
      }
      if (at(i_) == '?') ++i_;
      if (at(i_) == '.' && (ident_start(at(i_ + 1)) || at(i_ + 1) == '"'))
        ++i_;
      else if (at(i_) != '[')
        break;
    }
    if (!groups_.back().relative) out_.push_back(std::move(p));
  }

  void step() {
    char c = s_[i_];
    Group& g = groups_.back();
    if (c == '#') {
      while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      return;
    }
    if (c == '"') return skip_string();
    if (c == '$') {  // a variable, and any path after it belongs to the variable
      ++i_;
      while (ident_char(at(i_))) ++i_;
      while (at(i_) == '.' && ident_start(at(i_ + 1))) {
        ++i_;
        while (ident_char(at(i_))) ++i_;
      }
      return;
    }
    if (c == '.') {
      char prev = i_ ? s_[i_ - 1] : '\0';
      if (at(i_ + 1) == '.') {  // ".." recursive descent: reads everything below
        i_ += 2;
        if (!g.relative) out_.push_back(ReadPath{});
        return;
      }
      if (ident_char(prev) || prev == ')' || prev == ']' || prev == '}' || prev == '"' ||
          prev == '?') {
        ++i_;  // a field of something else: (…).x, $v.x, 1.5
        while (ident_char(at(i_))) ++i_;
        return;
      }
      return path();
    }
    if (ident_start(c)) {
      std::size_t b = i_;
      while (ident_char(at(i_))) ++i_;
      std::string_view word = s_.substr(b, i_ - b);
      char prev = before(b);
      std::size_t k = i_;
      while (std::isspace(static_cast<unsigned char>(at(k)))) ++k;
      char next = at(k);
      if (g.object && (prev == '{' || prev == ',') && (next == ',' || next == '}')) {
        if (!g.relative) out_.push_back(ReadPath{{std::string(word)}});  // {customer}
        return;
      }
      if (word == "as") g.binding = true;
      if (next == '(' && !keywords().count(word)) {
        i_ = k + 1;
        // A function's arguments: on each element for the element-wise ones, else on the
        // same input as the call.
        groups_.push_back({')', g.relative || element_wise().count(word) > 0, false, false});
      }
      return;
    }
    ++i_;
    switch (c) {
      case '(':
        groups_.push_back({')', g.relative, false, false});
        break;
      case '[':
        groups_.push_back({']', g.relative, false, false});
        break;
      case '{':
        groups_.push_back({'}', g.relative, true, false});
        break;
      case ')':
      case ']':
      case '}':
        if (groups_.size() > 1) groups_.pop_back();
        break;
      case '|':
        if (at(i_) == '=') break;  // |= update
        if (g.binding)
          g.binding = false;  // "… as $x | …" keeps the input
        else if (mode_ == ReadMode::Input)
          g.relative = true;
        break;
      default:
        break;
    }
  }

  std::string_view s_;
  ReadMode mode_;
  std::size_t i_ = 0;
  std::vector<Group> groups_;
  std::vector<ReadPath> out_;
};

}  // namespace

std::string ReadPath::text() const {
  if (segments.empty()) return ".";
  std::string out;
  for (const auto& s : segments) out += !s.empty() && s.front() == '[' ? s : "." + s;
  return out;
}

bool ReadPath::within(const ReadPath& other) const {
  if (other.segments.size() > segments.size()) return false;
  for (std::size_t i = 0; i < other.segments.size(); ++i)
    if (segments[i] != other.segments[i]) return false;
  return true;
}

std::vector<ReadPath> read_paths(std::string_view program, ReadMode mode) {
  return Scanner(program, mode).run(false);
}

std::optional<ReadPath> plain_path(std::string_view program) {
  while (!program.empty() && std::isspace(static_cast<unsigned char>(program.front())))
    program.remove_prefix(1);
  while (!program.empty() && std::isspace(static_cast<unsigned char>(program.back())))
    program.remove_suffix(1);
  auto paths = read_paths(program);
  if (paths.size() != 1 || paths[0].text() != program) return std::nullopt;
  return paths[0];
}

nlohmann::json value_at(const nlohmann::json& root, const ReadPath& path) {
  const nlohmann::json* at = &root;
  for (const auto& s : path.segments) {
    if (!s.empty() && s.front() == '[') {
      std::size_t n = 0;
      auto [p, ec] = std::from_chars(s.data() + 1, s.data() + s.size() - 1, n);
      if (ec != std::errc() || !at->is_array() || n >= at->size()) return nullptr;
      at = &(*at)[n];
    } else {
      if (!at->is_object()) return nullptr;
      auto it = at->find(s);
      if (it == at->end()) return nullptr;
      at = &*it;
    }
  }
  return *at;
}

}  // namespace covenant::workflows
