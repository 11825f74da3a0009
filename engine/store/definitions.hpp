// Definitions (definitions.cpp): immutable, by digest within a namespace; a new digest under a
// known name is that name's next version there. The same name (or the same YAML) in two
// namespaces is two unrelated definitions.
#pragma once

#include "engine/error.hpp"
#include "engine/store/tx.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace covenant::engine::store {

struct DefinitionRecord {
  std::string digest, name;
  int version = 0;
  std::string source, canonical;
  std::int64_t created_us = 0;
  bool created = false;  // put: true when this call added it
  std::string ns;        // its namespace
};

class Definitions {
 public:
  explicit Definitions(Store& db) : db_(db) {}
  Result<DefinitionRecord> put(const std::string& ns, const std::string& name,
                               const std::string& digest, const std::string& source,
                               const std::string& canonical, std::int64_t now_us);
  // NotFound also when the transaction's scope does not hold `ns`.
  Result<DefinitionRecord> get(const std::string& ns, const std::string& digest);
  Result<DefinitionRecord> get(Tx& tx, const std::string& ns, const std::string& digest);
  Result<DefinitionRecord> latest(const std::string& ns, const std::string& name);
  Result<std::vector<DefinitionRecord>> all(const std::string& ns);

 private:
  Store& db_;
};

}  // namespace covenant::engine::store
