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
  // Of its tokens that still work (list): how many, and the first moment one stops (0: none
  // expires).
  int tokens = 0;
  std::int64_t next_expiry_us = 0;
  std::string ns;  // its namespace (names are unique across all of them)
  // "person", or "service" (a machine: its tokens reach only the routes `scopes` names, and it
  // never decides an approval).
  std::string kind = "person";
  std::vector<std::string> scopes{};
};

class Principals {
 public:
  explicit Principals(Store& db) : db_(db) {}
  // A principal with its first token (expires_us 0: never).
  Result<void> add(const std::string& ns, const std::string& name,
                   const std::vector<std::string>& roles, const std::string& token_hash,
                   std::int64_t now_us, std::int64_t expires_us, const std::string& kind = "person",
                   const std::vector<std::string>& scopes = {});
  // The active principal whose token this is, if the token works at `now_us` (not expired,
  // not past its rotation overlap).
  Result<std::optional<PrincipalRow>> by_token_hash(const std::string& token_hash,
                                                    std::int64_t now_us);
  // A new current token for `name`; its tokens until now work until `retire_us` at the latest.
  // Errors: NotFound, FailedPrecondition (revoked).
  Result<void> rotate(const Scope& scope, const std::string& name, const std::string& token_hash,
                      std::int64_t now_us, std::int64_t expires_us, std::int64_t retire_us);
  // In `scope`: another namespace's principals are not there.
  Result<std::optional<PrincipalRow>> get(const Scope& scope, const std::string& name);
  Result<void> revoke(const Scope& scope, const std::string& name, std::int64_t now_us);
  Result<std::vector<PrincipalRow>> all(const Scope& scope, std::int64_t now_us);

 private:
  Store& db_;
};

}  // namespace covenant::engine::store
