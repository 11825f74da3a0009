#include "activities/extract/compare.hpp"

#include <set>
#include <string>

namespace covenant::activities::extract {

using nlohmann::json;

namespace {

// The field map of an extract.terms result, or the map itself.
const json& fields_of(const json& x) {
  static const json none = json::object();
  if (x.is_object() && x.contains("fields") && x["fields"].is_object()) return x["fields"];
  return x.is_object() ? x : none;
}

json part(const json& f, const char* key) {
  return f.is_object() && f.contains(key) ? f[key] : json();
}

}  // namespace

json compare_extractions(const json& before, const json& after) {
  const json& a = fields_of(before);
  const json& b = fields_of(after);
  json pb = before.is_object() ? before.value("provenance", json()) : json();
  json pa = after.is_object() ? after.value("provenance", json()) : json();
  json out = {{"provenance", {{"before", pb}, {"after", pa}, {"changed", pb != pa}}},
              {"fields", json::array()}};
  std::set<std::string> names;
  for (const auto& [k, v] : a.items()) names.insert(k);
  for (const auto& [k, v] : b.items()) names.insert(k);
  int same = 0;
  for (const auto& name : names) {
    json x = a.contains(name) ? a[name] : json(), y = b.contains(name) ? b[name] : json();
    std::string change;
    if (x.is_null())
      change = "added";
    else if (y.is_null())
      change = "removed";
    else if (part(x, "value") != part(y, "value"))
      change = "value";
    else if (part(x, "confidence") != part(y, "confidence"))
      change = "confidence";
    if (change.empty()) {
      ++same;
      continue;
    }
    out["fields"].push_back({{"field", name},
                             {"change", change},
                             {"before", part(x, "value")},
                             {"after", part(y, "value")},
                             {"confidence_before", part(x, "confidence")},
                             {"confidence_after", part(y, "confidence")}});
  }
  out["same"] = same;
  return out;
}

}  // namespace covenant::activities::extract
