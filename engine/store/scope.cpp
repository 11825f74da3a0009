#include "engine/store/scope.hpp"

#include <stdexcept>

namespace covenant::engine::store {

bool valid_namespace(std::string_view name) {
  if (name.empty() || name.size() > 63 || name.front() == '-') return false;
  for (char ch : name)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  return true;
}

Result<void> check_namespace(const std::string& ns) {
  if (!valid_namespace(ns))
    return fail(ErrorCode::InvalidArgument, "not a namespace: '" + ns + "'", "namespace");
  return {};
}

Scope Scope::of(std::string ns) {
  if (!valid_namespace(ns)) throw std::invalid_argument("not a namespace name: '" + ns + "'");
  return Scope(std::move(ns));
}

}  // namespace covenant::engine::store
