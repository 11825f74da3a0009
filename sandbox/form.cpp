#include "sandbox/form.hpp"

#include <algorithm>
#include <cctype>

namespace covenant::sandbox {

namespace {

// Objects whose keys are 0..n-1 become arrays, recursively.
nlohmann::json arrays(nlohmann::json v) {
  if (!v.is_object()) return v;
  bool numeric = !v.empty();
  for (const auto& [k, x] : v.items())
    numeric = numeric && !k.empty() &&
              std::all_of(k.begin(), k.end(), [](unsigned char c) { return std::isdigit(c); });
  for (auto& [k, x] : v.items()) x = arrays(x);
  if (!numeric) return v;
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto key = std::to_string(i);
    if (!v.contains(key)) return v;  // a gap: keep the object
    out.push_back(v[key]);
  }
  return out;
}

}  // namespace

std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

nlohmann::json parse_form(const std::string& body) {
  nlohmann::json root = nlohmann::json::object();
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto amp = body.find('&', pos);
    if (amp == std::string::npos) amp = body.size();
    std::string pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = url_decode(pair.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1));
    // a[b][c] → path a, b, c; a[] appends.
    std::vector<std::string> path;
    auto br = key.find('[');
    path.push_back(key.substr(0, br));
    while (br != std::string::npos) {
      auto close = key.find(']', br);
      if (close == std::string::npos) break;
      path.push_back(key.substr(br + 1, close - br - 1));
      br = key.find('[', close);
    }
    nlohmann::json* at = &root;
    for (std::size_t i = 0; i < path.size(); ++i) {
      std::string seg = path[i];
      if (seg.empty()) seg = std::to_string(at->is_object() ? at->size() : 0);
      if (i + 1 == path.size()) {
        (*at)[seg] = value;
      } else {
        if (!at->contains(seg) || !(*at)[seg].is_object()) (*at)[seg] = nlohmann::json::object();
        at = &(*at)[seg];
      }
    }
  }
  return arrays(root);
}

}  // namespace covenant::sandbox
