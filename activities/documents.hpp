// Evidence storage as the activities see it: a contract's documents stored once by SHA-256,
// with numbered versions per contract, and the text read from each (term evidence offsets
// point into that text). The app implements it over the engine's store (SQL stays in
// engine/store); tests may implement it in memory. Implementations must be thread-safe.
#pragma once

#include <tl/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace covenant::activities {

struct StoredDocument {
  std::string sha256;  // of the bytes, lower-case hex
  std::string media_type;
  std::int64_t bytes = 0;
  int pages = 0;
  std::string text;
  std::string contract_id;
  int version = 0;     // this document's version for the contract (put only)
  bool added = false;  // put: a new version (false: it already was the current one)
};

struct StoreError {
  std::string message;
  bool retryable = false;  // the database was busy or unreachable
};

class DocumentStore {
 public:
  virtual ~DocumentStore() = default;
  // Stores `content` (unless stored already) and makes it the contract's current version.
  // Each namespace's documents are its own: `ns` names whose.
  virtual tl::expected<StoredDocument, StoreError> put(const std::string& ns,
                                                       const StoredDocument& doc,
                                                       std::string_view content,
                                                       const std::string& source) = 0;
  // The document's text and facts (no bytes); nullopt when unknown in `ns`.
  virtual tl::expected<std::optional<StoredDocument>, StoreError> get(
      const std::string& ns, const std::string& sha256) = 0;
};

}  // namespace covenant::activities
