// Principals (principals.cpp). Tokens never reach the store, only their hashes.
#pragma once

#include "engine/error.hpp"
#include "engine/store/tx.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::store {

struct PrincipalRow {
  std::string name;
  std::vector<std::string> roles;
  std::int64_t created_us = 0, revoked_us = 0;
};

class Principals {
 public:
  explicit Principals(Store& db) : db_(db) {}
  Result<void> add(const std::string& name, const std::vector<std::string>& roles,
                   const std::string& token_hash, std::int64_t now_us);
  Result<std::optional<PrincipalRow>> by_token_hash(const std::string& token_hash);
  Result<std::optional<PrincipalRow>> get(const std::string& name);
  Result<void> revoke(const std::string& name, std::int64_t now_us);
  Result<std::vector<PrincipalRow>> all();

 private:
  Store& db_;
};

}  // namespace covenant::engine::store
