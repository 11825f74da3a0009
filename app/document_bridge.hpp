// Evidence storage for the activities (activities::DocumentStore) over the engine's store,
// which keeps the SQL (engine/store/documents.cpp). Thread-safe as the store is.
#pragma once

#include "activities/documents.hpp"
#include "engine/clock.hpp"
#include "engine/store/store.hpp"

namespace covenant::app {

class DocumentBridge final : public activities::DocumentStore {
 public:
  DocumentBridge(engine::store::Store& store, const engine::Clock& clock)
      : store_(store), clock_(clock) {}
  tl::expected<activities::StoredDocument, activities::StoreError> put(
      const std::string& ns, const activities::StoredDocument& doc, std::string_view content,
      const std::string& source) override;
  tl::expected<std::optional<activities::StoredDocument>, activities::StoreError> get(
      const std::string& ns, const std::string& sha256) override;

 private:
  engine::store::Store& store_;
  const engine::Clock& clock_;
};

}  // namespace covenant::app
