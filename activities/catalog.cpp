#include "activities/catalog.hpp"

#include "activities/registry.hpp"

namespace covenant::activities {

BuiltinCatalog::BuiltinCatalog() {
  for (const auto& a : registry()) by_name_.emplace(a.info.name, a.info);
}

const workflows::ActivityInfo* BuiltinCatalog::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &it->second;
}

std::vector<const workflows::ActivityInfo*> BuiltinCatalog::all() const {
  std::vector<const workflows::ActivityInfo*> out;
  for (const auto& [name, info] : by_name_) out.push_back(&info);
  return out;
}

}  // namespace covenant::activities
