#include "workflows/json_input.hpp"

namespace covenant::workflows {

namespace {

// Depth-first with the path kept only on the way down; returns at the first value too deep.
std::optional<std::string> too_deep_at(const nlohmann::json& v, int depth, int max_depth,
                                       std::string& path) {
  if (!v.is_structured()) return std::nullopt;
  if (depth > max_depth)
    return "nested more than " + std::to_string(max_depth) + " levels deep at " +
           (path.empty() ? std::string(".") : path);
  std::size_t keep = path.size();
  std::size_t index = 0;
  for (auto it = v.begin(); it != v.end(); ++it, ++index) {
    path += v.is_object() ? "." + it.key() : "[" + std::to_string(index) + "]";
    if (auto why = too_deep_at(*it, depth + 1, max_depth, path)) return why;
    path.resize(keep);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> json_too_deep(std::string_view text, int max_depth) {
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

std::optional<std::string> json_value_too_deep(const nlohmann::json& value, int max_depth) {
  std::string path;
  return too_deep_at(value, 1, max_depth, path);
}

tl::expected<nlohmann::json, JsonRefusal> parse_json_input(std::string_view text, int max_depth) {
  if (auto deep = json_too_deep(text, max_depth))
    return tl::unexpected(JsonRefusal{JsonRefusal::Kind::TooDeep, *deep});
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return tl::unexpected(JsonRefusal{JsonRefusal::Kind::Malformed,
                                      "not valid JSON at byte " + std::to_string(e.byte)});
  } catch (const nlohmann::json::out_of_range&) {  // 1e400: no double holds it
    return tl::unexpected(JsonRefusal{JsonRefusal::Kind::NumberOutOfRange,
                                      "out of range: a number is beyond ±1.8e308"});
  }
}

}  // namespace covenant::workflows
