// Evidence storage (documents.cpp): a document's bytes live once by SHA-256; each contract
// lists the distinct documents it was given as numbered versions.
#pragma once

#include "engine/error.hpp"
#include "engine/store/tx.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace covenant::engine::store {

struct DocumentRow {
  std::string sha256, media_type;
  std::int64_t bytes = 0;
  int pages = 0;
  std::string text;  // the text read from the document; term offsets point into it
  std::int64_t created_us = 0;
};

struct DocumentVersionRow {
  std::string contract_id;
  int version = 0;
  std::string sha256, source;
  std::int64_t created_us = 0;
  bool added = false;  // put: true when this call added the version
};

class Documents {
 public:
  explicit Documents(Store& db) : db_(db) {}
  // Stores the bytes unless stored already and makes the document the contract's next
  // version unless it is its current one already (then that version comes back with added =
  // false): repeating an ingest changes nothing.
  // Each namespace keeps its own documents: the same bytes given in two namespaces are stored
  // in each, and one namespace never reads another's.
  Result<DocumentVersionRow> put(const std::string& ns, const DocumentRow& doc,
                                 std::string_view content, const std::string& contract_id,
                                 const std::string& source, std::int64_t now_us);
  Result<std::optional<DocumentRow>> get(const std::string& ns, const std::string& sha256);
  Result<std::optional<std::string>> content(const std::string& ns, const std::string& sha256);
  Result<std::vector<DocumentVersionRow>> versions(const std::string& ns,
                                                   const std::string& contract_id);

 private:
  Store& db_;
};

}  // namespace covenant::engine::store
