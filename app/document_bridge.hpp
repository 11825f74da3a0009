// Evidence storage for the activities (activities::DocumentStore) over the engine's store,
// which keeps the SQL (engine/store/documents.cpp). Thread-safe as the store is.
#pragma once

#include "activities/contract_book.hpp"
#include "activities/documents.hpp"
#include "activities/usage_ledger.hpp"
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

// Metered usage for usage.total, over store.usage.
class UsageBridge final : public activities::UsageLedger {
 public:
  explicit UsageBridge(engine::store::Store& store) : store_(store) {}
  tl::expected<activities::UsageSum, activities::StoreError> total(const std::string& ns,
                                                                   const std::string& contract_id,
                                                                   const std::string& metric,
                                                                   std::int64_t from_day,
                                                                   std::int64_t to_day) override;

 private:
  engine::store::Store& store_;
};

// The book of contracts for contracts.* and obligations.record, over store.contracts and
// store.obligations.
// The views' figures of a contract (activities::index_of) as the store keeps them.
engine::store::ContractIndex store_index(const activities::BookIndex& i);

class BookBridge final : public activities::ContractBook {
 public:
  BookBridge(engine::store::Store& store, const engine::Clock& clock)
      : store_(store), clock_(clock) {}
  tl::expected<activities::BookEntry, activities::BookError> record(
      const std::string& ns, const activities::BookEntry& e) override;
  tl::expected<activities::BookEntry, activities::BookError> amend(
      const std::string& ns, const activities::BookEntry& a, std::int64_t based_on,
      const nlohmann::json& parent_state) override;
  tl::expected<void, activities::BookError> settle(const std::string& ns, const std::string& id,
                                                   std::int64_t version,
                                                   const std::string& state_sha256,
                                                   const nlohmann::json& state) override;
  tl::expected<std::optional<activities::BookEntry>, activities::BookError> get(
      const std::string& ns, const std::string& id) override;
  tl::expected<bool, activities::BookError> observe(const std::string& ns,
                                                    const activities::BookFinding& f) override;
  tl::expected<std::vector<activities::BookEntry>, activities::BookError> titled(
      const std::string& ns, const std::string& title_key) override;
  tl::expected<std::size_t, activities::BookError> record_obligations(
      const std::string& ns, const std::string& contract_id, const std::string& writer,
      const std::vector<activities::Obligation>& register_) override;

 private:
  engine::store::Store& store_;
  const engine::Clock& clock_;
};

}  // namespace covenant::app
